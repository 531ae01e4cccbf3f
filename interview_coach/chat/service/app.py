"""The chat as a service: an ASGI app (FastAPI) with the chapter's HTTP API and a WebSocket.

One app serves one chat server of a `Deployment` (engines.py). HTTP:

    POST /v1/sessions                      development login → bearer token (when enabled)
    POST /v1/messages                      the HTTP fallback send (same path as a WebSocket send)
    GET  /v1/conversations?limit=&cursor=  the user's channels, most recent first (keyset)
    GET  /v1/sync?cursors={json}           per-channel cursors in, only the missed messages out
    GET  /v1/channels/{id}/messages        keyset pages: ?before= (older) or ?after= (newer)
    POST /v1/groups                        create a group with its members
    POST /v1/media/uploads                 the pre-upload handshake: a presigned URL or a part plan
    PUT  /v1/media/objects/{key}?…         the presigned PUT into the object store (no token: the URL is the grant)
    POST /v1/media/uploads/{id}/complete   join the parts of a multipart upload
    GET  /healthz  GET /metrics  GET /openapi.json  GET /docs

and the WebSocket at `/v1/ws?token=…` speaking frames.py's protocol — on the same port, served
by ws_transport.py's lean protocol rather than the ASGI app (`uvicorn_config` wires it). Every call but login,
health, metrics and the presigned PUT needs a valid token; a user reads and writes only the
channels they belong to (403 otherwise).

Errors keep one shape: `{"error": {"code", "message", "hint"}}` over HTTP, an error frame on
the socket — which stays open, so one bad frame never costs a client its connection.

Draining (`ChatService.drain`, run on SIGTERM by `run()`): refuse new work (503 / a
`reconnect` frame), tell every connected client to reconnect elsewhere, wait for the frames in
flight, then close the deployment, which flushes the write-behind queue. Nothing acknowledged
is lost: an ack is only sent after the message is journaled (embedded) or in Redis.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import ipaddress
import json
import logging
import os
import signal
import socket
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from interview_coach.chat.design.errors import ChatError
from interview_coach.chat.design.server import ChatServer
from interview_coach.chat.service import frames as fr
from interview_coach.chat.service import guards, ws_transport
from interview_coach.chat.service.auth import AuthError, validate_user_id
from interview_coach.chat.service.engines.deployment import Deployment
from interview_coach.chat.service.guards import ServiceLimits
from interview_coach.chat.service.ws_transport import ChatSocket
from interview_coach.errors import CoachError, UsageError

log = logging.getLogger("interview_coach.chat.service.app")

DRAIN_TIMEOUT_S = 10.0
CLOSE_AUTH = 4401  # application close codes (4000-4999): the token was refused
CLOSE_REPLACED = 4409  # the same user connected again elsewhere on this server
CLOSE_SLOW = 1013  # "try again later": the client did not read its frames; reconnect and sync
CLOSE_POLICY = 1008  # "policy violation": kept sending far past its rate limit
CLOSE_RESTART = 1012  # "service restart": reconnect, preferably elsewhere
METRICS_TOKEN_ENV = "INTERVIEW_COACH_CHAT_METRICS_TOKEN"

STATUS_OF_CODE = {
    "bad_request": 400, "bad_frame": 400, "not_member": 403, "forbidden": 403, "not_found": 404,
    "unknown_channel": 404, "too_large": 413, "refused": 422, "bad_signature": 403, "expired": 403,
    "conflict": 409, "upload_failed": 502, "clock_drift": 503, "draining": 503, "unavailable": 503,
    "channel_conflict": 409, "rate_limited": 429,
}
# A chat error on the socket: the code a client can act on.
FRAME_CODE = {"not_found": "unknown_channel", "not_member": "forbidden", "bad_request": "bad_frame"}


# ---------------------------------------------------------------------- request and response models


class SessionIn(BaseModel):
    user_id: str = Field(description="1-64 letters, digits, '_', '.', '-'", examples=["alice"])


class SessionOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    user_id: str
    expires_at: float
    server_id: str
    ws_url: str


class MessageIn(BaseModel):
    to: str | None = Field(None, description="a user: the direct channel of the two of you")
    channel_id: str | None = Field(None, description="a channel you belong to (a group)")
    text: str
    client_msg_id: str = Field(description="unique per message; a retry with the same id is stored once")
    kind: Literal["text", "media"] = "text"


class AckOut(BaseModel):
    client_msg_id: str
    message_id: int
    channel_id: str
    created_ms: int
    duplicate: bool


class MessageOut(BaseModel):
    channel_id: str
    message_id: int
    sender_id: str
    text: str
    client_msg_id: str | None = None
    kind: str = "text"
    created_ms: int = 0
    status: str = "sent"


class PageOut(BaseModel):
    messages: list[MessageOut] = Field(description="newest first")
    has_more: bool
    next_before: int | None
    next_after: int | None


class ChannelOut(BaseModel):
    channel_id: str
    kind: str
    name: str
    created_ms: int
    last_message_id: int


class ConversationsOut(BaseModel):
    conversations: list[ChannelOut]
    next_cursor: str | None
    has_more: bool


class ChannelDeltaOut(BaseModel):
    messages: list[MessageOut] = Field(description="oldest first")
    cursor: int
    has_more: bool
    new: bool


class SyncOut(BaseModel):
    channels: dict[str, ChannelDeltaOut]
    cursors: dict[str, int]
    has_more: bool


class GroupIn(BaseModel):
    name: str
    members: list[str] = Field(description="the other members; you are added yourself")
    channel_id: str | None = None


class UploadIn(BaseModel):
    filename: str
    size: int = Field(description="bytes")
    mime_type: str
    head_b64: str = Field("", description="base64 of the file's first bytes (executables are refused by them)")


class ObjectOut(BaseModel):
    key: str
    size: int
    sha256: str
    message_text: str | None = Field(None, description="send this as a kind='media' message")


class PartOut(BaseModel):
    part: int
    etag: str


def _message(m: Any) -> dict[str, Any]:
    return m.to_dict()


# ---------------------------------------------------------------------- metrics


class RateMeter:
    """Messages per second over the last `window` seconds, from counter samples."""

    def __init__(self, window: float = 10.0) -> None:
        self.window = window
        self._samples: collections.deque[tuple[float, int]] = collections.deque()

    def sample(self, now: float, count: int) -> None:
        self._samples.append((now, count))
        while len(self._samples) > 2 and now - self._samples[0][0] > self.window:
            self._samples.popleft()

    def rate(self) -> float:
        if len(self._samples) < 2:
            return 0.0
        (t0, c0), (t1, c1) = self._samples[0], self._samples[-1]
        return (c1 - c0) / (t1 - t0) if t1 > t0 else 0.0


# ---------------------------------------------------------------------- the socket's frames


# One frame's JSON: the transport's encoder (orjson, the standard library for what it refuses).
encode_frame = ws_transport.encode_frame


def scrub(text: str) -> str:
    """No URL credentials in anything the service says (errors of a Redis URL with a password)."""
    from interview_coach.chat.service.engines.redis_engine import scrub as scrub_url

    return scrub_url(text) if "@" in text else text


# ---------------------------------------------------------------------- the service


class ChatService:
    def __init__(self, deployment: Deployment, server_id: str | None = None, *, owns_deployment: bool = False,
                 limits: ServiceLimits | None = None) -> None:
        self.deployment = deployment
        self.limits = limits or ServiceLimits()
        clock = deployment.clock.monotonic
        self.message_rate = guards.RateLimiter(self.limits.message_rate, self.limits.message_burst, clock)
        self.frame_rate = guards.RateLimiter(self.limits.frame_rate, self.limits.frame_burst, clock)
        token = os.environ.get(METRICS_TOKEN_ENV)
        self.metrics_token = token if token else None
        self.server: ChatServer = deployment.server(server_id)
        self.server_id = self.server.server_id
        self.owns_deployment = owns_deployment
        self.draining = False
        self.connections: set[ChatSocket] = set()
        self.by_user: dict[str, ChatSocket] = {}
        # Run before a socket writes: the embedded journal flushes what this loop turn put, so
        # nothing goes on the wire (an ack, a message) that a crash could still take back.
        self.before_write: Callable[[], None] = getattr(deployment.persist, "sync_journal", None) or _nothing
        self.inflight = 0
        self.frames_in = 0
        self.http_sends = 0
        self.errors: collections.Counter[str] = collections.Counter()
        self.meter = RateMeter()
        self._sampler: asyncio.Task[None] | None = None
        self._keepalive: asyncio.Task[None] | None = None
        self._drained = asyncio.Event()

    # ------------------------------------------------------------------ life cycle

    def start_sampler(self) -> None:
        async def sample() -> None:
            while True:
                self.meter.sample(self.deployment.clock.monotonic(), self.server.stats.sends)
                await asyncio.sleep(1.0)

        async def keepalive() -> None:
            while True:
                await asyncio.sleep(ws_transport.KEEPALIVE_S)
                self.sweep_keepalive()

        loop = asyncio.get_running_loop()
        self._sampler = loop.create_task(sample(), name="metrics-sampler")
        self._keepalive = loop.create_task(keepalive(), name="socket-keepalive")

    def sweep_keepalive(self) -> None:
        for conn in list(self.connections):
            conn.keepalive()

    async def drain(self, timeout: float = DRAIN_TIMEOUT_S) -> None:
        """Stop taking work, send every client elsewhere, let frames in flight finish, flush."""
        if self.draining:
            await self._drained.wait()
            return
        self.draining = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        log.info("chat server %s draining: %d connections", self.server_id, len(self.connections))
        await self.server.stop(notify=True)  # a `reconnect` frame to each, then their sockets close
        while (self.connections or self.inflight) and loop.time() < deadline:
            await asyncio.sleep(0.02)
        for conn in list(self.connections):
            conn.close(CLOSE_RESTART)
        if self.owns_deployment:
            await self.deployment.close()  # flushes the write-behind queue into the store
        self._drained.set()

    async def shutdown(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
        if self._keepalive is not None:
            self._keepalive.cancel()
        if self.owns_deployment and not self.deployment.closed:
            if not self.draining:
                await self.drain(timeout=2.0)
            await self.deployment.close()

    # ------------------------------------------------------------------ WebSocket

    def socket_opened(self, conn: ChatSocket, token: str | None) -> None:
        """A WebSocket finished its handshake: check its token, greet it, connect its user."""
        try:
            user_id = self.deployment.signer.verify(token)
        except AuthError as exc:
            self.errors[exc.code] += 1
            conn.push(fr.error_frame(exc.code, exc.message))
            conn.close(CLOSE_AUTH)
            return
        if self.draining:
            conn.push({"type": "reconnect", "reason": "server draining"})  # and the socket closes (1012)
            return
        conn.user_id = user_id
        old = self.by_user.get(user_id)
        if old is not None:  # one live socket per user on a server: the newest wins
            old.close(CLOSE_REPLACED)
        conn.push(fr.hello_frame(user_id, self.server_id))
        self.connections.add(conn)
        self.by_user[user_id] = conn
        conn.registered = True
        conn.start_reader(self._connect(conn))

    async def _connect(self, conn: ChatSocket) -> None:
        try:
            await self.server.connect(conn.user_id, conn)
        except CoachError as exc:  # the server stopped between the handshake and connect; Redis is away
            code = getattr(exc, "code", "unavailable")
            self.errors[code] += 1
            log.warning("connection of %s refused: %s", conn.user_id, scrub(str(exc)))
            if not conn.closed:
                conn.push(fr.error_frame(code, scrub(str(exc))))
                conn.close(CLOSE_RESTART if code == "draining" else CLOSE_SLOW)

    async def socket_closed(self, conn: ChatSocket) -> None:
        """The TCP connection of a registered socket is gone: forget it, and tell the core."""
        user_id = conn.user_id
        self.connections.discard(conn)
        if self.by_user.get(user_id) is conn:
            del self.by_user[user_id]
        try:
            await self.server.disconnect(user_id, conn)
        except Exception as exc:  # noqa: BLE001 - Redis away: the session's TTL ends it instead
            log.warning("disconnect of %s not recorded: %s", user_id, scrub(f"{type(exc).__name__}: {exc}"))

    def count_slow(self) -> None:
        self.errors["slow_consumer"] += 1

    async def on_frame(self, conn: ChatSocket, raw: bytes) -> None:
        """One frame from a socket's client: rate-checked, handled, answered on the socket."""
        self.frames_in += 1
        if conn.closed:
            return
        user_id = conn.user_id
        wait = self.frame_rate.take(user_id)
        reply: dict[str, Any] | None
        if wait:
            self.errors["rate_limited"] += 1
            conn.refused_in_a_row += 1
            if conn.refused_in_a_row > guards.MAX_REFUSED_IN_A_ROW:
                log.warning("%s kept sending past the rate limit; disconnected", user_id)
                conn.close(CLOSE_POLICY)  # what is queued (the refusals) goes first
                return
            reply = _rate_frame("frames", self.limits.frame_rate, wait, _cmid_of(raw))
        else:
            self.inflight += 1
            try:
                reply = await self._handle(raw, user_id, conn)
            finally:
                self.inflight -= 1
        if reply is not None and not conn.closed:
            with contextlib.suppress(ConnectionError):  # cut off as it was answered: it catches up by sync
                conn.push(reply)

    async def _handle(self, raw: str | bytes, user_id: str, conn: ChatSocket | None = None) -> dict[str, Any] | None:
        cmid = None
        try:
            frame = fr.parse_client_frame(raw)
            if isinstance(frame, fr.SendFrame):
                cmid = frame.client_msg_id
                if self.draining:
                    raise ChatError("this server is draining", "reconnect to another server and send again",
                                    code="draining")
                wait = self.message_rate.take(user_id)
                if wait:
                    self.errors["rate_limited"] += 1
                    if conn is not None:
                        conn.refused_in_a_row += 1
                    return _rate_frame("messages", self.limits.message_rate, wait, cmid)
                if conn is not None:
                    conn.refused_in_a_row = 0
                if frame.to is not None:
                    validate_user_id(frame.to, "to")
                ack = await self.server.send(user_id, text=frame.text, client_msg_id=frame.client_msg_id, to=frame.to,
                                             channel_id=frame.channel_id, kind=frame.kind)
                return ack.frame()
            if isinstance(frame, fr.DeliveredFrame):
                await self.server.delivered(user_id, frame.message_id, frame.channel_id)
                return None
            if isinstance(frame, fr.RoomFrame):
                if frame.type == "typing":
                    await self.server.typing(user_id, frame.channel_id)
                elif frame.type == "enter_room":
                    await self.server.enter_room(user_id, frame.channel_id)
                else:
                    await self.server.leave_room(user_id, frame.channel_id)
                return None
            return fr.pong_frame()
        except fr.FrameError as exc:
            self.errors[exc.code] += 1
            return exc.frame()
        except CoachError as exc:
            default = "bad_request" if isinstance(exc, UsageError) else "unavailable"
            code = getattr(exc, "code", default)
            code = FRAME_CODE.get(code, code)
            self.errors[code] += 1
            return fr.error_frame(code, scrub(str(exc)), cmid)
        except (TimeoutError, ConnectionError, OSError) as exc:  # an outage: retryable, no traceback
            log.warning("frame from %s failed: %s", user_id, scrub(f"{type(exc).__name__}: {exc}"))
            self.errors["unavailable"] += 1
            return fr.error_frame("unavailable", "the service is briefly unavailable; send again", cmid)
        except Exception as exc:  # a bug must not take the socket (or the server) down
            log.exception("frame from %s failed", user_id)
            self.errors["internal"] += 1
            return fr.error_frame("internal", f"the server could not handle this frame ({type(exc).__name__})", cmid)

    # ------------------------------------------------------------------ metrics

    async def metrics(self) -> dict[str, Any]:
        self.meter.sample(self.deployment.clock.monotonic(), self.server.stats.sends)
        try:
            depths = await self.deployment.queue_depths()
        except Exception as exc:  # noqa: BLE001 - Redis away: the rest of the figures still count
            depths = {}
            self.errors["metrics_unavailable"] += 1
            log.warning("queue depths unavailable: %s", scrub(f"{type(exc).__name__}: {exc}"))
        depths["outbound"] = sum(c.queued_frames for c in self.connections)
        depths["outbound_bytes"] = sum(c.queued_bytes for c in self.connections)
        core = self.server.metrics()
        return {
            "server_id": self.server_id,
            "engine": self.deployment.kind,
            "draining": self.draining,
            "connections": len(self.connections),
            "messages_total": core["sends"],
            "messages_per_second": round(self.meter.rate(), 3),
            "duplicates_total": core["duplicates"],
            "delivered_live_total": core["delivered_live"],
            "delivery_acks_total": core["delivery_acks"],
            "unacked": core["unacked"],
            "frames_in_total": self.frames_in,
            "http_sends_total": self.http_sends,
            "errors_total": dict(self.errors),
            "queue_depth": depths,
            "rate_limited_total": self.message_rate.refused + self.frame_rate.refused,
            "parts": json.loads(scrub(json.dumps(self.deployment.part_stats()))),
        }


