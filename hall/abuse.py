"""Abuse resistance for public forms: rate limits, an offline arithmetic challenge, photo sanitising.

Rate limits count in Django's cache (Redis in production and CI, local memory otherwise) with a
fixed window per key; a key is the client IP or the account. The challenge is a sum rendered by
the server and signed, so it needs no third-party service and works on offline intranets; a
solved challenge cannot be replayed (its nonce is burnt in the cache)."""

from __future__ import annotations

import hashlib
import io
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

from portal.errors import DomainError

# Limits: (how many, per seconds). Settings may override them (HALL_RATE_LIMITS).
DEFAULT_LIMITS = {
    "submit": (5, 3600),
    "comment": (10, 600),
    "support": (60, 600),
    "report": (20, 3600),
    "question": (5, 600),
    "rate": (20, 3600),
    "signup": (5, 3600),
    "answer": (10, 3600),
    # Departments' official answers (官方答复): per staff account only — a department answers
    # hundreds of residents' comments in a sitting, often from one office IP that residents'
    # per-IP limits would block.
    "official_answer": (600, 3600),
}
ACCOUNT_ONLY = {"official_answer"}
CHALLENGE_MAX_AGE = 3600  # seconds
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 3
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 1600  # re-encoded photos are at most this wide/high
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


class RateLimited(DomainError):
    status_code = 429

    def __init__(self):
        super().__init__(_("Too many attempts in a short time. Please wait a while and try again."),
                         code="rate_limited")


def client_ip(request) -> str:
    # Behind the production proxy REMOTE_ADDR is set by gunicorn's forwarded-allow-ips; we never
    # trust a client-supplied X-Forwarded-For here.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _prefix() -> str:
    # Settings may separate counters (tests running in parallel against one Redis use their own).
    return getattr(settings, "HALL_CACHE_PREFIX", "hall")


def _limits(action: str) -> tuple[int, int]:
    return getattr(settings, "HALL_RATE_LIMITS", {}).get(action, DEFAULT_LIMITS[action])


def _hit(key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def check_rate(request, action: str) -> None:
    """Count one attempt of `action` for the client's IP and, when signed in, for the account;
    raise RateLimited when either is over its limit. ACCOUNT_ONLY actions count the account only
    (they require a signed-in user)."""
    limit, window = _limits(action)
    ip_key = hashlib.sha256(client_ip(request).encode()).hexdigest()[:24]
    keys = [] if action in ACCOUNT_ONLY else [f"{_prefix()}:rl:{action}:ip:{ip_key}"]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        keys.append(f"{_prefix()}:rl:{action}:u:{user.pk}")
    over = False
    for key in keys:
        if _hit(key, window) > limit:
            over = True
    if over:
        raise RateLimited()


# --- Arithmetic challenge ------------------------------------------------------------------------

_SALT = "hall.challenge"


def new_challenge() -> dict:
    """{'question': '3 + 4', 'token': signed}: the token carries the answer and a one-time nonce."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"s": a + b, "n": secrets.token_hex(8)}, salt=_SALT, compress=True)
    return {"question": f"{a} + {b}", "token": token}


def verify_challenge(token: str, answer) -> bool:
    try:
        data = signing.loads(token or "", salt=_SALT, max_age=CHALLENGE_MAX_AGE)
        given = int(str(answer).strip())
    except (signing.BadSignature, ValueError, TypeError):
        return False
    if not isinstance(data, dict) or data.get("s") != given:
        return False
    # Burn the nonce so one solved challenge cannot be replayed by a script.
    return cache.add(f"{_prefix()}:ch:{data.get('n')}", 1, timeout=CHALLENGE_MAX_AGE)


# --- Photos --------------------------------------------------------------------------------------


def sanitize_photo(upload) -> tuple[bytes, int, int]:
    """Check size and type, decode with Pillow and re-encode as JPEG without any metadata (EXIF
    GPS positions, camera serials). Returns (jpeg bytes, width, height) or raises DomainError."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if upload.size > MAX_PHOTO_BYTES:
        raise DomainError(_("A photo may be at most %(mb)d MB.") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)},
                          field="photos")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise DomainError(_("Only JPEG, PNG, WebP or GIF photos are accepted."), field="photos")
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError(_("This photo is too large."), field="photos")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            img.seek(0)
            img = ImageOps.exif_transpose(img)
            img = img.convert("RGB")  # drops alpha, palette and every info chunk
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=82, optimize=True)  # no exif= → no metadata
            return out.getvalue(), img.width, img.height
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DomainError(_("This file is not a readable photo."), field="photos")
