#!/usr/bin/env bash
# Refresh and compile the translation catalogs: one per app (its own locale/) plus the project's
# (portal package and the shared templates). Needs GNU gettext (apt-get install gettext).
set -euo pipefail
cd "$(dirname "$0")/.."
DJ=$(pwd)/.venv/bin/django-admin
export DJANGO_SETTINGS_MODULE=portal.settings.dev PYTHONPATH=$(pwd)
APPS="organizations notifications members consultations proposals hall reports"
for app in $APPS; do
  [ -d "$app" ] || continue
  mkdir -p "$app/locale"
  (cd "$app" && $DJ makemessages -l zh_Hans --no-obsolete --no-location -v0)
done
# Project catalog: the portal package and templates/ (apps have their own).
$DJ makemessages -l zh_Hans --no-obsolete --no-location -v0 \
  $(for app in $APPS; do printf -- "--ignore=%s/* " "$app"; done) --ignore='.venv/*' --ignore='node_modules/*' --ignore='tests/*' --ignore='staticfiles/*' \
  --ignore='scripts/*' --ignore='bench/*'
$DJ compilemessages -v0 --ignore='.venv/*' --ignore='node_modules/*'
