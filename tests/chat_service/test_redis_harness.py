"""The Redis harness itself: our own server answers, and it is empty for each test."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.redis


def test_redis_fixture_serves_an_empty_db(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        assert client.ping()
        assert client.dbsize() == 0
        client.set("k", "v")
        assert client.get("k") == b"v"
    finally:
        client.close()


def test_each_test_gets_an_empty_db(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        assert client.get("k") is None
    finally:
        client.close()
