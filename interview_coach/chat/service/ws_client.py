"""A small chat client for the service: login, WebSocket, HTTP sync, reconnect to another server.

Used by the tests, the live demo and the fault test. It keeps the chat core's `ClientState`
(messages per channel sorted by id, duplicates dropped, sync cursors), and it reconnects the
way the core's `LocalClient` does, over the network:

1. open the WebSocket (with the token) and wait for `hello` — new messages start arriving and
   are held back;
2. `GET /v1/sync` with its cursors until nothing more is missing, and apply that;
3. apply what arrived meanwhile — no window in which a message is neither synced nor delivered.

`send_reliably` keeps the same `client_msg_id` across reconnects until an ack comes back, so a
send that was stored by a server that died before answering is acknowledged (as a duplicate) by
the next server, never stored twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from interview_coach.chat.design.client import ClientState
from interview_coach.chat.design.errors import ChatError
from interview_coach.chat.design.store import Message

log = logging.getLogger(__name__)

RETRYABLE_CODES = ("draining", "conflict", "internal", "unavailable", "rate_limited")


class ServiceError(ChatError):
    """The service refused a request or a frame; `code` is its error code."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message, code=code)
        self.status = status


class ConnectionLost(ChatError):
    code = "connection_lost"


def _ws_url(base: str) -> str:
    return "ws" + base[4:] if base.startswith("http") else base


