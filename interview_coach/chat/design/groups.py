"""The group service: who belongs to which channel, cached in memory.

The chapter puts membership in a dedicated service; the chat server asks it whether a sender
may post to a channel and the fan-out workers ask it for a group's roster. Rosters are read
once from the `ChannelDirectory` and then served from memory, because both questions are on
every message's path. The cache is this process's: writes through this service keep it right;
a fleet whose members change elsewhere must invalidate it (`forget()`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from interview_coach.chat.design.errors import ChatError, NotMemberError, UnknownChannelError
from interview_coach.chat.design.store import Channel, ChannelDirectory, direct_channel_id
from interview_coach.clock import Clock

MAX_GROUP_MEMBERS = 100_000
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class Roster:
    channel_id: str
    kind: str  # "direct" or "group"
    members: tuple[str, ...]
    member_set: frozenset[str]


def check_user_id(user_id: object) -> str:
    if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > 200:
        raise ChatError(f"user id {user_id!r} is not valid", "use a non-empty name of at most 200 characters")
    return user_id


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
            raise ChatError(f"group name {name!r} is not valid", f"use 1..{MAX_NAME_CHARS} characters")
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
            await self.directory.create_channel(channel_id, "direct", f"{pair[0]} & {pair[1]}", pair, int(self._clock.now() * 1000))
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
