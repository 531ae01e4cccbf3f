"""The `/v1/ws` transport: one lean asyncio protocol per WebSocket, on the HTTP API's own port.

uvicorn parses a connection's first request (`GuardedH11Protocol`: the 414/431 and 10 s
handshake limits) and, for an `Upgrade: websocket`, hands the socket to the WebSocket protocol
class of its config — here `ChatSocket`, built for one `ChatService` by `socket_protocol()`.
Everything else stays uvicorn's HTTP (FastAPI). One port, as clients and the docs expect.

Why not the ASGI WebSocket (uvicorn + Starlette + FastAPI)? An idle ASGI socket costs a task
with about twenty suspended frames, a queue, an event and a scope (33 KiB measured), and every
frame crosses three layers. Here the `websockets` library's sans-I/O `ServerProtocol` frames
and parses; this class is the asyncio protocol around it *and* the chat core's `Connection`:

* **Idle costs no task.** Bytes arrive in `data_received`; frames wait in `inbound` and a
  reader task exists only while there are frames to handle (one at a time, in order).
* **One write per burst.** Frames for the client collect in `out` and go out in one
  `transport.write` per loop turn — a burst of acks and messages is one syscall, not one each
  (their headers made by `text_frames`; the library parses what comes in and does the close).
* **Nothing leaves before the journal has it.** Before each write the service's
  `before_write()` runs (the embedded journal flushes what this loop turn put): an ack or a
  message on the wire is always of a message that is already durable.
* **A client that does not read** is cut off: once the transport's buffer is past its high-water
  mark, frames wait in `out`; past `max_bytes` or `max_frames` they are dropped, a 1013 close
  frame goes after what the transport holds, and a second later the TCP connection is aborted
  if the peer has not taken it.
* **A client that floods** is not read further while `MAX_INBOUND` frames wait (TCP pushes back).
* **A client that vanished** (no FIN: a lost network) is found by a keepalive ping: one sweep
  over all sockets every `KEEPALIVE_S`, not a timer each.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import orjson
from websockets.frames import Opcode
from websockets.protocol import State
from websockets.server import ServerProtocol

from interview_coach.chat.service import frames as fr

if TYPE_CHECKING:
    from interview_coach.chat.service.app import ChatService

log = logging.getLogger("interview_coach.chat.service.ws")

WS_PATH = "/v1/ws"
MAX_INBOUND = 64  # frames read and not yet handled; past it the socket is not read (TCP pushes back)
CLOSE_TIMEOUT_S = 1.0  # after our close frame, how long the peer has to answer before the TCP connection is cut
# One sweep over every socket this often, rather than a timer per socket: a silent peer is
# pinged at the next sweep and closed at the one after if it did not answer (20-60 s).
KEEPALIVE_S = 20.0
CLOSE_SLOW = 1013
CLOSE_GONE = 1011  # what `websockets` sends when a keepalive ping goes unanswered
CLOSE_RESTART = 1012
_TEXT, _BINARY, _CONT = Opcode.TEXT, Opcode.BINARY, Opcode.CONT
_OPEN = State.OPEN

_json_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode
_last_encoded: tuple[Any, bytes] = (None, b"")


def encode_frame(frame: dict[str, Any]) -> bytes:
    """UTF-8 JSON of a frame; the same frame object (a group message to 4,000 sockets) is encoded once.

    orjson when it can; the standard library (ASCII escapes) for what orjson refuses, such as a
    lone surrogate quoted back in an error message."""
    global _last_encoded
    if _last_encoded[0] is frame:
        return _last_encoded[1]
    data: bytes
    try:
        data = orjson.dumps(frame)
    except (TypeError, ValueError):
        data = _json_encode(frame).encode()
    _last_encoded = (frame, data)
    return data


# A server's text frame is a two-byte header (FIN + opcode 1, unmasked length) for up to 125
# bytes, then 16- or 64-bit lengths (RFC 6455 5.2). Written here rather than through the
# library's Frame objects: two frames go out per message, and this is most of their cost.
_SHORT_HEADS = [bytes((0x81, n)) for n in range(126)]


def text_frames(payloads: list[bytes]) -> bytes:
    """The wire bytes of one text frame per payload (each valid UTF-8 JSON), in order."""
    parts: list[bytes] = []
    append = parts.append
    for data in payloads:
        n = len(data)
        if n < 126:
            append(_SHORT_HEADS[n])
        elif n < 65536:
            append(b"\x81\x7e" + n.to_bytes(2, "big"))
        else:
            append(b"\x81\x7f" + n.to_bytes(8, "big"))
        append(data)
    return b"".join(parts)


class ChatSocket(asyncio.Protocol):
    """One WebSocket of the chat service: transport, framing, send queue and the core's `Connection`."""

    service: ChatService  # set on the class `socket_protocol()` makes

    __slots__ = (
        "_flush_scheduled",
        "_timer",
        "buffered",
        "close_code",
        "closed",
        "connections",
        "ended",
        "fragments",
        "heard",
        "inbound",
        "lost",
        "max_bytes",
        "max_frames",
        "out",
        "out_bytes",
        "pinged",
        "read_paused",
        "reader",
        "refused_in_a_row",
        "registered",
        "transport",
        "user_id",
        "write_paused",
        "ws",
    )

    def __init__(self, config: Any = None, server_state: Any = None, app_state: Any = None) -> None:
        # uvicorn's signature for a WebSocket protocol class; its server state holds the set of
        # connections it closes (via shutdown()) and waits for when it stops.
        self.connections: set[Any] | None = getattr(server_state, "connections", None)
        self.transport: Any = None
        self.ws = ServerProtocol(max_size=fr.TRANSPORT_MAX_BYTES)
        self.user_id = ""
        limits = self.service.limits
        self.max_bytes = limits.outbound_bytes
        self.max_frames = limits.outbound_frames
        self.out: list[bytes] = []
        self.out_bytes = 0
        self.buffered = 0  # bytes the transport held when it last paused us
        self.write_paused = False
        self.read_paused = False
        self._flush_scheduled = False
        self._timer: asyncio.TimerHandle | None = None
        self.inbound: collections.deque[bytes] | None = None
        self.fragments: list[Any] | None = None
        self.reader: asyncio.Task[None] | None = None
        self.closed = False  # no more frames may be queued (closing, closed, or cut off)
        self.close_code = 1000
        self.lost = False  # the TCP connection is gone
        self.registered = False  # the service counts it (hello sent, in by_user)
        self.ended = False  # the service is done with it (disconnect recorded)
        self.refused_in_a_row = 0
        self.heard = True  # the peer sent something since the last keepalive sweep
        self.pinged = False  # the last sweep pinged it and it has not answered yet

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        if self.connections is not None:
            self.connections.add(self)

    def data_received(self, data: bytes) -> None:
        self.heard = True
        ws = self.ws
        ws.receive_data(data)
        events: list[Any] = ws.events_received()
        if events:
            if ws.state is State.CONNECTING:
                self._handshake(events[0])
                events = events[1:]
            for event in events:
                opcode = event.opcode
                if opcode is _TEXT or opcode is _BINARY:
                    if event.fin:
                        self._frame_in(event.data)
                    else:
                        self.fragments = [event.data]
                elif opcode is _CONT and self.fragments is not None:
                    self.fragments.append(event.data)
                    if event.fin:
                        whole, self.fragments = b"".join(self.fragments), None
                        self._frame_in(whole)
        self._write_protocol_output()
        # The library answers each ping with a pong on its own, past the send queue: a client
        # that pings and never reads is held to the same limit as one that is sent messages.
        if self.write_paused and not self.closed and self.transport.get_write_buffer_size() > self.max_bytes:
            self.cut_off(CLOSE_SLOW)

    def eof_received(self) -> bool | None:
        self.ws.receive_eof()
        self._write_protocol_output()
        return None  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.closed = True
        self.out.clear()
        self.out_bytes = 0
        self.inbound = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.connections is not None:
            self.connections.discard(self)
        if self.reader is None and self.registered:
            # The reader, when one runs, records the disconnect when it finishes its frame.
            self.reader = asyncio.get_running_loop().create_task(self._end())

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        self.buffered = 0
        if self.out:
            self._schedule_flush()

    def shutdown(self) -> None:
        """uvicorn is stopping (after the service drained): close what is still open."""
        if not self.closed:
            self.close(CLOSE_RESTART)
        elif not self.lost and self._timer is None:
            self.transport.close()

    def keepalive(self) -> None:
        """One keepalive sweep (the service runs one for all sockets every KEEPALIVE_S): a socket
        that said nothing since the last one is pinged; one that did not answer that ping is
        gone (a peer that vanished without a FIN) and is closed."""
        if self.closed:
            return
        if self.heard:
            self.heard = self.pinged = False
        elif not self.pinged:
            self.pinged = True
            if self.ws.state is _OPEN:
                self.ws.send_ping(b"keepalive")
                self._write_protocol_output()
        else:
            log.info("%s did not answer a ping in %.0f s; closing its socket", self.user_id or "a client", KEEPALIVE_S)
            self.cut_off(CLOSE_GONE)

    # ------------------------------------------------------------------ the handshake

    def _handshake(self, request: Any) -> None:
        ws = self.ws
        if not hasattr(request, "path"):  # not a request: the parser already answered (e.g. 431)
            return
        url = urlsplit(request.path)
        if url.path != WS_PATH:
            response = ws.reject(404, f"no WebSocket at {url.path[:100]}; connect to {WS_PATH}?token=...\n")
            ws.send_response(response)
            return
        response = ws.accept(request)
        ws.send_response(response)
        if response.status_code != 101:  # not a valid WebSocket handshake: the 4xx is on its way
            return
        token = (parse_qs(url.query).get("token") or [None])[0]
        if token is None:
            header = request.headers.get("Authorization")
            if header and header[:7].lower() == "bearer ":
                token = header[7:].strip()
        self._write_protocol_output()  # the 101 before any frame
        self.service.socket_opened(self, token)

    # ------------------------------------------------------------------ frames in

    def _frame_in(self, data: Any) -> None:
        if self.closed:
            return  # closing: what the client still sends is not handled
        inbound = self.inbound
        if inbound is None:
            inbound = self.inbound = collections.deque()
        inbound.append(data)
        if self.reader is None:
            self.reader = asyncio.get_running_loop().create_task(self._read())
        if len(inbound) >= MAX_INBOUND and not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    async def _read(self, connecting: Any = None) -> None:
        """Handle the frames waiting, one at a time, then end (an idle socket has no task)."""
        service = self.service
        try:
            if connecting is not None:
                await connecting
            inbound = self.inbound
            while inbound and not self.lost:
                raw = inbound.popleft()
                if self.read_paused and len(inbound) < MAX_INBOUND // 2:
                    self.read_paused = False
                    self.transport.resume_reading()
                await service.on_frame(self, raw)
                inbound = self.inbound
        finally:
            self.reader = None
            if self.lost and self.registered and not self.ended:
                await self._end()

    def start_reader(self, connecting: Any) -> None:
        """Run `connecting` (the core's connect) before any frame of this socket is handled."""
        self.reader = asyncio.get_running_loop().create_task(self._read(connecting))

    async def _end(self) -> None:
        try:
            await self.service.socket_closed(self)
        finally:
            self.ended = True
            self.reader = None

    # ------------------------------------------------------------------ frames out (the core's Connection)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        self.push(frame)

    def push(self, frame: dict[str, Any]) -> None:
        """Queue a frame for this client (never waits); ConnectionError if it is closed or cut off now."""
        if self.closed:
            raise ConnectionError(f"{self.user_id}'s socket is closed")
        data = encode_frame(frame)
        if len(self.out) >= self.max_frames or self.buffered + self.out_bytes + len(data) > self.max_bytes:
            self.cut_off(CLOSE_SLOW)
            raise ConnectionError(f"{self.user_id} is not reading; disconnected")
        self.out.append(data)
        self.out_bytes += len(data)
        if not self._flush_scheduled and not self.write_paused:
            self._schedule_flush()
        if frame.get("type") == "reconnect":
            self.close(CLOSE_RESTART)

    @property
    def queued_frames(self) -> int:
        return len(self.out)

    @property
    def queued_bytes(self) -> int:
        return self.out_bytes + self.buffered

    def _schedule_flush(self) -> None:
        self._flush_scheduled = True
        asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        """Everything queued this loop turn, in one write (and the close frame after it, when closing)."""
        self._flush_scheduled = False
        if self.lost or self.write_paused:
            return
        ws = self.ws
        out = self.out
        if out and ws.state is _OPEN:
            self.service.before_write()
            self.transport.write(text_frames(out))
        out.clear()
        self.out_bytes = 0
        if self.closed and ws.state is _OPEN:
            ws.send_close(self.close_code)
            self._arm_close_timer()
        self._write_protocol_output()
        if self.write_paused:
            self.buffered = self.transport.get_write_buffer_size()

    def _write_protocol_output(self) -> None:
        ws = self.ws
        chunks = ws.data_to_send()
        if not chunks or self.lost:
            return
        eof = chunks[-1] == b""
        data = b"".join(chunks)
        if data:
            self.transport.write(data)
        if eof or ws.close_expected():
            # The close handshake is done (or the handshake refused): the server ends the TCP
            # connection; close() sends what the transport still holds first.
            self.closed = True
            self.transport.close()

    # ------------------------------------------------------------------ closing

    def close(self, code: int) -> None:
        """Send what is queued, then close with `code`."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        if self.ws.state is State.CONNECTING:
            self.transport.close()
            return
        if not self._flush_scheduled:
            self._schedule_flush()
        if self.write_paused:  # the peer is slow: the close waits behind its queue, but not forever
            self._arm_close_timer()

    def cut_off(self, code: int) -> None:
        """Drop what is queued and close now, whatever the peer is doing."""
        if code == CLOSE_SLOW and not self.closed:
            self.service.count_slow()
        self.closed = True
        self.close_code = code
        self.out.clear()
        self.out_bytes = 0
        self.buffered = 0
        if self.lost:
            return
        if not self.transport.is_closing():
            self.transport.pause_reading()  # nothing more from it: not even pings to answer
        if self.ws.state is _OPEN:
            self.ws.send_close(code)
            self._write_protocol_output()  # behind what the transport holds: a peer that reads gets it
        self._arm_close_timer()

    def _arm_close_timer(self) -> None:
        if self._timer is None and not self.lost:
            self._timer = asyncio.get_running_loop().call_later(CLOSE_TIMEOUT_S, self._close_timed_out)

    def _close_timed_out(self) -> None:
        # The peer did not finish the close handshake in time. A transport closed with a full
        # write buffer waits for the peer forever: a peer that reads nothing gets a reset.
        self._timer = None
        if self.lost:
            return
        if self.transport.get_write_buffer_size():
            self.transport.abort()
        else:
            self.transport.close()


def socket_protocol(service: ChatService) -> type[ChatSocket]:
    """The WebSocket protocol class uvicorn builds for each upgrade, bound to `service`."""
    return type("ChatSocketFor" + service.server_id.replace("-", "_"), (ChatSocket,),
                {"service": service, "__slots__": ()})
