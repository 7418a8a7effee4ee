"""The Redis cache of the deployment (ketenregie.common.cache): one client per connection pool."""

from __future__ import annotations

import threading

from ketenregie.common.cache import RedisCache


def test_the_redis_cache_keeps_one_client_and_works_from_threads(redis_url):
    cache = RedisCache(redis_url, {"KEY_PREFIX": "test-cache"})
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client, "the same client for every call"

    cache.set("answer", {"n": 42}, timeout=30)
    assert cache.get("answer") == {"n": 42}
    assert cache.get_many(["answer", "missing"]) == {"answer": {"n": 42}}
    results, errors = [], []

    def work(i: int):
        try:
            cache.set(f"k{i}", i, timeout=30)
            results.append(cache.get(f"k{i}"))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(results) == list(range(8))
    cache.delete_many(["answer", *(f"k{i}" for i in range(8))])
    assert cache.get("answer") is None
