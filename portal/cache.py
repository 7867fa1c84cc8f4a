"""Django's Redis cache backend, keeping its redis client: Django's `RedisCacheClient.get_client`
builds a new `redis.Redis` on every cache call (redis-py copies ~160 response callbacks into it
and sets up its event dispatcher: ~200 Python calls, ~0.1 ms), and every request reads the cache
at least once (the session, portal/accounts/sessions.py). A `redis.Redis` is safe to share between
threads — it takes a connection from its pool for each command — so one client per connection
pool does the same work. The keys are not checked for memcached's limits (spaces, control
characters, 250 characters): they do not apply to Redis, and the check walked every character of
every key in Python."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as _DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as _DjangoRedisCacheClient


class RedisCacheClient(_DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, tuple] = {}  # id(pool) -> (pool, client)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        found = self._clients.get(id(pool))
        if found is None or found[0] is not pool:
            found = self._clients[id(pool)] = (pool, self._client(connection_pool=pool))
        return found[1]


class RedisCache(_DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        """Redis takes any key (see the module's doc)."""
