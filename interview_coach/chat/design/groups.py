"""The group service: who belongs to which channel, cached in memory.

The chapter puts membership in a dedicated service; the chat server asks it whether a sender
may post to a channel and the fan-out workers ask it for a group's roster. Rosters are read
once from the `ChannelDirectory` and then served from memory, because both questions are on
every message's path. The cache is this process's: writes through this service keep it right;
a fleet whose members change elsewhere must invalidate it (`forget()`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from interview_coach.chat.design.errors import ChatError, NotMemberError, UnknownChannelError
from interview_coach.chat.design.store import Channel, ChannelDirectory, direct_channel_id
from interview_coach.clock import Clock

MAX_GROUP_MEMBERS = 100_000
MAX_NAME_CHARS = 200
MAX_CHANNEL_ID_CHARS = 160
# A group id a client picks: its own namespace, so it can never be a direct channel's id
# (`dm:alice:bob`) or anything else the server names, and safe in URLs, keys and file names.
GROUP_ID_RE = re.compile(r"^group:[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Roster:
    channel_id: str
    kind: str  # "direct" or "group"
    members: tuple[str, ...]
    member_set: frozenset[str]


def shown(value: object, limit: int = 40) -> str:
    """A value for an error message: repr'd and cut, so a 10 MB input is never echoed back."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_utf8(value: str, what: str) -> str:
    """Text every store and wire format can hold: a lone surrogate (from a JSON `\\ud800`) is
    not Unicode text, and SQLite, Redis and UTF-8 journals all refuse to encode it."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ChatError(f"{what} holds a lone surrogate, which is not valid Unicode text",
                            "send well-formed text (pair every surrogate)") from None
    return value


def check_user_id(user_id: object) -> str:
    if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > 200:
        raise ChatError(f"user id {shown(user_id)} is not valid", "use a non-empty name of at most 200 characters")
    return check_utf8(user_id, "user id")


def check_channel_id(channel_id: object) -> str:
    if not isinstance(channel_id, str) or not channel_id or len(channel_id) > MAX_CHANNEL_ID_CHARS:
        raise ChatError(f"channel id {shown(channel_id)} is not valid", f"use 1..{MAX_CHANNEL_ID_CHARS} characters")
    return check_utf8(channel_id, "channel id")


def check_group_id(channel_id: object) -> str:
    if not isinstance(channel_id, str) or not GROUP_ID_RE.match(channel_id):
        raise ChatError(f"group id {shown(channel_id)} is not valid",
                        "use 'group:' and 1-64 letters, digits, '_', '-' or '.', e.g. group:team-1; or leave it out")
    return channel_id


class GroupService:
    def __init__(self, directory: ChannelDirectory, clock: Clock, *, max_members: int = MAX_GROUP_MEMBERS) -> None:
        self.directory = directory
        self._clock = clock
        self.max_members = max_members
        self._rosters: dict[str, Roster] = {}
        self._direct: dict[tuple[str, str], str] = {}  # (sender, recipient) -> channel id
        self.directory_reads = 0

    async def create_group(
        self, name: str, members: Iterable[str], *, channel_id: str | None = None
    ) -> Channel:
        name = (name or "").strip()
        if not name or len(name) > MAX_NAME_CHARS:
            raise ChatError(f"group name {shown(name)} is not valid", f"use 1..{MAX_NAME_CHARS} characters")
        check_utf8(name, "the group name")
        if channel_id is not None:
            check_group_id(channel_id)
        unique = list(dict.fromkeys(check_user_id(m) for m in members))
        if len(unique) < 2:
            raise ChatError("a group needs at least two members", "list the members, the creator included")
        if len(unique) > self.max_members:
            raise ChatError(f"a group of {len(unique):,} members is over the limit", f"keep it to {self.max_members:,}")
        channel_id = channel_id or f"group:{secrets.token_hex(6)}"
        created_ms = int(self._clock.now() * 1000)
        if not await self.directory.create_channel(channel_id, "group", name, unique, created_ms):
            raise ChatError(f"channel '{channel_id}' exists already", "pick another id or leave it out")
        self._rosters[channel_id] = Roster(channel_id, "group", tuple(unique), frozenset(unique))
        return Channel(channel_id, "group", name, created_ms)

    async def ensure_direct(self, user_a: str, user_b: str) -> str:
        channel_id = self._direct.get((user_a, user_b))
        if channel_id is None:
            channel_id = direct_channel_id(check_user_id(user_a), check_user_id(user_b))
            if len(self._direct) > 100_000:
                self._direct.clear()
            self._direct[(user_a, user_b)] = channel_id
        if channel_id not in self._rosters:
            pair = tuple(sorted((user_a, user_b)))
            created = await self.directory.create_channel(channel_id, "direct", f"{pair[0]} & {pair[1]}", pair,
                                                          int(self._clock.now() * 1000))
            if not created:
                # It existed: check it is this pair's direct channel and nothing else, so no
                # channel made under a direct id (older data, another writer) gets their messages.
                existing = await self.directory.channel(channel_id)
                members = tuple(sorted(await self.directory.members(channel_id)))
                if existing is None or existing.kind != "direct" or members != pair:
                    raise ChatError(f"channel '{channel_id}' exists and is not the direct channel of {pair[0]} and {pair[1]}",
                                    "an operator must remove or rename it", code="channel_conflict")
            self._rosters[channel_id] = Roster(channel_id, "direct", pair, frozenset(pair))
        return channel_id

    async def roster(self, channel_id: str) -> Roster:
        roster = self._rosters.get(channel_id)
        if roster is None:
            self.directory_reads += 1
            channel = await self.directory.channel(channel_id)
            if channel is None:
                raise UnknownChannelError(f"no channel '{channel_id}'", "create the group first, or send to a user")
            members = tuple(await self.directory.members(channel_id))
            roster = Roster(channel_id, channel.kind, members, frozenset(members))
            self._rosters[channel_id] = roster
        return roster

    async def members(self, channel_id: str) -> tuple[str, ...]:
        return (await self.roster(channel_id)).members

    async def check_member(self, channel_id: str, user_id: str) -> Roster:
        roster = await self.roster(channel_id)
        if user_id not in roster.member_set:
            raise NotMemberError(f"'{user_id}' is not a member of '{channel_id}'", "join the channel first")
        return roster

    async def add_members(self, channel_id: str, user_ids: Iterable[str]) -> None:
        roster = await self.roster(channel_id)
        if roster.kind != "group":
            raise ChatError(f"'{channel_id}' is a direct channel", "create a group to add people")
        added = [check_user_id(u) for u in user_ids if u not in roster.member_set]
        if len(roster.members) + len(added) > self.max_members:
            raise ChatError("the group would be over its member limit", f"keep it to {self.max_members:,}")
        await self.directory.add_members(channel_id, added)
        self.forget(channel_id)

    async def remove_member(self, channel_id: str, user_id: str) -> None:
        await self.directory.remove_member(channel_id, user_id)
        self.forget(channel_id)

    def forget(self, channel_id: str | None = None) -> None:
        """Drop cached rosters (one, or all) so the next read goes to the directory."""
        if channel_id is None:
            self._rosters.clear()
        else:
            self._rosters.pop(channel_id, None)
