"""The session engine with a shared cache (settings.SESSION_ENGINE when REDIS_URL is set): Django's
cached_db — the session is read from the cache and written to both — whose one cache read also
fetches the signed-in user's entry and the generation of `portal.accounts.authcache`, so a steady
request learns who is signed in, their roles and their two-factor requirement without a database
round trip. A session missing from the cache is read from the database, as with cached_db."""

from __future__ import annotations

import contextlib

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from . import authcache


class SessionStore(CachedDBStore):
    auth_prefetch = None  # (entry, generation) read with the session; None: not read

    def load(self):
        keys = [self.cache_key, authcache.entry_key(self._get_or_create_session_key()), authcache.GENERATION_KEY]
        try:
            found = self._cache.get_many(keys)
        except Exception:  # noqa: BLE001 - as cached_db: an unusable cache reads the database
            found = {}
        else:
            self.auth_prefetch = (found.get(keys[1]), found.get(keys[2]))
        data = found.get(keys[0])
        if data is None:
            s = self._get_session_from_db()
            if s:
                data = self.decode(s.session_data)
                self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=s.expire_date))
            else:
                data = {}
        return data

    def delete(self, session_key=None):
        key = session_key or self.session_key
        super().delete(session_key)
        if key:
            with contextlib.suppress(Exception):  # the entry expires by itself; the session row is gone
                self._cache.delete(authcache.entry_key(key))
