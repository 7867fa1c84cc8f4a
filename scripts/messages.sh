#!/usr/bin/env bash
# Refresh and compile the translation catalogs: one per app (its own locale/) plus the project's
# (portal package and the shared templates). Needs GNU gettext (apt-get install gettext).
set -euo pipefail
cd "$(dirname "$0")/.."
DJ=$(pwd)/.venv/bin/django-admin
export DJANGO_SETTINGS_MODULE=portal.settings.dev PYTHONPATH=$(pwd)
for app in organizations members consultations proposals reports; do
  [ -d "$app" ] || continue
  mkdir -p "$app/locale"
  (cd "$app" && $DJ makemessages -l zh_Hans --no-obsolete --no-location -v0)
done
# Project catalog: the portal package and templates/ (apps have their own).
$DJ makemessages -l zh_Hans --no-obsolete --no-location -v0 \
  --ignore='organizations/*' --ignore='members/*' --ignore='consultations/*' --ignore='proposals/*' \
  --ignore='reports/*' --ignore='.venv/*' --ignore='node_modules/*' --ignore='tests/*' --ignore='staticfiles/*' \
  --ignore='scripts/*' --ignore='bench/*'
$DJ compilemessages -v0 --ignore='.venv/*' --ignore='node_modules/*'
