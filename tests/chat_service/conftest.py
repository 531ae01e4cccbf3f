"""Fixtures for the chat service tests: a real redis-server of our own, free loopback ports.

The Redis tests start their own `redis-server` on a free 127.0.0.1 port (no persistence, in a
temporary folder) and stop it at the end. Without the binary they are skipped with a visible
reason — except under CI=true, where a missing redis-server is a failure: CI must run them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REDIS_START_TIMEOUT_S = 10.0


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it; there is a tiny reuse race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ping(port: int) -> bool:
    """A raw RESP PING, so the harness does not depend on the client library it helps test."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A redis-server process this test session owns."""

    def __init__(self, binary: str, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.log = folder / "redis.log"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(folder), "--logfile", str(self.log)],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + REDIS_START_TIMEOUT_S
        while not _ping(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
                raise RuntimeError(f"redis-server did not answer PING on 127.0.0.1:{self.port}\n{log}")
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def flush(self) -> None:
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port)
        try:
            client.flushall()
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    """One redis-server for the session (each test that uses `redis_url` starts from an empty db)."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = ("redis-server is not on PATH; install it (Debian/Ubuntu: sudo apt-get install redis-server, "
                  "macOS: brew install redis) to run the Redis tests")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but " + reason, pytrace=False)
        pytest.skip(reason)
    server = RedisServer(binary, tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of the session's redis-server, emptied for this test."""
    redis_server.flush()
    return redis_server.url


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (`@pytest.mark.anyio`) run on asyncio, the loop the service runs on."""
    return "asyncio"
