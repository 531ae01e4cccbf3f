"""The WebSocket protocol of the chat service: JSON frames in, JSON frames out.

Client to server:
    {"type": "send", "to": USER | "channel_id": ID, "text": str, "client_msg_id": str, "kind"?: "text" | "media"}
    {"type": "delivered", "message_id": int, "channel_id"?: ID}
    {"type": "typing" | "enter_room" | "leave_room", "channel_id": ID}
    {"type": "ping"}
Server to client:
    {"type": "hello", "user_id", "server_id", "max_frame_bytes"} once the socket is open;
    ack, message, typing and reconnect (the server is draining) as the chat core makes them
    (`server.Ack.frame()`, `store.Message.frame()`, ...); {"type": "pong"}; and
    {"type": "error", "code", "message", "client_msg_id"?} for a bad frame — the socket stays open.

A media message is a send of kind "media" whose text is the small JSON the upload returned
(`MediaService.metadata_text`): the bytes went to the object store, never down the socket.

Parsing is hand-written rather than a pydantic model: it runs once per frame on the hot path
and its error messages are part of the protocol.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson

from interview_coach.chat.service.auth import validate_user_id
from interview_coach.errors import UsageError


def loads(raw: str | bytes) -> Any:
    """JSON of a frame: orjson (fast), and for what it refuses the standard library, whose
    answer — a value (NaN, a huge integer, a lone surrogate) or a ValueError — is the protocol's."""
    try:
        return orjson.loads(raw)
    except ValueError:
        return json.loads(raw)


# The application's limit on one frame. Text chat is small (the chapter's 100-byte message);
# media goes to the object store, never down the socket, so 16 KiB is generous. Frames over it
# get an error frame. The transport (ws_transport.py) has a hard limit far above it, which closes (1009).
MAX_FRAME_BYTES = 16 * 1024
TRANSPORT_MAX_BYTES = 1024 * 1024
MAX_CLIENT_MSG_ID = 100
MAX_CHANNEL_ID = 160

CLIENT_TYPES = ("send", "delivered", "typing", "enter_room", "leave_room", "ping")
SEND_KINDS = ("text", "media")


class FrameError(UsageError):
    """A client frame the server refuses; sent back as an error frame, never a closed socket."""

    def __init__(self, code: str, message: str, client_msg_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.client_msg_id = client_msg_id

    def frame(self) -> dict[str, Any]:
        return error_frame(self.code, self.message, self.client_msg_id)


@dataclass(frozen=True)
class SendFrame:
    text: str
    client_msg_id: str
    to: str | None = None
    channel_id: str | None = None
    kind: str = "text"


@dataclass(frozen=True)
class DeliveredFrame:
    message_id: int
    channel_id: str | None = None


@dataclass(frozen=True)
class RoomFrame:
    """typing, enter_room or leave_room: all name one channel."""

    type: str
    channel_id: str


@dataclass(frozen=True)
class PingFrame:
    pass


ClientFrame = SendFrame | DeliveredFrame | RoomFrame | PingFrame


def _str_field(frame: dict[str, Any], name: str, limit: int, cmid: str | None, required: bool = True) -> str | None:
    value = frame.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise FrameError("bad_frame", f"'{name}' must be a non-empty string", cmid)
    if len(value) > limit:
        raise FrameError("bad_frame", f"'{name}' is {len(value)} characters; the limit is {limit}", cmid)
    return value


def parse_client_frame(raw: str | bytes, max_bytes: int = MAX_FRAME_BYTES) -> ClientFrame:
    """One client frame, validated; FrameError says what was wrong and what is accepted."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8"))
    if size > max_bytes:
        raise FrameError("too_large", f"the frame is {size} bytes; the limit is {max_bytes} "
                                      "(send media through POST /v1/media/uploads)")
    try:
        frame = loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise FrameError("bad_json", "the frame is not valid JSON") from None
    if not isinstance(frame, dict):
        raise FrameError("bad_frame", "a frame is a JSON object with a 'type'")
    kind = frame.get("type")
    raw_cmid = frame.get("client_msg_id")
    cmid = raw_cmid if isinstance(raw_cmid, str) and len(raw_cmid) <= MAX_CLIENT_MSG_ID else None
    if kind == "send":
        client_msg_id = _str_field(frame, "client_msg_id", MAX_CLIENT_MSG_ID, None)
        text = frame.get("text")
        if not isinstance(text, str) or not text.strip():
            raise FrameError("bad_frame", "'text' must be a non-empty string", cmid)
        to = frame.get("to")
        channel_id = frame.get("channel_id")
        if (to is None) == (channel_id is None):
            raise FrameError("bad_frame", "a send names exactly one of 'to' (a user) or 'channel_id'", cmid)
        if to is not None:
            try:
                validate_user_id(to, "to")
            except UsageError as exc:
                raise FrameError("bad_frame", str(exc), cmid) from None
        else:
            _str_field(frame, "channel_id", MAX_CHANNEL_ID, cmid)
        message_kind = frame.get("kind", "text")
        if message_kind not in SEND_KINDS:
            raise FrameError("bad_frame", f"'kind' must be one of {', '.join(SEND_KINDS)}", cmid)
        return SendFrame(text=text, client_msg_id=client_msg_id or "", to=to, channel_id=channel_id, kind=message_kind)
    if kind == "delivered":
        message_id = frame.get("message_id")
        if not isinstance(message_id, int) or isinstance(message_id, bool) or message_id <= 0:
            raise FrameError("bad_frame", "'message_id' must be a positive integer")
        return DeliveredFrame(message_id=message_id,
                              channel_id=_str_field(frame, "channel_id", MAX_CHANNEL_ID, None, required=False))
    if kind in ("typing", "enter_room", "leave_room"):
        return RoomFrame(type=kind, channel_id=_str_field(frame, "channel_id", MAX_CHANNEL_ID, None) or "")
    if kind == "ping":
        return PingFrame()
    shown = kind if isinstance(kind, str) else json.dumps(kind)
    raise FrameError("unknown_type", f"unknown frame type {shown[:40]!r}; expected one of {', '.join(CLIENT_TYPES)}", cmid)


# The server frames the chat core does not make itself.

def error_frame(code: str, message: str, client_msg_id: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if client_msg_id is not None:
        frame["client_msg_id"] = client_msg_id
    return frame


def hello_frame(user_id: str, server_id: str) -> dict[str, Any]:
    return {"type": "hello", "user_id": user_id, "server_id": server_id, "max_frame_bytes": MAX_FRAME_BYTES}


def pong_frame() -> dict[str, Any]:
    return {"type": "pong"}
