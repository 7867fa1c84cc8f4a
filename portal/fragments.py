"""Hot list rows rendered by Jinja2 (Django's backend, settings.TEMPLATES "jinja2"): a 30-row table
body printed through Django templates resolves and escapes each of ~300 variables through its
node machinery (≈ 2 ms of CPU per page, a fifth of a queue's request); Jinja2 compiles the same
loop to Python. Only the rows go through it — the page around them stays a Django template.

Rules for the row templates (`<app>/jinja2/<app>/_*_rows.html`):
- they print values the view prepared (links, labels, dates: `portal.rows`, `portal.links`) and
  hold no translatable text — `makemessages` does not read Jinja templates; anything to translate
  is translated in Python (gettext) or printed by the Django template around the rows;
- every printed value is escaped exactly as Django escapes it (`conditional_escape`: `&#x27;` and
  `&quot;`, not markupsafe's `&#39;`/`&#34;`), so the HTML is byte for byte what a Django
  template printed: the environment's `finalize` escapes (Jinja's own autoescape is off, so a
  value is escaped once, without markupsafe wrappers)."""

from __future__ import annotations

import html

from django.template import engines
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from jinja2 import Environment


def _as_django(value) -> str:
    """Print as Django's `{{ value }}` does: local time, localized numbers, Django's escaping (the
    environment does not autoescape — this is its escaping, applied to every printed value)."""
    if type(value) is str:  # most cells: Django's escape is html.escape
        return html.escape(value)
    return conditional_escape(localize(template_localtime(value)))


def environment(**options) -> Environment:
    options["autoescape"] = False  # every value goes through _as_django, which escapes it
    env = Environment(**options)
    env.finalize = _as_django
    return env


def render_rows(name: str, **context) -> SafeString:
    """The rows of `name` (a Jinja2 template) as safe HTML for a Django template."""
    return mark_safe(engines["jinja2"].env.get_template(name).render(context))
