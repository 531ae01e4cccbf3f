"""Errors of the reference chat, each with a stable `code` a front end can map.

They are `CoachError`s, so the CLI prints them as one line; the service (HTTP/WebSocket) maps
`code` to a status or an error frame: `bad_request` → 400, `not_member` → 403,
`not_found` → 404, `too_large` → 413, `refused` / `bad_signature` / `expired` → 400/403.
"""

from __future__ import annotations

from interview_coach.errors import CoachError, UsageError


class ChatError(UsageError):
    """A request the chat refuses; `code` names the reason for machines."""

    code = "bad_request"

    def __init__(self, message: str, hint: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message, hint)
        if code is not None:
            self.code = code


class ClientMessageExists(ChatError):
    """A put found its (channel, sender, client_msg_id) stored already, under `existing`'s id.

    Raised only by a persist queue that checks client ids atomically with the write
    (`checks_client_ids`); nothing was stored, and the sender gets `existing`'s ack.
    """

    code = "conflict"

    def __init__(self, message: str, hint: str | None = None, *, existing: object = None) -> None:
        super().__init__(message, hint)
        self.existing = existing  # the stored Message, when the queue could read it back


class NotMemberError(ChatError):
    code = "not_member"


class UnknownChannelError(ChatError):
    code = "not_found"


class UploadRefused(ChatError):
    """The pre-upload policy or the object store refused a file; `reason` is a short phrase."""

    code = "refused"

    def __init__(self, reason: str, hint: str | None = None, *, code: str | None = None) -> None:
        super().__init__(f"upload refused: {reason}", hint, code=code)
        self.reason = reason


class SignatureError(ChatError):
    """A presigned URL whose signature does not match (a changed byte) or whose time is up."""

    code = "bad_signature"


class ClockDriftError(CoachError):
    """The clock went back further than a Snowflake generator is willing to wait out."""

    code = "clock_drift"
