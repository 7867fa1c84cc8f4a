"""The environment, read through django-environ (`env.int("X", default=…)`, `env.bool`, …), with
clear errors: a value that is not of the expected kind stops the start with
`ImproperlyConfigured: PASSWORD_MIN_LENGTH='eight' is not a whole number` instead of a bare
ValueError deep in a settings file (or, for a yes/no switch, silently meaning "no").

Two deliberate differences from a plain `environ.Env()`:

- values are taken literally: django-environ would read a value starting with `$` as the name of
  another variable, which would silently change a secret or password that starts with `$`;
- yes/no switches accept only 1/true/yes/on and 0/false/no/off (any case, or empty for "no");
  anything else is an error rather than "no".
"""

from __future__ import annotations

import json

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off", ""})
_KINDS = {int: "a whole number", float: "a number", bool: "a yes/no switch (true/false, 1/0, yes/no, on/off)",
          json.loads: "JSON"}


class PortalEnv(environ.Env):
    NOTSET = environ.Env.NOTSET

    def get_value(self, var, cast=None, default=NOTSET, parse_default=False):
        if var not in self.ENVIRON:
            if default is self.NOTSET:
                raise ImproperlyConfigured(f"Set the {var} environment variable")
            return default
        raw = self.ENVIRON[var]
        if cast is None or cast is str:
            return raw
        if cast is bool:
            value = raw.strip().lower()
            if value not in TRUE | FALSE:
                raise ImproperlyConfigured(f"{var}={raw!r} is not {_KINDS[bool]}")
            return value in TRUE
        try:
            return self.parse_value(raw.strip(), cast)
        except (ValueError, TypeError) as exc:
            kind = _KINDS.get(cast, getattr(cast, "__name__", str(cast)))
            raise ImproperlyConfigured(f"{var}={raw!r} is not {kind}") from exc

    def json(self, var, default=NOTSET):
        """JSON; an empty value is the default (as an unset one)."""
        if not self.ENVIRON.get(var, "").strip():
            return {} if default is self.NOTSET else default
        return self.get_value(var, cast=json.loads, default=default)

    def list(self, var, cast=None, default=NOTSET):
        """Comma-separated, items stripped, empty items dropped. `default` is a string or a list."""
        raw = self.get_value(var, default=default)
        items = raw.split(",") if isinstance(raw, str) else list(raw)
        return [item.strip() for item in items if item.strip()]


env = PortalEnv()
