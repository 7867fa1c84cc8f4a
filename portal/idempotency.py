"""Nothing twice: a create request takes effect once, however often it arrives.

Two keys make a POST idempotent:

- HTML forms carry a one-time token (`{% once_token %}`, rendered by `portal/_form.html` into
  every form, field name `_once`);
- API clients send an `Idempotency-Key` header (any string of 1–100 visible characters).

`IdempotencyMiddleware` writes an `IdempotencyRecord` (key, caller, route) *before* the view
runs. A second request with the same key finds the row (unique constraint): if the first one
finished, it gets the first response again (a form's redirect to the record it created, the
API's 201 body); if the first one is still running, it waits for it. Responses that failed
(4xx/5xx) are forgotten, so the user can correct the form and send it again. Records live in
the database (every web worker sees them) for `PORTAL_IDEMPOTENCY_TTL` seconds (a day); the
beat task `portal.idempotency_prune` deletes older ones.
"""

import hashlib
import json
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

FORM_FIELD = "_once"
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100
MAX_STORED_BODY = 1024 * 1024


def new_token() -> str:
    return uuid.uuid4().hex


def ttl() -> timedelta:
    return timedelta(seconds=getattr(settings, "PORTAL_IDEMPOTENCY_TTL", 24 * 3600))


def prune() -> int:
    """Delete records older than the time to live; returns how many."""
    from .models import IdempotencyRecord

    deleted, _unused = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - ttl()).delete()
    return deleted


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isprintable() and key.isascii() and not key.isspace()


class IdempotencyMiddleware:
    """Replays the first response to a repeated POST instead of running the view again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        if _is_api(request):
            key = request.headers.get(HEADER)
            if key is None:
                return self.get_response(request)
            key = key.strip()
            if not _valid_key(key):
                return self._error(request, 400, _("The Idempotency-Key header must be 1 to 100 visible ASCII "
                                                   "characters."))
            fingerprint = hashlib.sha256(request.body).hexdigest()
        else:
            if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
                return self.get_response(request)
            key = request.POST.get(FORM_FIELD, "").strip()
            if not _valid_key(key):
                return self.get_response(request)
            fingerprint = ""
        user = getattr(request, "user", None)
        owner = f"u{user.pk}" if user is not None and user.is_authenticated else "anon"
        return self._once(request, key=key, owner=owner, route=request.path[:300], fingerprint=fingerprint)

    def _once(self, request, *, key, owner, route, fingerprint):
        from .models import IdempotencyRecord

        wait = getattr(settings, "PORTAL_IDEMPOTENCY_WAIT", 15)
        abandoned_after = timedelta(seconds=getattr(settings, "PORTAL_IDEMPOTENCY_ABANDONED", 120))
        deadline = time.monotonic() + wait
        while True:
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(key=key, owner=owner, route=route,
                                                              fingerprint=fingerprint)
                break
            except IntegrityError:
                pass
            existing = IdempotencyRecord.objects.filter(key=key, owner=owner, route=route).first()
            if existing is None:
                continue  # the first request failed and let go of the key: run this one
            age = timezone.now() - existing.created_at
            if age > ttl() or (not existing.completed and age > abandoned_after):
                # Expired, or its worker died mid-request: take the key over.
                IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
                continue
            if existing.completed:
                if existing.fingerprint != fingerprint:
                    return self._error(request, 422, _("This Idempotency-Key was already used for a different "
                                                       "request. Use a new key for a new request."))
                return self._replay(request, existing)
            if time.monotonic() > deadline:
                return self._error(request, 409, _("The same request is still being processed. Wait a moment "
                                                   "and reload the page."))
            time.sleep(0.05)

        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        body = b"" if response.streaming else response.content
        if response.status_code >= 400 or response.streaming or len(body) > MAX_STORED_BODY:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        content_type = response.get("Content-Type", "")
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            completed=True, status_code=response.status_code, location=response.get("Location", "")[:1000],
            content_type=content_type[:200],
            body=body,
        )
        return response

    @staticmethod
    def _replay(request, record):
        response = HttpResponse(bytes(record.body), status=record.status_code,
                                content_type=record.content_type or "text/html; charset=utf-8")
        if record.location:
            response["Location"] = record.location
        response["Idempotent-Replayed"] = "true"
        if not _is_api(request) and 300 <= record.status_code < 400:
            messages.info(request, _("This form had already been sent. Here is its result; nothing was saved "
                                     "twice."))
        return response

    @staticmethod
    def _error(request, status, message):
        if _is_api(request):
            return HttpResponse(json.dumps({"detail": message}, ensure_ascii=False), status=status,
                                content_type="application/json")
        html = render_to_string("portal/error.html", {"status": status, "message": message}, request=request)
        return HttpResponse(html, status=status)
