"""Settings read the environment through django-environ (portal/settings/env.py): every variable
keeps its name and default, and a bad value stops the start with a message naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings.env import PortalEnv

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(monkeypatch):
    reader = PortalEnv()
    monkeypatch.setattr(reader, "ENVIRON", {})
    return reader


def test_defaults_when_unset(env):
    assert env.int("PASSWORD_MIN_LENGTH", default=8) == 8
    assert env.bool("DEBUG", default=False) is False
    assert env.list("ALLOWED_HOSTS", default="127.0.0.1, localhost,,") == ["127.0.0.1", "localhost"]
    assert env.json("SMS_TEMPLATES", default={}) == {}
    assert env.str("SMS_PROTOCOL", default="https") == "https"


def test_values_are_read_and_cast(env):
    env.ENVIRON.update({"PASSWORD_MIN_LENGTH": " 12 ", "DEBUG": "On", "SECURE_SSL_REDIRECT": "0",
                        "AXES_COOLOFF_HOURS": "0.5", "SMS_TEMPLATES": '{"k": "SMS_1"}', "SMS_SIGN_NAME": "",
                        "EMAIL_HOST_PASSWORD": "$ecret with spaces "})
    assert env.int("PASSWORD_MIN_LENGTH", default=8) == 12
    assert env.bool("DEBUG", default=False) is True
    assert env.bool("SECURE_SSL_REDIRECT", default=True) is False
    assert env.float("AXES_COOLOFF_HOURS", default=0.25) == 0.5
    assert env.json("SMS_TEMPLATES", default={}) == {"k": "SMS_1"}
    assert env.str("SMS_SIGN_NAME", default="x") == ""
    # taken literally: no "$VAR" proxying, no stripping of a secret
    assert env.str("EMAIL_HOST_PASSWORD", default="") == "$ecret with spaces "


@pytest.mark.parametrize("name,value,reader,expected", [
    ("PASSWORD_MIN_LENGTH", "eight", "int", "is not a whole number"),
    ("PASSWORD_MIN_LENGTH", "", "int", "is not a whole number"),
    ("AXES_COOLOFF_HOURS", "quarter", "float", "is not a number"),
    ("DEBUG", "maybe", "bool", "is not a yes/no switch"),
    ("SMS_TEMPLATES", "{not json", "json", "is not JSON"),
])
def test_a_bad_value_is_a_clear_error(env, name, value, reader, expected):
    env.ENVIRON[name] = value
    with pytest.raises(ImproperlyConfigured) as exc:
        getattr(env, reader)(name, default=None)
    assert str(exc.value).startswith(f"{name}={value!r} {expected}"), str(exc.value)


def test_a_missing_required_value_names_the_variable(env):
    with pytest.raises(ImproperlyConfigured, match="Set the DATABASE_REPLICA_URL environment variable"):
        env.str("DATABASE_REPLICA_URL")


def test_the_settings_refuse_to_load_with_a_bad_value():
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.dev", "PASSWORD_MIN_LENGTH": "eight"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=environ,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ImproperlyConfigured: PASSWORD_MIN_LENGTH='eight' is not a whole number" in result.stderr
