"""Fixtures for the chat service tests: a real redis-server of our own, free loopback ports.

The Redis tests start their own `redis-server` on a free 127.0.0.1 port (no persistence, in a
temporary folder) and stop it at the end. Without the binary they are skipped with a visible
reason — except under CI=true, where a missing redis-server is a failure: CI must run them.
"""

from __future__ import annotations

import os
import re
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


def _bound() -> socket.socket:
    """A listening loopback socket on a port the OS picked, to hand to a server still open."""
    from interview_coach.chat.service.app import bind_socket

    return bind_socket("127.0.0.1", 0)


def _ping(port: int, password: str | None = None) -> bool:
    """A raw RESP PING, so the harness does not depend on the client library it helps test."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            if password:
                pw = password.encode()
                s.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(pw), pw))
                if not s.recv(64).startswith(b"+OK"):
                    return False
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A redis-server process this test session owns."""

    def __init__(self, binary: str, folder: Path, *, persistence: tuple[str, ...] = ("--save", "", "--appendonly", "no"),
                 extra: tuple[str, ...] = (), port: int | None = None) -> None:
        self.binary = binary
        self.port = port or free_port()
        self.folder = folder
        self.log = folder / "redis.log"
        self.args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", *persistence, "--dir", str(folder),
                     "--logfile", str(self.log), *extra]
        self.password: str | None = extra[extra.index("--requirepass") + 1] if "--requirepass" in extra else None
        self._start()

    def _start(self) -> None:
        self.proc = subprocess.Popen(self.args, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + REDIS_START_TIMEOUT_S
        while not _ping(self.port, self.password):
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

    def kill(self) -> None:
        """kill -9: no shutdown save."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def restart(self) -> None:
        """Start again on the same port with the same settings (after kill() or stop())."""
        self.stop()
        self._start()

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
def redis_factory(redis_server: RedisServer, tmp_path):
    """Start dedicated redis-servers (own port and folder, settings of the test's choosing); all stopped at the end."""
    started: list[RedisServer] = []

    def start(*, persistence: tuple[str, ...] = ("--save", "", "--appendonly", "no"),
              extra: tuple[str, ...] = ()) -> RedisServer:
        folder = tmp_path / f"redis-{len(started)}"
        folder.mkdir()
        server = RedisServer(redis_server.binary, folder, persistence=persistence, extra=extra)
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
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


class LiveServer:
    """A chat service on a free loopback port, served by uvicorn in a thread with its own loop.

    The deployment is opened inside that loop; `call(coro_fn)` runs a coroutine there (to issue
    a token with a custom expiry, read the store, or drain) and returns its result.
    """

    def __init__(self, opener, server_ids: tuple[str, ...] = ("A",)) -> None:
        import asyncio
        import threading

        self._opener = opener
        self.server_ids = server_ids
        # Bound here and handed to uvicorn open (see ServeProcess for the race a probed port has).
        self._sockets = {sid: _bound() for sid in server_ids}
        self.ports = {sid: sock.getsockname()[1] for sid, sock in self._sockets.items()}
        self.deployment = None
        self.apps: dict = {}
        self._servers: list = []
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._main, name="chat-live-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError("the chat service did not start in 20 s")
        if self._error is not None:
            raise self._error

    def url(self, server_id: str | None = None) -> str:
        return f"http://127.0.0.1:{self.ports[server_id or self.server_ids[0]]}"

    def _main(self) -> None:
        import asyncio

        asyncio.run(self._serve())

    async def _serve(self) -> None:
        import asyncio

        from interview_coach.chat.service.app import create_app, make_server, uvicorn_config

        self.loop = asyncio.get_running_loop()
        try:
            self.deployment = await self._opener()
            tasks = []
            for sid in self.server_ids:
                app = create_app(self.deployment, sid)
                self.apps[sid] = app
                server = make_server(uvicorn_config(app))
                self._servers.append(server)
                tasks.append(asyncio.create_task(server.serve(sockets=[self._sockets[sid]])))
            while not all(s.started for s in self._servers):
                if any(t.done() for t in tasks):
                    raise RuntimeError("uvicorn stopped while starting")
                await asyncio.sleep(0.01)
        except BaseException as exc:  # noqa: BLE001 - not swallowed: the test thread raises it
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        for sock in self._sockets.values():
            sock.close()
        await self.deployment.close()

    def call(self, fn, timeout: float = 10.0):
        import asyncio

        return asyncio.run_coroutine_threadsafe(fn(), self.loop).result(timeout)

    def service(self, server_id: str | None = None):
        return self.apps[server_id or self.server_ids[0]].state.chat

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True
        self._thread.join(15)


@pytest.fixture
def live_embedded(tmp_path):
    """An embedded chat service (one server, A) on a free loopback port."""
    from interview_coach.chat.service.engines.deployment import open_embedded

    server = LiveServer(lambda: open_embedded(tmp_path / "chat", servers=("A",)))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def live_embedded_pair(tmp_path):
    """Two embedded chat servers (A and B) of one deployment, each on its own port."""
    from interview_coach.chat.service.engines.deployment import open_embedded

    server = LiveServer(lambda: open_embedded(tmp_path / "chat", servers=("A", "B")), ("A", "B"))
    try:
        yield server
    finally:
        server.stop()


class ServeProcess:
    """`interview-coach serve ...` as a child process on a free loopback port."""

    _count = 0

    def __init__(self, *args: str, home: Path, port: int | None = None, env: dict | None = None) -> None:
        import sys

        # Without a port the child binds port 0 and wait_ready() reads the URL it prints: a port
        # probed free here could be taken (by any outgoing connection) before the child binds it.
        self._port = port
        ServeProcess._count += 1
        self.log = home / f"serve-{ServeProcess._count}.log"
        self._log = open(self.log, "w")  # noqa: SIM115 - the child writes to it until stop() closes it
        child_env = dict(os.environ, INTERVIEW_COACH_HOME=str(home), **(env or {}))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "interview_coach", "serve", "--port", str(port or 0), *args],
            stdout=self._log, stderr=subprocess.STDOUT, env=child_env,
        )

    @property
    def port(self) -> int:
        if self._port is None:
            found = re.search(r"^chat server \S+ \(.*?\) on http://127\.0\.0\.1:(\d+)", self.output(), re.M)
            if found is None:
                raise RuntimeError(f"serve has not printed its URL yet (call wait_ready first):\n{self.output()}")
            self._port = int(found.group(1))
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 20.0) -> ServeProcess:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if (self._port is not None or "http://" in self.output()) and \
                        httpx.get(self.url + "/healthz", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"serve did not answer /healthz in {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self._log.flush()
        return self.log.read_text(errors="replace")

    def terminate(self, timeout: float = 15.0) -> int:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.terminate(5)
        except subprocess.TimeoutExpired:
            self.kill()
        self._log.close()


@pytest.fixture
def serve_processes(tmp_path):
    """Start `interview-coach serve` children: spawn(*args) -> ServeProcess; all stopped at the end."""
    started: list[ServeProcess] = []

    def spawn(*args: str, port: int | None = None, env: dict | None = None) -> ServeProcess:
        process = ServeProcess(*args, home=tmp_path, port=port, env=env)
        started.append(process)
        return process

    try:
        yield spawn
    finally:
        for process in started:
            process.close()


def rss_mib(pid: int) -> float:
    """A process's resident memory (Linux /proc), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")