def _rate_frame(what: str, rate: float, wait: float, cmid: str | None) -> dict[str, Any]:
    frame = fr.error_frame("rate_limited", f"too many {what}: the limit is {rate:g} per second; "
                                           f"wait {wait * 1000:.0f} ms and send again", cmid)
    frame["retry_after_ms"] = max(1, int(wait * 1000) + 1)
    return frame


def _cmid_of(raw: str | bytes) -> str | None:
    """The client_msg_id of a frame not parsed (refused by rate) — cheap, and only when it is a send."""
    if len(raw) > fr.MAX_FRAME_BYTES:
        return None
    try:
        frame = fr.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    cmid = frame.get("client_msg_id") if isinstance(frame, dict) else None
    return cmid if isinstance(cmid, str) and len(cmid) <= fr.MAX_CLIENT_MSG_ID else None


def _nothing() -> None:
    return None


def _bearer(header: str | None) -> str | None:
    if header and header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def prometheus_text(m: dict[str, Any]) -> str:
    labels = f'server_id="{m["server_id"]}",engine="{m["engine"]}"'
    lines: list[str] = []

    def metric(name: str, kind: str, help_: str, value: Any, extra: str = "") -> None:
        if not any(line.startswith(f"# TYPE {name} ") for line in lines):
            lines.append(f"# HELP {name} {help_}")
            lines.append(f"# TYPE {name} {kind}")
        lines.append(f"{name}{{{labels}{extra}}} {value}")

    metric("chat_connections", "gauge", "Open WebSocket connections.", m["connections"])
    metric("chat_messages_total", "counter", "Messages accepted (acknowledged) by this server.", m["messages_total"])
    metric("chat_messages_per_second", "gauge", "Messages accepted per second, last 10 s.", m["messages_per_second"])
    metric("chat_duplicates_total", "counter", "Retried sends answered with the first ack.", m["duplicates_total"])
    metric("chat_delivered_live_total", "counter", "Message frames handed to local sockets.", m["delivered_live_total"])
    metric("chat_unacked", "gauge", "Messages delivered and not yet acknowledged by the device.", m["unacked"])
    metric("chat_draining", "gauge", "1 while the server drains.", int(m["draining"]))
    for queue, depth in sorted(m["queue_depth"].items()):
        metric("chat_queue_depth", "gauge", "Items waiting in each queue.", depth, f',queue="{queue}"')
    for code, count in sorted(m["errors_total"].items()):
        metric("chat_errors_total", "counter", "Refused frames and requests by code.", count, f',code="{code}"')
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- the app


