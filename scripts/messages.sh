#!/usr/bin/env bash
# Refresh and compile the translation catalogs: one per app (its own locale/) plus the project's
# (portal package and the shared templates). Needs GNU gettext (apt-get install gettext).
# --no-compile: extract only (the translations test checks the extracted catalogs this way).
# One Python process runs every makemessages (`django-admin makemessages` in each app's folder,
# without starting Django eight times).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=portal.settings.dev PYTHONPATH=$(pwd)
exec .venv/bin/python - "$@" <<'PY'
import os
import sys

import django

django.setup()
from django.core.management import call_command  # noqa: E402

APPS = ["organizations", "notifications", "members", "consultations", "proposals", "hall", "reports"]
ROOT = os.getcwd()
OPTIONS = {"locale": ["zh_Hans"], "no_obsolete": True, "no_location": True, "verbosity": 0}
for app in APPS:
    if not os.path.isdir(app):
        continue
    os.makedirs(os.path.join(app, "locale"), exist_ok=True)
    os.chdir(os.path.join(ROOT, app))  # as `cd app && django-admin makemessages`
    try:
        call_command("makemessages", **OPTIONS)
    finally:
        os.chdir(ROOT)
# Project catalog: the portal package and templates/ (apps have their own).
call_command("makemessages", **OPTIONS, ignore_patterns=[
    *(f"{app}/*" for app in APPS), ".venv/*", "node_modules/*", "tests/*", "staticfiles/*", "scripts/*", "bench/*"])
if "--no-compile" not in sys.argv[1:]:
    call_command("compilemessages", verbosity=0, ignore_patterns=[".venv/*", "node_modules/*"])
PY
