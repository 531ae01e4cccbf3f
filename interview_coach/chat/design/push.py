"""The push-notification fallback for recipients with no live connection.

In production this hands off to APNs/FCM; here `RecordingPushSink` records each notification
so a demo can show it and a test can count it. Async because the real hand-off is a network call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from interview_coach.chat.design.store import Message

PREVIEW_CHARS = 60


class PushSink(Protocol):
    async def notify(self, user_ids: Sequence[str], message: Message) -> None:
        """Tell each offline user about `message` (one call for many users: batched hand-off)."""
        ...


@dataclass(frozen=True, slots=True)
class PushNotification:
    user_id: str
    channel_id: str
    message_id: int
    sender_id: str
    preview: str


def preview(message: Message) -> str:
    if message.kind == "media":
        return "sent an attachment"
    text = " ".join(message.text.split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


class RecordingPushSink:
    def __init__(self) -> None:
        self.notifications: list[PushNotification] = []
        self.calls = 0

    async def notify(self, user_ids: Sequence[str], message: Message) -> None:
        self.calls += 1
        shown = preview(message)
        self.notifications.extend(
            PushNotification(u, message.channel_id, message.message_id, message.sender_id, shown) for u in user_ids
        )

    def for_user(self, user_id: str) -> list[PushNotification]:
        return [n for n in self.notifications if n.user_id == user_id]
