"""Production settings. Refuses to start without its secrets or with an unsafe configuration."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, SECRET_KEY, env_bool, env_list

DEBUG = False

_problems = []
if not os.environ.get("SECRET_KEY") or SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    _problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
if not os.environ.get("DATABASE_URL") or DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    _problems.append("DATABASE_URL must point to PostgreSQL")
if not REDIS_URL:
    _problems.append("REDIS_URL must be set (Celery broker and cache)")
if not env_list("ALLOWED_HOSTS"):
    _problems.append("ALLOWED_HOSTS must list the portal's host names")
if env_bool("DEBUG", False):
    _problems.append("DEBUG must be off in production")
if _problems:
    raise ImproperlyConfigured("Unsafe production configuration: " + "; ".join(_problems))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# SMTP with the handover record (notifications/handover.py): a reminder whose worker died after
# the server had the message is not sent a second time.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "notifications.handover.HandoverEmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
