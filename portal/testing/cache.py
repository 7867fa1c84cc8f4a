"""The test suite's Redis cache: every xdist worker (and the Celery workers it starts) writes
under its own key prefix, and `clear()` deletes only those keys — Django's own would FLUSHDB the
shared Redis database, dropping other workers' cache entries and the broker's queued tasks."""

from portal.cache import RedisCache


class WorkerRedisCache(RedisCache):
    def clear(self):
        client = self._cache.get_client(None, write=True)
        keys = list(client.scan_iter(match=self.make_key("*"), count=1000))
        if keys:
            client.delete(*keys)
        return True
