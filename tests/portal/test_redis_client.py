"""portal/cache.py: the Redis cache keeps one redis client per connection pool instead of building
one per cache call, and still reads and writes as Django's backend does."""

import pytest
from django.core.cache import caches

from portal.cache import RedisCache


def _redis():
    backend = caches["default"]  # the backend itself (django.core.cache.cache is a proxy)
    if not isinstance(backend, RedisCache):
        pytest.skip("needs REDIS_URL (the Redis cache backend)")
    return backend


def test_one_client_per_pool_and_the_cache_still_works():
    backend = _redis()
    assert backend._cache.get_client() is backend._cache.get_client()
    assert backend._cache.get_client(write=True) is backend._cache.get_client("key", write=True)
    backend.set("portal-test:a b\x01", {"x": 1})  # Redis takes any key: no memcached key checks
    backend.set_many({"portal-test:c": 2, "portal-test:" + "d" * 300: 3})
    assert backend.get_many(["portal-test:a b\x01", "portal-test:c", "portal-test:" + "d" * 300]) == {
        "portal-test:a b\x01": {"x": 1}, "portal-test:c": 2, "portal-test:" + "d" * 300: 3}
    backend.delete_many(["portal-test:a b\x01", "portal-test:c", "portal-test:" + "d" * 300])
    assert backend.get("portal-test:c") is None