class ChatSocketClient:
    def __init__(
        self,
        user_id: str,
        base_urls: Sequence[str],
        *,
        token: str | None = None,
        auto_ack: bool = True,
        timeout: float = 5.0,
    ) -> None:
        import httpx

        if not base_urls:
            raise ChatError("a client needs at least one server URL")
        self.user_id = user_id
        self.base_urls = [u.rstrip("/") for u in base_urls]
        self.token = token
        self.auto_ack = auto_ack
        self.timeout = timeout
        self.state = ClientState(user_id)
        self.server_id: str | None = None
        self.server_index = 0
        self.typing_events: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []  # error frames not tied to a send
        self.reconnect_requests = 0
        self.connects = 0
        self.closed_code: int | None = None
        self._http = httpx.AsyncClient(timeout=timeout)
        self._ws: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[str, tuple[asyncio.Future[dict[str, Any]], Message]] = {}
        self._held: list[Message] | None = None
        self._pongs: list[asyncio.Future[None]] = []
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ HTTP

    @property
    def base_url(self) -> str:
        return self.base_urls[self.server_index]

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._http.request(method, self.base_url + path, headers=self._headers(), **kwargs)
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
                raise ServiceError(error.get("code", "error"), error.get("message", response.text), response.status_code)
            except (ValueError, KeyError, TypeError):
                raise ServiceError(f"http_{response.status_code}", response.text, response.status_code) from None
        return response.json()

    async def login(self) -> str:
        """Development login on the first server that answers."""
        last: Exception | None = None
        for index in range(len(self.base_urls)):
            self.server_index = index
            try:
                self.token = (await self.request("POST", "/v1/sessions", json={"user_id": self.user_id}))["token"]
                return self.token
            except ServiceError:
                raise
            except Exception as exc:  # this server is down: try the next
                log.debug("login on %s failed", self.base_urls[index], exc_info=True)
                last = exc
        raise ConnectionLost(f"no server answered the login: {last}")

    # ------------------------------------------------------------------ connection

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._reader is not None and not self._reader.done()

    async def connect(self, server_index: int | None = None, *, sync: bool = True) -> None:
        """Connect to one server (default: the current one, then the others in turn), then catch up."""
        order = list(range(len(self.base_urls)))
        start = self.server_index if server_index is None else server_index
        order = order[start:] + order[:start]
        last: Exception | None = None
        for index in order:
            try:
                await self._connect_to(index, sync)
                return
            except (TimeoutError, OSError, ConnectionLost) as exc:
                last = exc
                await self._drop()
            except Exception as exc:
                from websockets.exceptions import WebSocketException

                if not isinstance(exc, WebSocketException):
                    raise
                last = exc
                await self._drop()
        raise ConnectionLost(f"{self.user_id}: no server accepted the connection ({last})")

    async def _connect_to(self, index: int, sync: bool) -> None:
        from websockets.asyncio.client import connect

        await self._drop()
        self.server_index = index
        self._held = [] if sync else None
        hello: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._ws = await asyncio.wait_for(
            connect(f"{_ws_url(self.base_url)}/v1/ws?token={self.token}", open_timeout=self.timeout,
                    max_size=2**20, compression=None, ping_interval=None),
            self.timeout,
        )
        self._reader = asyncio.get_running_loop().create_task(self._read(self._ws, hello), name=f"client:{self.user_id}")
        frame = await asyncio.wait_for(hello, self.timeout)
        if frame.get("type") != "hello":
            raise ConnectionLost(f"the server answered {frame}")
        self.server_id = frame["server_id"]
        self.connects += 1
        try:
            if sync:
                await self.catch_up()
        finally:
            held, self._held = self._held or [], None
            for message in held:
                await self._accept(message, "live")

    async def catch_up(self) -> int:
        """Sync from this client's cursors until nothing more is missing; acknowledge it."""
        new = 0
        while True:
            cursors = json.dumps(self.state.cursors(), separators=(",", ":"))
            result = await self.request("GET", "/v1/sync", params={"cursors": cursors})
            for channel_id, delta in result["channels"].items():
                messages = [Message.from_dict(m) for m in delta["messages"]]
                for m in messages:
                    new += self.state.apply(m, "sync")
                if messages and self.auto_ack and self.connected:
                    await self._send_frame({"type": "delivered", "message_id": messages[-1].message_id,
                                            "channel_id": channel_id})
            if not result["has_more"]:
                return new

    async def _read(self, ws: Any, hello: asyncio.Future[dict[str, Any]]) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if not hello.done():
                    hello.set_result(frame)
                    continue
                if kind == "message":
                    message = Message.from_dict(frame)
                    if self._held is not None:
                        self._held.append(message)
                    else:
                        await self._accept(message, "live")
                elif kind == "ack":
                    pending = self._pending.pop(frame.get("client_msg_id"), None)
                    if pending is not None:
                        future, draft = pending
                        mine = Message(frame["channel_id"], frame["message_id"], self.user_id, draft.text,
                                       draft.client_msg_id, draft.kind, frame.get("created_ms", 0))
                        if not self.state.has(mine.channel_id, mine.message_id):
                            self.state.apply(mine, "own")
                        if not future.done():
                            future.set_result(frame)
                elif kind == "error":
                    pending = self._pending.pop(frame.get("client_msg_id") or "", None)
                    if pending is not None and not pending[0].done():
                        pending[0].set_exception(ServiceError(frame["code"], frame["message"]))
                    else:
                        self.errors.append(frame)
                elif kind == "typing":
                    self.typing_events.append(frame)
                elif kind == "reconnect":
                    self.reconnect_requests += 1
                elif kind == "pong":
                    while self._pongs:
                        pong = self._pongs.pop(0)
                        if not pong.done():
                            pong.set_result(None)
                            break
        except ConnectionClosed:
            pass
        finally:
            self.closed_code = ws.close_code
            if not hello.done():
                hello.set_exception(ConnectionLost(f"closed before hello (code {ws.close_code})"))
            lost = ConnectionLost(f"{self.user_id}'s connection closed (code {ws.close_code})")
            for future, _ in self._pending.values():
                if not future.done():
                    future.set_exception(lost)
            self._pending.clear()
            for pong in self._pongs:
                if not pong.done():
                    pong.set_exception(lost)
            self._pongs.clear()

    async def _accept(self, message: Message, via: str) -> None:
        if self.state.apply(message, via) and self.auto_ack and self.connected:
            # The server may close while this frame is being handled. The reader must go on
            # reading what the server sent before closing (a `reconnect` frame, say); the
            # receipt is not lost for good: an unacknowledged message comes back by sync.
            with contextlib.suppress(ConnectionLost):
                await self._send_frame({"type": "delivered", "message_id": message.message_id,
                                        "channel_id": message.channel_id})

    async def _send_frame(self, frame: dict[str, Any] | str) -> None:
        from websockets.exceptions import ConnectionClosed

        if self._ws is None:
            raise ConnectionLost(f"{self.user_id} is not connected")
        try:
            await self._ws.send(frame if isinstance(frame, str) else json.dumps(frame, separators=(",", ":")))
        except ConnectionClosed as exc:
            raise ConnectionLost(f"{self.user_id}'s connection closed: {exc}") from None

    async def _drop(self) -> None:
        ws, reader = self._ws, self._reader
        self._ws, self._reader = None, None
        if ws is not None:
            try:
                await asyncio.wait_for(ws.close(), 1.0)
            except Exception:  # a socket that will not close cleanly is dropped all the same
                log.debug("closing the socket failed", exc_info=True)
        if reader is not None:
            try:
                await asyncio.wait_for(reader, 1.0)
            except (TimeoutError, asyncio.CancelledError):
                reader.cancel()
            except Exception:  # the reader failed on its own: stopped all the same
                log.debug("the frame reader failed", exc_info=True)
                reader.cancel()

    async def close(self) -> None:
        await self._drop()
        await self._http.aclose()

    async def __aenter__(self) -> ChatSocketClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ actions

    def new_client_msg_id(self) -> str:
        return f"{self.user_id}-{next(self._ids)}"

    async def send(self, text: str, *, to: str | None = None, channel_id: str | None = None,
                   client_msg_id: str | None = None, kind: str = "text") -> dict[str, Any]:
        """Send over the WebSocket and wait for the ack (ServiceError for an error frame)."""
        cmid = client_msg_id or self.new_client_msg_id()
        frame: dict[str, Any] = {"type": "send", "text": text, "client_msg_id": cmid, "kind": kind}
        if to is not None:
            frame["to"] = to
        if channel_id is not None:
            frame["channel_id"] = channel_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[cmid] = (future, Message(channel_id or "", 0, self.user_id, text, cmid, kind))
        try:
            await self._send_frame(frame)
            return await asyncio.wait_for(asyncio.shield(future), self.timeout)
        finally:
            self._pending.pop(cmid, None)

    async def send_reliably(self, text: str, *, to: str | None = None, channel_id: str | None = None,
                            client_msg_id: str | None = None, attempts: int = 20,
                            on_retry: Callable[[int, Exception], None] | None = None) -> dict[str, Any]:
        """Send until acknowledged, reconnecting (to another server if need be) with the same id."""
        cmid = client_msg_id or self.new_client_msg_id()
        for attempt in range(1, attempts + 1):
            try:
                if not self.connected:
                    await self.connect()
                return await self.send(text, to=to, channel_id=channel_id, client_msg_id=cmid)
            except (TimeoutError, ConnectionLost, OSError) as exc:
                if on_retry is not None:
                    on_retry(attempt, exc)
                await self._drop()
                self.server_index = (self.server_index + 1) % len(self.base_urls)
                await asyncio.sleep(min(0.05 * attempt, 0.5))
            except ServiceError as exc:
                # Retryable: the server is draining, Redis is briefly away, or this user is over
                # the rate limit. The same client_msg_id makes a retry safe (stored once).
                if exc.code not in RETRYABLE_CODES:
                    raise
                if on_retry is not None:
                    on_retry(attempt, exc)
                await asyncio.sleep(min(0.05 * attempt, 1.0))
        raise ConnectionLost(f"{self.user_id}: message {cmid} not acknowledged after {attempts} attempts")

    async def send_http(self, text: str, *, to: str | None = None, channel_id: str | None = None,
                        client_msg_id: str | None = None) -> dict[str, Any]:
        """The HTTP fallback send (POST /v1/messages)."""
        body: dict[str, Any] = {"text": text, "client_msg_id": client_msg_id or self.new_client_msg_id()}
        if to is not None:
            body["to"] = to
        if channel_id is not None:
            body["channel_id"] = channel_id
        return await self.request("POST", "/v1/messages", json=body)

    async def ping(self) -> None:
        """Round trip through the socket: every frame sent before it has been handled."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pongs.append(future)
        await self._send_frame({"type": "ping"})
        await asyncio.wait_for(future, self.timeout)

    async def send_raw(self, raw: str | bytes) -> None:
        """A frame exactly as given (tests of bad input)."""
        from websockets.exceptions import ConnectionClosed

        try:
            await self._ws.send(raw)
        except ConnectionClosed as exc:
            raise ConnectionLost(str(exc)) from None

    async def enter_room(self, channel_id: str) -> None:
        await self._send_frame({"type": "enter_room", "channel_id": channel_id})

    async def leave_room(self, channel_id: str) -> None:
        await self._send_frame({"type": "leave_room", "channel_id": channel_id})

    async def typing(self, channel_id: str) -> None:
        await self._send_frame({"type": "typing", "channel_id": channel_id})

    async def create_group(self, name: str, members: Sequence[str], channel_id: str | None = None) -> dict[str, Any]:
        return await self.request("POST", "/v1/groups", json={"name": name, "members": list(members),
                                                             "channel_id": channel_id})

    async def wait_for(self, predicate: Callable[[], bool], timeout: float | None = None, what: str = "a condition") -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (timeout or self.timeout)
        while not predicate():
            if loop.time() > deadline:
                raise TimeoutError(f"{self.user_id}: timed out waiting for {what}")
            await asyncio.sleep(0.005)
