"""Production settings. Refuses to start without its secrets or with an unsafe configuration."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, SECRET_KEY, env_bool, env_list
from .env import env

DEBUG = False

_problems = []
if not env.str("SECRET_KEY", default="") or SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    _problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
if not env.str("DATABASE_URL", default="") or DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
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
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# SMTP with the handover record (notifications/handover.py): a reminder whose worker died after
# the server had the message is not sent a second time.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="notifications.handover.HandoverEmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
