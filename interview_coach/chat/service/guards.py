"""What keeps one hostile client from costing the service memory, sockets or everyone's turn.

* **Bodies**: every HTTP route has a body limit (`body_limit`). `BodyGuard`, an ASGI middleware
  in front of the app, refuses a declared `Content-Length` over it with 413 before reading a
  byte, cuts off a chunked body at the limit, and checks the bearer token of every route that
  needs one *before* the body is read — so a 600 MB upload with a bad token costs a few
  kilobytes of buffer, not 600 MB. (The presigned PUT checks its URL signature first, in the
  route, for the same reason.)
* **Handshakes**: `GuardedH11Protocol` answers an upgrade request whose URL or headers are too
  long with 414/431 and closes (the WebSocket library would otherwise drop it without an
  answer and keep the socket), and closes a connection that has not sent a whole request
  within `HANDSHAKE_TIMEOUT_S` (slow-loris).
* **Rates**: `RateLimiter` keeps two token buckets per user on this server — messages and
  frames of any kind — and says how long to wait when one is empty.

Send-queue limits (a client that does not read) live with the connection, in app.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KiB = 1024
MiB = 1024 * KiB

# Per route (method, path prefix) → the largest body accepted, in bytes.
BODY_LIMITS: tuple[tuple[str, str, int], ...] = (
    ("POST", "/v1/sessions", 4 * KiB),
    # 10,000 characters of text, each up to 6 bytes as a JSON \u escape, plus the envelope.
    ("POST", "/v1/messages", 128 * KiB),
    ("POST", "/v1/groups", 8 * MiB),  # up to 100,000 member names
    ("POST", "/v1/media/uploads", 16 * KiB),
    ("PUT", "/v1/media/objects/", 25 * MiB),  # one presigned PUT; the signed size is checked too
)
DEFAULT_BODY_LIMIT = 16 * KiB
# Routes that need no bearer token (login, health, metrics, docs, the presigned PUT whose URL is the grant).
PUBLIC_PREFIXES = ("/v1/sessions", "/v1/media/objects/", "/healthz", "/metrics", "/openapi.json", "/docs", "/redoc")

MAX_HANDSHAKE_URL = 4 * KiB  # a token is ~200 characters; 4 KiB is generous
MAX_HANDSHAKE_HEADERS = 16 * KiB
HANDSHAKE_TIMEOUT_S = 10.0
# After refusing a body it has not read, the server keeps discarding it this long (or this
# much), so the refusal reaches the client instead of being lost to a TCP reset.
LINGER_S = 2.0
LINGER_BYTES = 64 * MiB

DEFAULT_MESSAGE_RATE = 20.0  # messages per second per user, sustained...
DEFAULT_MESSAGE_BURST = 200  # ...after a burst of this many
DEFAULT_FRAME_RATE = 200.0  # frames of any kind (pings, receipts, typing) per second per user
DEFAULT_FRAME_BURST = 1000
# Frames waiting for one client that does not read: past either limit it is disconnected
# (close code 1013, "try again later") and its queue is freed; it catches up by sync.
OUTBOUND_QUEUE_BYTES = 1 * MiB
OUTBOUND_QUEUE_FRAMES = 10_000
# A client that keeps sending after being told to slow down is disconnected (1008) after this
# many refused frames in a row.
MAX_REFUSED_IN_A_ROW = 500


@dataclass(frozen=True)
class ServiceLimits:
    """The per-server limits of `serve`; 0 for a rate turns that limit off."""

    message_rate: float = DEFAULT_MESSAGE_RATE
    message_burst: int = DEFAULT_MESSAGE_BURST
    frame_rate: float = DEFAULT_FRAME_RATE
    frame_burst: int = DEFAULT_FRAME_BURST
    outbound_bytes: int = OUTBOUND_QUEUE_BYTES
    outbound_frames: int = OUTBOUND_QUEUE_FRAMES
    public_metrics: bool = False  # /metrics for anyone (default: loopback peers and the metrics token)


def body_limit(method: str, path: str) -> int:
    for m, prefix, limit in BODY_LIMITS:
        if method == m and (path == prefix or (prefix.endswith("/") and path.startswith(prefix))):
            return limit
    return DEFAULT_BODY_LIMIT


def needs_token(path: str) -> bool:
    return path.startswith("/v1/") and not path.startswith(PUBLIC_PREFIXES)


def _error_body(code: str, message: str, hint: str | None = None) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "hint": hint}}).encode()


async def send_json(send: Callable[[dict[str, Any]], Any], status: int, body: bytes,
                    headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class BodyGuard:
    """ASGI middleware: body limits per route, and the bearer token checked before the body is read.

    `verify(token) -> str` raises an error with `.code` and `.message` for a bad token;
    `on_refused(code)` counts refusals for /metrics.
    """

    def __init__(self, app: Any, verify: Callable[[str | None], str], on_refused: Callable[[str], None]) -> None:
        self.app = app
        self.verify = verify
        self.on_refused = on_refused

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        limit = body_limit(method, path)
        length: str | None = None
        authorization: str | None = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value.decode("latin-1")
            elif name == b"authorization":
                authorization = value.decode("latin-1")
        if length is not None and (not length.isdigit() or int(length) > limit):
            self.on_refused("too_large")
            await send_json(send, 413, _error_body(
                "too_large", f"a {length[:20]}-byte body is over the {limit:,}-byte limit of {method} {path[:60]}",
                "send less; files go through POST /v1/media/uploads"))
            return
        if needs_token(path):
            token = authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else None
            try:
                self.verify(token)
            except Exception as exc:  # noqa: BLE001 - any refusal (AuthError) is a 401, before a byte of the body is read
                code = getattr(exc, "code", "bad_token")
                self.on_refused(code)
                await send_json(send, 401, _error_body(code, str(getattr(exc, "message", exc))),
                                [(b"www-authenticate", f'Bearer error="{code}"'.encode())])
                return
        received = 0
        refused = False

        async def limited_receive() -> dict[str, Any]:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    self.on_refused("too_large")
                    await send_json(send, 413, _error_body(
                        "too_large", f"the body is over the {limit:,}-byte limit of {method} {path[:60]}",
                        "send less; files go through POST /v1/media/uploads"))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            if not refused:  # once refused, the app's own answer (to a "disconnect") goes nowhere
                await send(message)

        await self.app(scope, limited_receive, guarded_send)


# ---------------------------------------------------------------------- handshakes


def guarded_h11_protocol() -> type:
    """uvicorn's h11 protocol with limits on the request line, the headers and the time to send
    them, and a lingering close after a refused body."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class LingeringTransport:
        """The connection's transport, except that closing it while the client is still sending
        a body half-closes instead: the answer (a 413 or 401 sent before the body was read)
        goes out with a FIN, and what still arrives is discarded for a moment. A plain close
        with unread data makes the kernel send a reset, and the client loses the answer."""

        def __init__(self, transport: Any, protocol: Any) -> None:
            self._transport = transport
            self._protocol = protocol

        def __getattr__(self, name: str) -> Any:
            return getattr(self._transport, name)

        def close(self) -> None:
            if self._protocol.lingering or self._transport.is_closing():
                return
            if self._protocol.conn.their_state is h11.SEND_BODY and self._transport.can_write_eof():
                self._protocol.linger()
            else:
                self._transport.close()

        def is_closing(self) -> bool:
            return bool(self._protocol.lingering) or self._transport.is_closing()

    class GuardedH11Protocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None
        lingering = False
        _discarded = 0

        def connection_made(self, transport: Any) -> None:
            super().connection_made(LingeringTransport(transport, self))  # type: ignore[arg-type]
            self._deadline = self.loop.call_later(HANDSHAKE_TIMEOUT_S, self._too_slow)

        def _real(self) -> Any:
            """The transport under the lingering wrapper."""
            return getattr(self.transport, "_transport", self.transport)

        def linger(self) -> None:
            real = self._real()
            self.lingering = True
            real.write_eof()
            real.resume_reading()
            self.loop.call_later(LINGER_S, real.close)

        def data_received(self, data: bytes) -> None:
            if self.lingering:  # the rest of a refused body: dropped unread
                self._discarded += len(data)
                if self._discarded > LINGER_BYTES:
                    self._real().close()
                return
            super().data_received(data)

        def _too_slow(self) -> None:
            # Still no whole request: a slow-loris or a dead peer. (Set only until the first
            # request; after that uvicorn's keep-alive timeout takes over.)
            if self.cycle is None and not self.transport.is_closing():
                self._real().close()

        def _stop_deadline(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def handle_events(self) -> None:
            super().handle_events()
            if self.cycle is not None:
                self._stop_deadline()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_deadline()
            super().connection_lost(exc)

        def handle_websocket_upgrade(self, event: Any) -> None:
            self._stop_deadline()
            header_bytes = sum(len(n) + len(v) + 4 for n, v in self.headers)
            if len(event.target) > MAX_HANDSHAKE_URL:
                self._refuse(414, "URI Too Long", f"the URL is {len(event.target):,} bytes; the limit is {MAX_HANDSHAKE_URL:,}")
                return
            if header_bytes > MAX_HANDSHAKE_HEADERS:
                self._refuse(431, "Request Header Fields Too Large",
                             f"the headers are {header_bytes:,} bytes; the limit is {MAX_HANDSHAKE_HEADERS:,}")
                return
            super().handle_websocket_upgrade(event)

        def _refuse(self, status: int, reason: str, message: str) -> None:
            body = _error_body("too_large", message, "send the token in the Authorization header, or a shorter URL")
            head = (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
                    f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode()
            self.transport.write(head + body)
            self._real().close()

    return GuardedH11Protocol


# ---------------------------------------------------------------------- rates


@dataclass
class Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets per key: `rate` per second refill, `burst` at most. `take()` returns 0 when
    allowed, else the seconds until one token is back. Bounded: idle full buckets are dropped."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float], *, max_keys: int = 200_000) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, Bucket] = {}
        self.max_keys = max_keys
        self.refused = 0

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: str, now: float | None = None) -> float:
        if self.rate <= 0:
            return 0.0
        now = self._clock() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._prune(now)
            bucket = self._buckets[key] = Bucket(float(self.burst), now)
        else:
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        self.refused += 1
        return (1.0 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.stamp) * self.rate >= self.burst]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= self.max_keys:  # all busy: forget the oldest half
            for k in list(self._buckets)[: self.max_keys // 2]:
                del self._buckets[k]