def create_app(deployment: Deployment, server_id: str | None = None, *, owns_deployment: bool = False,
               limits: ServiceLimits | None = None) -> FastAPI:
    """The ASGI app for chat server `server_id` (default: the first) of an open `deployment`.

    With `owns_deployment` the app closes it — write-behind flushed — when it shuts down or
    drains; otherwise the caller does (tests, the live demo's two servers on one deployment).
    """
    service = ChatService(deployment, server_id, owns_deployment=owns_deployment, limits=limits)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        service.start_sampler()
        try:
            yield
        finally:
            await service.shutdown()

    app = FastAPI(
        title="interview-coach reference chat",
        version="1",
        summary="The chapter's real-time chat design as a running service: HTTP API and WebSocket.",
        lifespan=lifespan,
    )
    app.state.chat = service

    def refused(code: str) -> None:
        service.errors[code] += 1

    if service.before_write is not _nothing:  # no HTTP answer goes out before the journal has what it shows
        app.add_middleware(JournalBarrier, service=service)
    # Outermost: a body is limited, and its token checked, before any of it is read.
    app.add_middleware(guards.BodyGuard, verify=deployment.signer.verify, on_refused=refused)

    def svc(request: Request) -> ChatService:
        return request.app.state.chat

    async def current_user(request: Request) -> str:
        service = svc(request)
        try:
            return service.deployment.signer.verify(_bearer(request.headers.get("authorization")))
        except AuthError as exc:
            service.errors[exc.code] += 1
            raise HTTPException(401, detail={"code": exc.code, "message": exc.message},
                                headers={"WWW-Authenticate": f'Bearer error="{exc.code}"'}) from None

    def refuse_while_draining(service: ChatService) -> None:
        if service.draining:
            raise ChatError("this server is draining", "retry on another server", code="draining")

    @app.exception_handler(CoachError)
    async def coach_error(request: Request, exc: CoachError) -> JSONResponse:
        code = getattr(exc, "code", "bad_request" if isinstance(exc, UsageError) else "unavailable")
        svc(request).errors[code] += 1
        status = STATUS_OF_CODE.get(code, 400 if isinstance(exc, UsageError) else 503)
        headers = {"Retry-After": "1"} if status == 503 else None
        return JSONResponse({"error": {"code": code, "message": scrub(exc.message), "hint": exc.hint}}, status,
                            headers=headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        detail = (
            exc.detail if isinstance(exc.detail, dict) else {"code": "http_" + str(exc.status_code), "message": str(exc.detail)}
        )
        return JSONResponse({"error": detail}, exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        svc(request).errors["bad_request"] += 1
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse({"error": {"code": "bad_request", "message": f"{where}: {first.get('msg', 'invalid')}",
                                       "hint": "see /docs for the request's shape"}}, 422)

    # ------------------------------------------------------------------ auth

    @app.post("/v1/sessions", response_model=SessionOut, tags=["auth"])
    async def login(body: SessionIn, request: Request) -> dict[str, Any]:
        """Development login: a bearer token for any user name (only when the server allows it)."""
        service = svc(request)
        if not service.deployment.dev_login:
            raise HTTPException(403, detail={"code": "login_disabled",
                                             "message": "development login is off on this server; start it with --dev-login"})
        issued = service.deployment.signer.issue(validate_user_id(body.user_id))
        return {"token": issued.token, "user_id": issued.user_id, "expires_at": issued.expires_at,
                "server_id": service.server_id, "ws_url": f"/v1/ws?token={issued.token}"}

    # ------------------------------------------------------------------ messages

    @app.post("/v1/messages", response_model=AckOut, tags=["messages"])
    async def post_message(body: MessageIn, request: Request, user: str = Depends(current_user)) -> Any:
        """Send over HTTP (the fallback when no WebSocket is open): same checks, id, routing and ack."""
        service = svc(request)
        refuse_while_draining(service)
        wait = service.message_rate.take(user)
        if wait:
            service.errors["rate_limited"] += 1
            frame = _rate_frame("messages", service.limits.message_rate, wait, body.client_msg_id)
            return JSONResponse({"error": {"code": "rate_limited", "message": frame["message"], "hint": None}}, 429,
                                headers={"Retry-After": str(max(1, round(wait + 0.5)))})
        if body.to is not None:
            validate_user_id(body.to, "to")
        service.inflight += 1
        try:
            ack = await service.server.send(user, text=body.text, client_msg_id=body.client_msg_id, to=body.to,
                                            channel_id=body.channel_id, kind=body.kind)
        finally:
            service.inflight -= 1
        service.http_sends += 1
        frame = ack.frame()
        frame.pop("type")
        return frame

    @app.get("/v1/conversations", response_model=ConversationsOut, tags=["messages"])
    async def conversations(request: Request, limit: int = Query(20, ge=1, le=500), cursor: str | None = None,
                            user: str = Depends(current_user)) -> dict[str, Any]:
        """Your channels, most recent activity first; pass `next_cursor` back for the next page."""
        page = await svc(request).deployment.sync.conversations(user, limit=limit, cursor=cursor)
        return {"conversations": [c.__dict__ for c in page.conversations], "next_cursor": page.next_cursor,
                "has_more": page.has_more}

    @app.get("/v1/sync", response_model=SyncOut, tags=["messages"])
    async def sync(request: Request, cursors: str | None = Query(None, description='JSON map, e.g. {"dm:a:b": 105}'),
                   limit: int = Query(200, ge=1, le=500), user: str = Depends(current_user)) -> dict[str, Any]:
        """Only what you missed: per channel, the messages after your cursor (oldest first)."""
        parsed = None
        if cursors is not None:
            try:
                parsed = json.loads(cursors)
            except ValueError:
                raise ChatError("cursors is not JSON", 'send e.g. cursors={"dm:alice:bob": 105}') from None
        result = await svc(request).deployment.sync.sync(user, parsed, limit=limit)
        return {
            "channels": {c: {"messages": [_message(m) for m in d.messages], "cursor": d.cursor, "has_more": d.has_more,
                             "new": d.new} for c, d in result.channels.items()},
            "cursors": result.cursors,
            "has_more": result.has_more,
        }

    @app.get("/v1/channels/{channel_id}/messages", response_model=PageOut, tags=["messages"])
    async def channel_messages(channel_id: str, request: Request, before: int | None = Query(None, ge=0),
                               after: int | None = Query(None, ge=0), limit: int = Query(50, ge=1, le=500),
                               user: str = Depends(current_user)) -> dict[str, Any]:
        """A page of a channel's history, newest first: `before` for older, `after` for newer."""
        service = svc(request)
        await service.deployment.groups.check_member(channel_id, user)
        page = await service.deployment.store.page(channel_id, before=before, after=after, limit=limit)
        # Acknowledged messages the write-behind queue has not flushed yet belong to the history too.
        pending = await service.deployment.persist.pending_after(channel_id, after or 0)
        if pending:
            page = _merge_pending(page, pending, before, after, limit)
        return {"messages": [_message(m) for m in page.messages], "has_more": page.has_more,
                "next_before": page.next_before, "next_after": page.next_after}

    @app.post("/v1/groups", response_model=ChannelOut, status_code=201, tags=["groups"])
    async def create_group(body: GroupIn, request: Request, user: str = Depends(current_user)) -> dict[str, Any]:
        """Create a group; you are a member, with the `members` you name."""
        service = svc(request)
        refuse_while_draining(service)
        members = [user] + [validate_user_id(m, "members") for m in body.members]
        channel = await service.deployment.groups.create_group(body.name, members, channel_id=body.channel_id)
        return channel.__dict__

    # ------------------------------------------------------------------ media

    @app.post("/v1/media/uploads", tags=["media"])
    async def begin_upload(body: UploadIn, request: Request, user: str = Depends(current_user)) -> dict[str, Any]:
        """The pre-upload handshake: policy checks first, then a presigned PUT URL or a 5 MB part plan."""
        try:
            head = base64.b64decode(body.head_b64, validate=True) if body.head_b64 else b""
        except ValueError:
            raise ChatError("head_b64 is not base64", "send the file's first bytes, base64-encoded") from None
        ticket = svc(request).deployment.media.begin_upload(user, body.filename, body.size, body.mime_type, head)
        return ticket.to_dict()

    @app.put("/v1/media/objects/{key:path}", tags=["media"], response_model=ObjectOut | PartOut)
    async def put_object(key: str, request: Request) -> Any:
        """The presigned PUT: the URL's signature and expiry are the permission, not a token."""
        media = svc(request).deployment.media
        url = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
        if request.url.query:
            url += "?" + request.url.query
        declared = request.headers.get("content-length")
        limit = media.policy.max_single_bytes
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise ChatError(f"a {int(declared):,}-byte body is over the {limit:,}-byte limit of one PUT",
                            "upload large files in parts", code="too_large")
        # The URL is the permission: checked before a byte of the body is read, and the body
        # read no further than the size the URL was signed for.
        target = media.signer.verify("PUT", url)
        signed = target.params.get("size")
        if signed is not None and signed.isdigit():
            limit = min(limit, int(signed))
        chunks: list[bytes] = []
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise ChatError(f"the body is over the {limit:,} bytes this URL allows", "PUT exactly the signed size",
                                code="too_large")
            chunks.append(chunk)
        body = b"".join(chunks)
        if "upload_id=" in request.url.query:
            number, etag = await media.receive_part(url, body)
            return JSONResponse({"part": number, "etag": etag}, headers={"ETag": etag})
        info = await media.receive_put(url, body)
        mime = dict(request.query_params).get("mime", "application/octet-stream")
        return {"key": info.key, "size": info.size, "sha256": info.sha256,
                "message_text": media.metadata_text(info, mime, info.key.rsplit("/", 1)[-1])}

    @app.post("/v1/media/uploads/{upload_id}/complete", response_model=ObjectOut, tags=["media"])
    async def complete_upload(upload_id: str, request: Request, user: str = Depends(current_user)) -> dict[str, Any]:
        """Join the parts of a multipart upload (every part must have arrived)."""
        media = svc(request).deployment.media
        owner = media.upload_owner(upload_id)
        if owner is not None and owner[0] != user:
            raise ChatError("this upload is someone else's", code="not_member")
        mime, filename = owner[1:] if owner is not None else ("application/octet-stream", "file")
        info = await media.complete(upload_id)
        return {"key": info.key, "size": info.size, "sha256": info.sha256,
                "message_text": media.metadata_text(info, mime, filename)}

    # ------------------------------------------------------------------ operations

    @app.get("/healthz", tags=["operations"])
    async def healthz(request: Request) -> JSONResponse:
        """200 while serving; 503 while draining (a load balancer stops sending clients here)."""
        service = svc(request)
        body = {"status": "draining" if service.draining else "ok", "server_id": service.server_id,
                "engine": service.deployment.kind, "connections": len(service.connections)}
        return JSONResponse(body, 503 if service.draining else 200)

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    async def metrics(request: Request, format: Literal["prometheus", "json"] = "prometheus") -> Any:
        """Connections, messages per second, queue depths: Prometheus text, or JSON with ?format=json.

        Not public by default: loopback peers (a scraper or sidecar on the host) and requests with
        `Authorization: Bearer $INTERVIEW_COACH_CHAT_METRICS_TOKEN` may read it; `serve --public-metrics` opens it."""
        service = svc(request)
        if not metrics_allowed(service, request):
            service.errors["forbidden"] += 1
            raise HTTPException(403, detail={"code": "forbidden", "message": "/metrics is for the operator",
                                             "hint": f"scrape it from the host, send the {METRICS_TOKEN_ENV} bearer "
                                                     "token, or start serve with --public-metrics"})
        m = await service.metrics()
        if format == "json":
            return JSONResponse(m)
        return PlainTextResponse(prometheus_text(m), media_type="text/plain; version=0.0.4")

    return app


class JournalBarrier:
    """ASGI middleware: `before_write()` runs before each HTTP response starts, so an ack (or a
    page of history) is never sent for a message whose journal line the OS does not have yet."""

    def __init__(self, app: Any, service: ChatService) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        service = self.service

        async def send_after_journal(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                service.before_write()
            await send(message)

        await self.app(scope, receive, send_after_journal)


def metrics_allowed(service: ChatService, request: Request) -> bool:
    import hmac

    if service.limits.public_metrics:
        return True
    token = _bearer(request.headers.get("authorization"))
    if service.metrics_token and token and hmac.compare_digest(token.encode(), service.metrics_token.encode()):
        return True
    host = request.client.host if request.client is not None else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _merge_pending(page: Any, pending: list[Any], before: int | None, after: int | None, limit: int) -> Any:
    from interview_coach.chat.design.store import Page

    rows = {m.message_id: m for m in page.messages}
    for m in pending:
        if (before is None or m.message_id < before) and (after is None or m.message_id > after):
            rows.setdefault(m.message_id, m)
    ordered = sorted(rows.values(), key=lambda m: m.message_id)
    if after is not None:
        chosen = ordered[:limit]
        has_more = page.has_more or len(ordered) > limit
    else:
        chosen = ordered[-limit:]
        has_more = page.has_more or len(ordered) > limit
    chosen.reverse()
    return Page(chosen, has_more, chosen[-1].message_id if chosen else before, chosen[0].message_id if chosen else after)


# ---------------------------------------------------------------------- running it


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind before serving, so `--port 0` can report the port the OS picked."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CoachError(
            f"cannot listen on {host}:{port}: {exc.strerror}", "pick another --port (0 lets the OS choose)"
        ) from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def uvicorn_config(app: Any, *, log_level: str = "warning", **extra: Any) -> Any:
    import uvicorn

    # /v1/ws on the same port: uvicorn parses the upgrade request (with the handshake limits of
    # GuardedH11Protocol), then hands the socket to the service's own WebSocket protocol.
    return uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on", http=guards.guarded_h11_protocol(),
                          ws=ws_transport.socket_protocol(app.state.chat),
                          h11_max_incomplete_event_size=guards.MAX_HANDSHAKE_HEADERS + guards.MAX_HANDSHAKE_URL, **extra)


def make_server(config: Any) -> Any:
    """A uvicorn server whose first SIGTERM/SIGINT drains the chat before shutting down."""
    import uvicorn

    class DrainingServer(uvicorn.Server):
        drained_by_signal = False

        async def serve(self, sockets: list[socket.socket] | None = None) -> None:
            self._loop = asyncio.get_running_loop()
            await super().serve(sockets)

        def handle_exit(self, sig: int, frame: Any) -> None:
            loop = getattr(self, "_loop", None)
            if self.drained_by_signal or loop is None or sig not in (signal.SIGTERM, signal.SIGINT):
                super().handle_exit(sig, frame)  # a second signal: shut down now
                return
            self.drained_by_signal = True
            loop.call_soon_threadsafe(lambda: loop.create_task(self._drain()))

        async def _drain(self) -> None:
            try:
                chat = getattr(getattr(self.config.app, "state", None), "chat", None)
                if chat is not None:
                    await chat.drain()
            except Exception:
                log.exception("drain failed")
            finally:
                self.should_exit = True

    return DrainingServer(config)


async def run(
    opener: Callable[[], Any],
    *,
    host: str = "127.0.0.1",
    port: int = 8700,
    on_ready: Callable[[ChatService, str], None] | None = None,
    log_level: str = "warning",
    limits: ServiceLimits | None = None,
) -> None:
    """Open a deployment, serve its first chat server until SIGTERM/SIGINT, drain, close.

    The listening socket is bound first (a busy port is a one-line error, and `port=0` reports
    the port the OS chose), then the deployment is opened (an unreachable Redis is one too).
    """
    sock = bind_socket(host, port)
    try:
        deployment = await opener()
    except BaseException:
        sock.close()
        raise
    app = create_app(deployment, owns_deployment=True, limits=limits)
    server = make_server(uvicorn_config(app, log_level=log_level))
    serving = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    while not server.started and not serving.done():
        await asyncio.sleep(0.01)
    if server.started and on_ready is not None:
        shown = f"[{host}]" if ":" in host else host
        on_ready(app.state.chat, f"http://{shown}:{sock.getsockname()[1]}")
    try:
        await serving
    finally:
        sock.close()
        if not deployment.closed:  # uvicorn failed before its lifespan could close it
            await deployment.close()
