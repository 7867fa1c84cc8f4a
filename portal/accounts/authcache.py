"""Who is signed in, across requests, without a database round trip on a steady request.

Every page needs the session, the user, the user's roles and whether they owe a second factor:
four queries before the view starts. With a shared cache (Redis, settings.PORTAL_AUTH_CACHE)
the session engine (`portal.accounts.sessions`, Django's cached_db) reads, in one round trip, the
session, this module's *entry* for the session and the *generation*:

- the entry (key: the session key) holds the user's row (without the password hash, which stays
  deferred and is read from the database only if something asks for it), the session hash it was
  checked against, and the per-user attributes the apps carry across requests (`carry(...)`:
  the role paths and per-unit grants of `organizations.permissions`, the two-factor requirement);
- the generation is one token for the whole portal, replaced whenever anything that decides who
  someone is or what they may do changes: a user saved or deleted (not a login's `last_login`),
  a role assigned or revoked, a unit saved, moved or deleted, a per-unit grant, a unit setting
  (`invalidate_on(...)` connects the models' signals; writes that send no signals, such as
  `orgunit_move`'s UPDATE of a subtree, call `changed()`). An entry is used only while the
  generation it was built under is current, so such a change takes effect on the very next
  request of every user. The token is replaced at once and again when the transaction commits,
  so a request that read the old rows while the change was being written never keeps them.

API clients signing in with a token (`Authorization: Token …`, `portal.api.authentication`) get
the same: an entry per token (keyed by a hash of the token, never the token itself) with the
user's row and the carried attributes, used under the same generation; a token deleted or
replaced starts a new generation like any other change.

An entry also expires after settings.PORTAL_AUTH_CACHE_SECONDS. Without a shared cache (the
embedded default's per-process memory cache) this is off: a change in one worker process could
not reach the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.crypto import constant_time_compare

GENERATION_KEY = "portal:auth:generation"
ENTRY_PREFIX = "portal:auth:session:"
TOKEN_PREFIX = "portal:auth:token:"

# (attribute on the user object, function computing it): the apps' per-user answers carried over
_carried: list[tuple[str, Callable[[object], object]]] = []


def enabled() -> bool:
    return bool(getattr(settings, "PORTAL_AUTH_CACHE", False))


def _cache():
    return caches[getattr(settings, "SESSION_CACHE_ALIAS", "default")]


def entry_key(session_key: str) -> str:
    return ENTRY_PREFIX + session_key


def token_entry_key(token_key: str) -> str:
    return TOKEN_PREFIX + hashlib.sha256(token_key.encode()).hexdigest()


def carry(attr: str, compute: Callable[[object], object]) -> None:
    """Keep `user.<attr>` across requests: `compute(user)` sets it (and may return it) on a miss."""
    if all(a != attr for a, _ in _carried):
        _carried.append((attr, compute))


# --- invalidation ---------------------------------------------------------------------------

def _new_generation() -> None:
    with contextlib.suppress(Exception):  # the cache down: entries cannot be read either
        _cache().set(GENERATION_KEY, uuid.uuid4().hex, None)


def changed(**_kwargs) -> None:
    """Something that decides who a user is or what they may do changed: no entry built before
    it is used again (now, and once more when the transaction commits)."""
    if not enabled():
        return
    _new_generation()
    transaction.on_commit(_new_generation)


def _on_save(sender, created=False, update_fields=None, **kwargs):
    if created and sender in _NEW_ROWS_IGNORED:
        return
    if update_fields is not None and set(update_fields) <= _IGNORED_UPDATES.get(sender, set()):
        return
    changed()


_IGNORED_UPDATES: dict[type, set[str]] = {}
_NEW_ROWS_IGNORED: set[type] = set()


def invalidate_on(*models, ignore_updates: tuple[str, ...] = (), ignore_new: bool = False) -> None:
    """Every save and delete of these models starts a new generation — but not a save of only the
    fields in `ignore_updates` (e.g. a login's `last_login`), nor, with `ignore_new`, a new row
    (a new user or unit: no session and no role refers to it yet)."""
    for model in models:
        if ignore_updates:
            _IGNORED_UPDATES[model] = set(ignore_updates)
        if ignore_new:
            _NEW_ROWS_IGNORED.add(model)
        uid = f"portal.authcache.{model._meta.label}"
        post_save.connect(_on_save, sender=model, dispatch_uid=uid + ".save", weak=False)
        post_delete.connect(changed, sender=model, dispatch_uid=uid + ".delete", weak=False)
        for field in model._meta.many_to_many:
            m2m_changed.connect(changed, sender=field.remote_field.through, dispatch_uid=f"{uid}.{field.name}",
                                weak=False)


# --- reading --------------------------------------------------------------------------------

def _user_fields() -> list[str]:
    return [f.attname for f in get_user_model()._meta.concrete_fields if f.attname != "password"]


def _cached_user(session, prefetched):
    entry, generation = prefetched
    if not entry or (entry.get("uid") != str(session.get(SESSION_KEY))
                     or entry.get("backend") != session.get(BACKEND_SESSION_KEY)
                     or not constant_time_compare(entry.get("hash") or "", session.get(HASH_SESSION_KEY) or "-")):
        return None
    return _user_from(entry, generation)


def _user_from(entry, generation):
    """The user an entry describes, if it was built under the current generation, else None."""
    if not entry or generation is None or entry.get("generation") != generation:
        return None
    fields = _user_fields()
    if entry.get("fields") != fields:  # the user model changed since the entry was written
        return None
    user = get_user_model().from_db("default", fields, entry["values"])  # password deferred
    for attr, value in entry["carried"].items():
        setattr(user, attr, value)
    return user


def _entry_for(user, generation, **extra) -> dict:
    carried = {}
    for attr, compute in _carried:
        compute(user)
        carried[attr] = getattr(user, attr)
    fields = _user_fields()
    return {"generation": generation, "fields": fields, "values": [getattr(user, name) for name in fields],
            "carried": carried, **extra}


def token_user(token_key: str, authenticate: Callable[[], tuple]) -> tuple:
    """(user, token) for an API token: from its entry when current, else `authenticate()` (the
    database, which also refuses an unknown token or an inactive user) and the entry is written."""
    key = token_entry_key(token_key)
    try:
        found = _cache().get_many([key, GENERATION_KEY])
    except Exception:  # noqa: BLE001 - the cache down: the database answers
        found = None
    if found is not None:
        user = _user_from(found.get(key), found.get(GENERATION_KEY))
        if user is not None:
            from rest_framework.authtoken.models import Token

            token = Token(key=token_key, user_id=user.pk)
            token.user = user
            return user, token
    user, token = authenticate()
    if found is None:
        return user, token
    generation = found.get(GENERATION_KEY)
    with contextlib.suppress(Exception):  # the cache down: the database answered
        if generation is None:  # first use, or the cache lost it: start one, cache from the next request
            _cache().add(GENERATION_KEY, uuid.uuid4().hex, None)
        else:
            _cache().set(key, _entry_for(user, generation), getattr(settings, "PORTAL_AUTH_CACHE_SECONDS", 300))
    return user, token


def request_generation(request) -> str | None:
    """The generation this request read with its session (None: the cache is off, was not read, or
    holds none yet). Anything kept per generation is as current as the request's signed-in user."""
    if not enabled():
        return None
    prefetched = getattr(getattr(request, "session", None), "auth_prefetch", None)
    return prefetched[1] if prefetched is not None else None


def get_user(request):
    """request.user: from the entry when it is current, else as Django reads it (and the entry is
    written for the next request)."""
    session = request.session
    session_user = session.get(SESSION_KEY)  # loads the session (and the prefetched entry)
    prefetched = getattr(session, "auth_prefetch", None)
    if session_user is not None and prefetched is not None:
        user = _cached_user(session, prefetched)
        if user is not None:
            return user
    user = auth.get_user(request)
    if prefetched is None or not user.is_authenticated or session.session_key is None:
        return user
    generation = prefetched[1]
    if generation is None:  # first use, or the cache lost it: start one, cache from the next request
        with contextlib.suppress(Exception):
            _cache().add(GENERATION_KEY, uuid.uuid4().hex, None)
        return user
    entry = _entry_for(user, generation, uid=str(user.pk), backend=session.get(BACKEND_SESSION_KEY),
                       hash=session.get(HASH_SESSION_KEY))
    with contextlib.suppress(Exception):  # the cache down: the database answered
        _cache().set(entry_key(session.session_key), entry, getattr(settings, "PORTAL_AUTH_CACHE_SECONDS", 300))
    return user
