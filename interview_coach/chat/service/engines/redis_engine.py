"""The chat core's protocols on one shared Redis, so several `serve` processes are one chat.

What the chapter puts in Redis, and one thing it puts in Cassandra, each behind the same
protocol the embedded engine implements in memory or SQLite:

* `RedisRegistry` (SessionRegistry): `chat:session:<user>` = server id with a TTL; a server's
  heartbeat refreshes all its users in one script call; `lookup_many` is one MGET per 1,000.
* `RedisBus` (Bus): Pub/Sub, one channel per server (`chat:server:<id>`) and one per open
  room for typing (`chat:room:<id>:typing`). PUBLISH answers with the number of listeners, so
  a message for a server that died is pushed instead of dropped silently. Its subscriptions
  run on a connection of their own, parsed by hiredis (`PubSubReader`).
* message ids: per-channel counters taken *inside* the commit script (`RedisWriteThrough`
  assigns ids), so a channel's ids become visible strictly in order whichever server writes —
  what keeps sync cursors from skipping a message. `RedisCounterIds` (a separate INCR, one
  more round trip, and a window in which a paused server holds an id not yet visible) is the
  older IdSource, kept for comparison.
* `RedisFanout` (FanoutQueue): group messages on Redis Streams with a consumer group, split
  in partitions by channel like Kafka's keyed topic; a partition is consumed by the server
  holding its lease, so one channel is routed in order, and a dead server's lease runs out and
  the next owner claims the entries it had taken but not finished (XAUTOCLAIM).
* `RedisChatStore` (MessageStore + ChannelDirectory): a sorted set per channel scored by
  message id — the chapter's partition key (channel) and clustering key (message id), so
  pages and sync cursors are range reads — a hash per channel for client-message-id
  idempotency, and channel metadata and membership as hashes and sets.
* `RedisWriteThrough` (PersistQueue): on Redis the "journal" and the store are one write, made
  atomically by a script before the sender is acknowledged, so a message acknowledged by a
  server that is killed a moment later is already visible to every other server's sync.
* `RouteAhead`: the same script call also does the send's routing work on Redis — the
  recipient's session lookup and the PUBLISH (direct), or the fan-out XADD (group) — so a
  send is one round trip; the registry, bus and fan-out then answer the route from what it did.
* `EpochWatch`: every write script checks `chat:epoch`, so a Redis that restarted empty is
  noticed at the first write and recovered from loudly (see the class).

All keys of one channel share a hash tag (`chat:{<channel>}:…`), so a move to Redis Cluster
keeps each channel's script on one shard. Commands go through `AutoPipeline`: everything the
server's coroutines ask in one event-loop turn travels in one pipeline round trip, which is
what lets one process keep up with thousands of sends per second over one connection.

Message ids must stay below 2**53 here (sorted-set scores are doubles): per-channel counters
do; 63-bit Snowflake ids would not, which is one reason this engine numbers by INCR.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import json
import logging
import secrets
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from interview_coach.chat.design.bus import BusStats, Envelope, Handler, InlineSubscription, server_topic
from interview_coach.chat.design.errors import ChatError, ClientMessageExists
from interview_coach.chat.design.fanout import FanoutStats, Router, RouteReport
from interview_coach.chat.design.groups import GroupService
from interview_coach.chat.design.ids import EPOCH_MS
from interview_coach.chat.design.registry import DEFAULT_TTL_S, RegistryStats
from interview_coach.chat.design.store import (
    Channel,
    ConversationPage,
    Message,
    Page,
    Receipt,
    StoreStats,
    check_limit,
    decode_conversation_cursor,
    encode_conversation_cursor,
)
from interview_coach.errors import CoachError, UsageError

log = logging.getLogger(__name__)

PREFIX = "chat:"
MAX_EXACT_ID = (1 << 53) - 1
MGET_CHUNK = 1000
HEARTBEAT_CHUNK = 1000
# Ids by counter are assigned (INCR) and stored (script) in two round trips, so another
# server's higher id can become visible first. Sync reads this many ids below a cursor;
# the client drops the ones it has (ClientState). Far above what one channel gets in a round trip.
COUNTER_LOOKBACK_IDS = 32


class RedisUnavailable(CoachError):
    """Redis could not be reached or answered with an error the engine cannot work around.

    `unavailable` is a code a client retries on (the HTTP status is 503 with Retry-After):
    an outage is temporary, and a send retried with its client_msg_id is stored once."""

    code = "unavailable"


class RedisDataLost(RedisUnavailable):
    """Redis no longer holds the epoch this server started with: it restarted without its data."""


def redact_url(url: str) -> str:
    """A Redis URL fit to print: any user name and password replaced by '***'."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable Redis URL>"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = "***@" + host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def channel_key(channel_id: str, what: str) -> str:
    return f"{PREFIX}{{{channel_id}}}:{what}"


def user_key(user_id: str, what: str) -> str:
    return f"{PREFIX}user:{user_id}:{what}"


# ---------------------------------------------------------------------- the connection


def _encode(args: tuple[Any, ...]) -> bytes:
    """One command in RESP: an array of bulk strings. (On the hot path: exact type checks.)"""
    out = bytearray(b"*%d\r\n" % len(args))
    for arg in args:
        kind = type(arg)
        if kind is str:
            data = arg.encode()
        elif kind is bytes:
            data = arg
        elif kind is int or kind is float:
            data = repr(arg).encode()
        else:
            raise TypeError(f"cannot send {kind.__name__} to Redis")
        out += b"$%d\r\n" % len(data)
        out += data
        out += b"\r\n"
    return bytes(out)


def _bulk(*items: str | bytes | int) -> bytes:
    """Items as RESP bulk strings, back to back: the pieces of a command cached for reuse."""
    encoded = _encode(items)
    return encoded[encoded.index(b"\r\n") + 2:]


def _auth(opts: dict[str, Any]) -> list[bytes]:
    """The AUTH command the URL's password asks for (none without one)."""
    if not opts.get("password"):
        return []
    return [_encode(("AUTH", *([opts["username"]] if opts.get("username") else []), opts["password"]))]


async def _open(opts: dict[str, Any], hello: list[bytes]) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, Any]:
    """A connection to Redis parsed by hiredis, after `hello` (AUTH, SELECT ...) is answered:
    one reply read per command; an error reply or a closed connection is a ConnectionError."""
    import hiredis

    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(opts.get("host", "127.0.0.1"), opts.get("port", 6379)), 5)
    _keepalive(writer)
    parser = hiredis.Reader(encoding="utf-8", errors="replace")
    try:
        if hello:
            writer.write(b"".join(hello))
            for _ in hello:
                while (reply := parser.gets()) is False:
                    data = await asyncio.wait_for(reader.read(65536), 5)
                    if not data:
                        raise ConnectionError("Redis closed the connection")
                    parser.feed(data)
                if isinstance(reply, Exception):
                    raise ConnectionError(str(reply))
    except BaseException:
        writer.close()
        raise
    return reader, writer, parser


def _keepalive(writer: asyncio.StreamWriter) -> None:
    """TCP keepalive after 30 s idle, so a Redis host that vanished without closing the
    connection (power loss, a network partition) is noticed in about a minute, not hours."""
    import socket

    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    with contextlib.suppress(OSError, AttributeError):  # options a platform lacks: the OS defaults stay
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)


def _reply_error(error: Exception) -> Exception:
    from redis.exceptions import NoScriptError, ResponseError

    text = str(error)
    return NoScriptError(text) if text.startswith("NOSCRIPT") else ResponseError(text)


class AutoPipeline:
    """One connection to Redis, fully pipelined: every command of an event-loop turn in one write.

    Commands are written in the order they are asked for and Redis answers a connection in
    order, so causality between coroutines holds (a session removed, then registered again,
    stays registered) — and there is no waiting for one batch's answers before the next batch
    is written: this process encodes and Redis executes at the same time. Replies are parsed
    by hiredis, many per socket read. Blocking commands (XREADGROUP) and Pub/Sub do not belong
    here: the stream reads use a redis-py client, Pub/Sub a `PubSubReader`, each its own connection.
    """

    def __init__(self, url: str) -> None:
        from redis.connection import parse_url

        self.url = redact_url(url)  # for messages; the password stays in _options only
        self._options = parse_url(url)
        self._out: list[bytes] = []
        self._waiting: collections.deque[asyncio.Future[Any]] = collections.deque()
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._scheduled = False
        self.round_trips = 0  # writes: each carries every command asked since the last one
        self.commands = 0
        # Sent first on every connection, before any call (the scripts' SCRIPT LOAD).
        self.on_connect: list[bytes] = []

    def call(self, *args: Any) -> asyncio.Future[Any]:
        return self.send(_encode(args))

    def send(self, command: bytes) -> asyncio.Future[Any]:
        """One command already in RESP (the hot path builds its sends from cached pieces)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._out.append(command)
        self._waiting.append(future)
        self.commands += 1
        if self._writer is None:
            if self._connecting is None:
                self._connecting = loop.create_task(self._connect())
        elif not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._write)  # after this turn: what it asks joins the write
        return future

    def _write(self) -> None:
        self._scheduled = False
        if self._out and self._writer is not None:
            data, self._out = b"".join(self._out), []
            self._writer.write(data)
            self.round_trips += 1

    async def _connect(self) -> None:
        opts = self._options
        hello = _auth(opts)
        if opts.get("db"):
            hello.append(_encode(("SELECT", opts["db"])))
        hello += self.on_connect
        try:
            reader, writer, parser = await _open(opts, hello)
        except Exception as exc:  # whatever stopped the handshake, the callers get one RedisUnavailable
            log.debug("Redis connect failed", exc_info=True)
            self._fail(RedisUnavailable(f"cannot reach Redis at {self.url}: {scrub(str(exc))}",
                                        "the server retries on the next request; is Redis running?"))
            return
        finally:
            self._connecting = None
        self._writer = writer
        self._reader_task = asyncio.get_running_loop().create_task(self._read(reader, parser), name="redis-replies")
        self._write()

    async def _read(self, reader: asyncio.StreamReader, parser: Any) -> None:
        waiting = self._waiting
        try:
            while True:
                data = await reader.read(262144)
                if not data:
                    raise ConnectionError("Redis closed the connection")
                parser.feed(data)
                while (reply := parser.gets()) is not False:
                    future = waiting.popleft()
                    if future.done():  # the caller was cancelled
                        continue
                    if isinstance(reply, Exception):
                        future.set_exception(_reply_error(reply))
                    else:
                        future.set_result(reply)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every command in flight fails; the next call reconnects
            log.debug("Redis reply reader stopped", exc_info=True)
            writer, self._writer = self._writer, None
            if writer is not None:
                writer.close()
            self._fail(RedisUnavailable(f"Redis failed: {scrub(str(exc))}", "send again in a moment"))

    def _fail(self, error: Exception) -> None:
        self._out = []
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_exception(error)

    async def close(self) -> None:
        if self._reader_task is not None:
            await _cancel(self._reader_task)
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._fail(RedisUnavailable("the Redis connection is closed"))


def _pairs(flat: list[Any] | dict[str, Any]) -> dict[str, Any]:
    """A flat [field, value, …] reply (HGETALL) as a dict."""
    return flat if isinstance(flat, dict) else dict(zip(flat[::2], flat[1::2], strict=True))


class Scripts:
    """Lua scripts by name: EVALSHA, and EVAL once when Redis has forgotten them (restart)."""

    def __init__(self, pipeline: AutoPipeline, sources: dict[str, str]) -> None:
        self._pipeline = pipeline
        self._sources = sources
        self._shas = {name: hashlib.sha1(src.encode()).hexdigest() for name, src in sources.items()}
        # Loaded on every (re)connection, so EVALSHA finds them: the EVAL fallback is a second
        # command written after whatever was asked meanwhile, which would break the pipeline's
        # order (an unregister's compare-and-delete landing after the same user's new register).
        pipeline.on_connect += [_encode(("SCRIPT", "LOAD", src)) for src in sources.values()]

        self._heads = {name: _bulk("EVALSHA", sha) for name, sha in self._shas.items()}

    async def run(self, name: str, keys: Sequence[str], args: Sequence[Any] = ()) -> Any:
        from redis.exceptions import NoScriptError

        try:
            return await self._pipeline.call("EVALSHA", self._shas[name], len(keys), *keys, *args)
        except NoScriptError:
            return await self._pipeline.call("EVAL", self._sources[name], len(keys), *keys, *args)

    async def run_encoded(self, name: str, items: int, body: bytes) -> Any:
        """`run` with numkeys, keys and args already RESP bulk strings: `items` of them in `body`."""
        from redis.exceptions import NoScriptError

        try:
            return await self._pipeline.send(b"*%d\r\n%b%b" % (items + 2, self._heads[name], body))
        except NoScriptError:
            return await self._pipeline.send(b"*%d\r\n%b%b" % (items + 2, _bulk("EVAL", self._sources[name]), body))


# Commit one message and number it in the same step: the channel's next id is taken and the
# message stored atomically, so ids become visible strictly in id order — a server paused or
# killed anywhere can never make a lower id appear after a higher one was read. A counter that
# does not exist (a new channel, or a Redis that lost its data) starts at the current
# millisecond × 1024 rather than 1, so ids never go backwards after a loss.
# The counter is also the channel's last message id (conversations read it): no write to the
# channel's meta per message.
# KEYS: msgs zset, client-id hash, total counter, channel seq, epoch.
# ARGV: the message JSON without its id ('{' first), client key, epoch token, epoch ms.
# commit() returns 1, id, the stored row (stored); 2, id (the client message is stored
# already); -1, 0 (wrong epoch: nothing written).
_COMMIT = """
local function commit()
  if redis.call('GET', KEYS[5]) ~= ARGV[3] then return -1, 0 end
  if ARGV[2] ~= '' then
    local existing = redis.call('HGET', KEYS[2], ARGV[2])
    if existing then return 2, existing end
  end
  local id = redis.call('INCR', KEYS[4])
  if id == 1 then
    local t = redis.call('TIME')
    local floor = (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[4])) * 1024
    if floor > id then
      id = floor
      redis.call('SET', KEYS[4], string.format('%.0f', id))
    end
  end
  local sid = string.format('%.0f', id)
  local row = '{"message_id":' .. sid .. ',' .. string.sub(ARGV[1], 2)
  redis.call('ZADD', KEYS[1], sid, row)
  if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], ARGV[2], sid) end
  redis.call('INCR', KEYS[3])
  return 1, sid, row
end
"""

_LUA = {
    # Compare-and-delete: remove a key only if it still holds our value.
    "cad": """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
""",
    # Lease: 2 = renewed (ours), 1 = taken (was free), 0 = someone else holds it.
    "lease": """
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 2 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
""",
    # Heartbeat: refresh our own sessions and re-create missing ones; never take another server's.
    "heartbeat": """
local n = 0
for _, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if not v or v == ARGV[1] then redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) n = n + 1 end
end
return n
""",
    # Commit one message and number it in the same step (_COMMIT below), and nothing else:
    # what tests and tools use; a server's sends use commit_route or commit_fanout.
    # Returns {1, id} stored, {2, id} the client message is stored already, {-1, 0} wrong epoch.
    "commit": _COMMIT + """
local status, id = commit()
return {status, id}
""",
    # A direct message's whole send in one script call, so one round trip: commit, then look
    # up each recipient's session and PUBLISH the envelope to every server but this one (whose
    # recipients the server hands over itself). Looked up and published atomically with the
    # write, which is no later than the route would have done it after the reply.
    # KEYS: the five of _COMMIT, then each recipient's session key.
    # ARGV: the four of _COMMIT, this server's id, the Pub/Sub channel prefix, the envelope's
    # head (up to its payload), then per recipient the envelope's tail (its recipients, origin).
    # Returns {1, id, server or nil, listeners or -1, ...} per recipient; {2, id}; {-1, 0}.
    "commit_route": _COMMIT + """
local status, id, row = commit()
if status ~= 1 then return {status, id} end
local out = {1, id}
for i = 6, #KEYS do
  local server = redis.call('GET', KEYS[i])
  local listeners = -1
  if server and server ~= ARGV[5] then
    listeners = redis.call('PUBLISH', ARGV[6] .. server, ARGV[7] .. row .. ARGV[i + 2])
  end
  out[#out + 1] = server
  out[#out + 1] = listeners
end
return out
""",
    # A group message's send in one script call: commit, then XADD to its fan-out partition in
    # the same step (so a partition's entries are in id order too).
    # KEYS: the five of _COMMIT, the partition's stream. ARGV: the four of _COMMIT, the stream's
    # approximate MAXLEN, the origin server. Returns as "commit".
    "commit_fanout": _COMMIT + """
local status, id, row = commit()
if status == 1 then redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[5], '*', 'm', row, 'o', ARGV[6]) end
return {status, id}
""",
    # Store one message under an id it already has (replays, imports, tests): idempotent on
    # (sender, client_msg_id) and on the id itself.
    # KEYS: msgs zset, client-id hash, channel meta, total counter, epoch. ARGV: id, json, client key, epoch.
    # Returns {1, id} when stored, {0, id} when this id was stored already, {2, other id} when
    # the same client message was stored under another id, {-1, 0} on a wrong epoch.
    "append": """
if redis.call('GET', KEYS[5]) ~= ARGV[4] then return {-1, 0} end
local id = tonumber(ARGV[1])
if ARGV[3] ~= '' then
  local existing = redis.call('HGET', KEYS[2], ARGV[3])
  if existing then
    if existing == ARGV[1] then return {0, existing} end
    return {2, existing}
  end
end
if redis.call('ZCOUNT', KEYS[1], ARGV[1], ARGV[1]) > 0 then return {0, ARGV[1]} end
redis.call('ZADD', KEYS[1], id, ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[3], ARGV[1]) end
if redis.call('EXISTS', KEYS[3]) == 1 then
  local last = tonumber(redis.call('HGET', KEYS[3], 'last_message_id') or '0')
  if id > last then redis.call('HSET', KEYS[3], 'last_message_id', ARGV[1]) end
end
redis.call('INCR', KEYS[4])
return {1, ARGV[1]}
""",
    # The stored message of a client message id, in one round trip.
    "find_client": """
local id = redis.call('HGET', KEYS[2], ARGV[1])
if not id then return false end
local rows = redis.call('ZRANGEBYSCORE', KEYS[1], id, id)
return rows[1] or false
""",
    # Receipts: keep the highest delivered id per channel. KEYS[1] user's receipts; ARGV pairs.
    "receipts": """
for i = 1, #ARGV, 2 do
  local old = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > old then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
""",
    # Create a channel with its members, once and atomically: no server may read it half made.
    # KEYS: meta, members, epoch. ARGV: kind, name, created_ms, channel id, user-key prefix, members..., epoch.
    # (The members' own channel sets are named in ARGV: fine on one Redis; on a Cluster this
    # would become a second, per-user step.)
    "create_channel": """
if redis.call('GET', KEYS[3]) ~= ARGV[#ARGV] then return -1 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'kind', ARGV[1], 'name', ARGV[2], 'created_ms', ARGV[3], 'last_message_id', '0')
for i = 6, #ARGV - 1 do
  redis.call('SADD', KEYS[2], ARGV[i])
  redis.call('SADD', ARGV[5] .. ARGV[i] .. ':channels', ARGV[4])
end
return 1
""",
}


def connect(url: str) -> Any:
    """A redis.asyncio client for `url` (decoded strings; JSON payloads are text)."""
    import redis.asyncio as aioredis

    return aioredis.Redis.from_url(url, decode_responses=True, health_check_interval=30)


async def ping(redis: Any, url: str) -> None:
    try:
        await asyncio.wait_for(redis.ping(), timeout=5)
    except Exception as exc:  # any client error here means the same to the user: no Redis at that URL
        log.debug("Redis ping failed", exc_info=True)
        raise RedisUnavailable(f"cannot reach Redis at {redact_url(url)}: {scrub(str(exc))}",
                               "start one (redis-server --port 6379) or pass the right --redis URL") from None


def scrub(text: str) -> str:
    """Any `scheme://user:password@` in a text (an error from a client library) made safe to show."""
    import re

    return re.sub(r"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@", r"\1***@", text)


async def persistence_warning(pipeline: AutoPipeline) -> str | None:
    """Why this Redis would lose acknowledged messages on a restart, or None when it keeps them.

    Reads `CONFIG GET appendonly` and `save`: with neither, a restart or kill -9 of Redis loses
    everything; with snapshots only, whatever came after the last one."""
    try:
        aof = _pairs(await pipeline.call("CONFIG", "GET", "appendonly")).get("appendonly", "")
        save = _pairs(await pipeline.call("CONFIG", "GET", "save")).get("save", "")
    except Exception as exc:  # noqa: BLE001 - CONFIG renamed or refused (a managed Redis): say we could not tell
        return (f"could not check Redis persistence ({type(exc).__name__}); make sure it runs with "
                "appendonly yes, or acknowledged messages are lost when Redis restarts")
    if aof == "yes":
        return None
    if not save.strip():
        return ("Redis has no persistence (appendonly no, save \"\"): a restart or crash of Redis loses every "
                "message; run it with --appendonly yes (see docs/chat.md)")
    return (f"Redis keeps only snapshots (appendonly no, save \"{save}\"): a crash loses the messages since the "
            "last one; run it with --appendonly yes (see docs/chat.md)")


EPOCH_KEY = f"{PREFIX}epoch"


async def shared_secret(pipeline: AutoPipeline) -> bytes:
    """The deployment's signing secret: the first server makes it, every other one reads it."""
    await pipeline.call("SET", f"{PREFIX}secret", secrets.token_hex(32), "NX")
    return str(await pipeline.call("GET", f"{PREFIX}secret")).encode()


# ---------------------------------------------------------------------- registry


class RedisRegistry:
    def __init__(self, pipeline: AutoPipeline, scripts: Scripts, ttl: float = DEFAULT_TTL_S) -> None:
        if ttl <= 0:
            raise UsageError(f"registry ttl {ttl} s must be positive")
        self._p = pipeline
        self._scripts = scripts
        self.ttl = ttl
        self._ttl_ms = int(ttl * 1000)
        self.stats = RegistryStats()
        # Sessions a send's commit script looked up (RouteAhead), by recipients; cleared at the
        # end of the loop turn that read them, so no later lookup gets an old answer.
        self._ahead: dict[tuple[str, ...], dict[str, str]] = {}
        self.answered_ahead = 0

    def looked_up_ahead(self, users: Sequence[str], sessions: dict[str, str]) -> None:
        if not self._ahead:
            asyncio.get_running_loop().call_soon(self._ahead.clear)
        self._ahead[tuple(users)] = sessions

    @staticmethod
    def key(user_id: str) -> str:
        return f"{PREFIX}session:{user_id}"

    async def register(self, user_id: str, server_id: str) -> None:
        await self._p.call("SET", self.key(user_id), server_id, "PX", self._ttl_ms)

    async def unregister(self, user_id: str, server_id: str) -> None:
        await self._scripts.run("cad", [self.key(user_id)], [server_id])

    async def heartbeat(self, server_id: str, user_ids: Iterable[str]) -> None:
        keys = [self.key(u) for u in user_ids]
        await asyncio.gather(*(
            self._scripts.run("heartbeat", keys[i : i + HEARTBEAT_CHUNK], [server_id, self._ttl_ms])
            for i in range(0, len(keys), HEARTBEAT_CHUNK)
        ))
        self.stats.heartbeats += 1

    async def lookup(self, user_id: str) -> str | None:
        self.stats.lookup_calls += 1
        self.stats.keys_looked_up += 1
        return await self._p.call("GET", self.key(user_id))

    async def lookup_many(self, user_ids: Iterable[str]) -> dict[str, str]:
        users = list(user_ids)
        self.stats.lookup_calls += 1
        self.stats.keys_looked_up += len(users)
        if not users:
            return {}
        if self._ahead:
            ahead = self._ahead.pop(tuple(users), None)
            if ahead is not None:
                self.answered_ahead += 1
                return dict(ahead)
        if len(users) <= MGET_CHUNK:
            values = await self._p.call("MGET", *[self.key(u) for u in users])
            return {u: server for u, server in zip(users, values, strict=True) if server is not None}
        # The chunks are asked in one turn, so they share one pipeline: one round trip.
        chunks = await asyncio.gather(*(
            self._p.call("MGET", *[self.key(u) for u in users[i : i + MGET_CHUNK]])
            for i in range(0, len(users), MGET_CHUNK)
        ))
        found: dict[str, str] = {}
        for start, values in zip(range(0, len(users), MGET_CHUNK), chunks, strict=True):
            for user, server in zip(users[start : start + MGET_CHUNK], values, strict=True):
                if server is not None:
                    found[user] = server
        return found


# ---------------------------------------------------------------------- bus


OWNED_TOPIC_PREFIX = "server:"


@dataclass
class RedisBusStats(BusStats):
    local: int = 0  # envelopes for this process's own server topic, handed over without Redis


class PubSubReader:
    """Pub/Sub on a connection of its own, parsed by hiredis: every message of a read at once.

    redis-py's PubSub hands over one message per call, through a timeout, a lock and its
    parser's coroutines — with every message crossing servers, that was as much CPU as the
    sends. Here the read loop hands each message to `on_message` as it is parsed. The
    subscriptions outlive the connection: when Redis goes away the loop connects again (every
    0.2 s) and subscribes to every channel again, as redis-py did.
    """

    CONFIRM_S = 5.0

    def __init__(self, pipeline: AutoPipeline, on_message: Callable[[str, str], None],
                 stats: BusStats | None = None) -> None:
        self._options = pipeline._options
        self._stats = stats
        self.url = pipeline.url
        self._on_message = on_message
        self.channels: set[str] = set()
        self._confirm: dict[str, list[asyncio.Future[None]]] = {}
        self._unconfirm: dict[str, list[asyncio.Future[None]]] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self.connections = 0
        self.last_error: str | None = None

    async def subscribe(self, channel: str) -> None:
        """Subscribed once Redis has confirmed it (RedisUnavailable if it cannot within 5 s;
        the channel is then subscribed as soon as Redis is back)."""
        loop = asyncio.get_running_loop()
        self.channels.add(channel)
        if self._task is None:
            self._task = loop.create_task(self._run(), name="redis-pubsub")
        future: asyncio.Future[None] = loop.create_future()
        self._confirm.setdefault(channel, []).append(future)
        if self._writer is not None:  # else the connection subscribes to every channel when it is made
            self._writer.write(_encode(("SUBSCRIBE", channel)))
        try:
            await asyncio.wait_for(future, self.CONFIRM_S)
        except TimeoutError:
            raise RedisUnavailable(f"Redis at {self.url} did not confirm a subscription",
                                   "try again in a moment; is Redis running?") from None

    async def unsubscribe(self, channel: str) -> None:
        """Unsubscribed once Redis has confirmed it, so a publish after this finds no listener
        here; without a connection there is nothing to wait for (no new one subscribes it)."""
        self.channels.discard(channel)
        if self._writer is None:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._unconfirm.setdefault(channel, []).append(future)
        self._writer.write(_encode(("UNSUBSCRIBE", channel)))
        with contextlib.suppress(TimeoutError):  # Redis gone: the lost connection unsubscribed it
            await asyncio.wait_for(future, self.CONFIRM_S)

    async def _run(self) -> None:
        opts = self._options
        while True:
            writer = None
            try:
                # Keepalive matters most here: a subscriber only reads, so a dead peer goes unnoticed.
                # No SELECT: Pub/Sub channels belong to no database.
                reader, writer, parser = await _open(opts, _auth(opts))
                if self.channels:
                    writer.write(_encode(("SUBSCRIBE", *sorted(self.channels))))
                self._writer = writer
                self.connections += 1
                await self._read(reader, parser)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis went away: connect and subscribe again
                log.debug("Pub/Sub connection failed", exc_info=True)
                self.last_error = scrub(f"{type(exc).__name__}: {exc}")
                if self._stats is not None:
                    self._stats.last_error = self.last_error
            finally:
                self._writer = None
                if writer is not None:
                    writer.close()
                for waiting in self._unconfirm.values():  # a closed connection holds no subscription
                    for future in waiting:
                        if not future.done():
                            future.set_result(None)
                self._unconfirm.clear()
            await asyncio.sleep(0.2)

    async def _read(self, reader: asyncio.StreamReader, parser: Any) -> None:
        on_message = self._on_message
        while True:
            data = await reader.read(262144)
            if not data:
                raise ConnectionError("Redis closed the connection")
            parser.feed(data)
            while (reply := parser.gets()) is not False:
                if isinstance(reply, Exception):
                    raise ConnectionError(str(reply))
                kind = reply[0]
                if kind == "message":
                    on_message(reply[1], reply[2])
                elif kind in ("subscribe", "unsubscribe"):
                    for future in (self._confirm if kind == "subscribe" else self._unconfirm).pop(reply[1], ()):
                        if not future.done():
                            future.set_result(None)

    async def close(self) -> None:
        await _cancel(self._task)
        self._task = None
        self.channels.clear()


class RedisBus:
    """Pub/Sub: one reader per process; each subscription has its own queue and consumer.

    Subscriptions are `InlineSubscription`s, as on the service's in-process bus: an envelope
    that finds its subscription idle is handled at once — in the reader's call for one from
    Redis, in the publisher's for one this process hands itself — and a handler that waits is
    finished by a task, with later envelopes queued behind it. So a slow handler cannot stall
    the Pub/Sub socket (Redis would drop a subscriber whose output buffer overflows), and each
    subscriber still sees envelopes in publish order.
    """

    def __init__(self, redis: Any, pipeline: AutoPipeline) -> None:
        self._p = pipeline  # (`redis`, a redis-py client, is no longer needed here)
        self._topics: dict[str, list[InlineSubscription]] = {}
        self.stats = RedisBusStats()
        self._reader = PubSubReader(pipeline, self._on_message, self.stats)
        # Envelopes a send's commit script published (RouteAhead): (topic, channel, message id,
        # recipients) -> listeners. Each is claimed once, by the route of that message.
        self._ahead: dict[tuple[str, str, int, tuple[str, ...]], int] = {}

    def published_ahead(self, topic: str, message: Message, recipients: tuple[str, ...], listeners: int) -> None:
        if len(self._ahead) >= RouteAhead.KEEP:
            self._ahead.clear()
        self._ahead[(topic, message.channel_id, message.message_id, recipients)] = listeners

    async def subscribe(self, topic: str, handler: Handler) -> None:
        sub = InlineSubscription(topic, handler, self.stats, f"redis-bus:{topic}")
        first = topic not in self._topics
        self._topics.setdefault(topic, []).append(sub)
        if first:
            await self._reader.subscribe(PREFIX + topic)

    async def unsubscribe(self, topic: str, handler: Handler) -> None:
        subs = self._topics.get(topic, [])
        for sub in [s for s in subs if s.handler == handler]:
            subs.remove(sub)
            await _cancel(sub.task)
        if not subs and topic in self._topics:
            del self._topics[topic]
            await self._reader.unsubscribe(PREFIX + topic)

    async def publish(self, topic: str, envelope: Envelope) -> int:
        self.stats.published += 1
        self.stats.by_topic[topic] = self.stats.by_topic.get(topic, 0) + 1
        local = self._topics.get(topic)
        if local and topic.startswith(OWNED_TOPIC_PREFIX):
            # A server's own topic has one subscriber in the whole fleet — this process (the
            # server-id lease sees to that) — so a message between two users of this server
            # is handed over here instead of making the round trip through Redis.
            self.stats.local += 1
            count = len(local)
            for sub in tuple(local):  # a handler may unsubscribe (a connection that failed) as it runs
                sub.offer(envelope, self.stats)
            return count
        if self._ahead and envelope.kind == "message":
            payload = envelope.payload
            ahead = self._ahead.pop((topic, payload["channel_id"], payload["message_id"], envelope.recipients), None)
            if ahead is not None:  # published by the message's commit script already
                if not ahead:
                    self.stats.dropped += 1
                return ahead
        listeners = int(await self._p.call("PUBLISH", PREFIX + topic, envelope.to_json()))
        if not listeners:
            self.stats.dropped += 1
        return listeners

    def _on_message(self, channel: str, data: str) -> None:
        subs = self._topics.get(channel[len(PREFIX):])
        if not subs:  # unsubscribed meanwhile
            return
        try:  # Envelope.from_json, with orjson
            raw = orjson.loads(data)
            envelope = Envelope(raw["kind"], raw["payload"], tuple(raw.get("recipients", ())), raw.get("origin", ""))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.stats.handler_errors += 1
            self.stats.last_error = f"bad envelope: {exc}"
            return
        for sub in tuple(subs):
            sub.offer(envelope, self.stats)

    def depth(self) -> int:
        return sum(s.queue.qsize() for subs in self._topics.values() for s in subs)

    async def drain(self) -> None:
        """Wait until this process's subscribers have handled what reached them so far."""
        for subs in list(self._topics.values()):
            for sub in list(subs):
                await sub.idle()

    async def close(self) -> None:
        await self._reader.close()
        for subs in list(self._topics.values()):
            for sub in subs:
                await _cancel(sub.task)
                await _cancel(sub.finishing)  # a handler that waited (on a socket, on Redis) when we stop
        self._topics.clear()


async def _cancel(task: asyncio.Task[Any] | None) -> None:
    if task is None or task.done():
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    except Exception:  # a task that failed earlier must not stop the shutdown
        log.debug("task %s failed before it was cancelled", task.get_name(), exc_info=True)


# ---------------------------------------------------------------------- ids


class RedisCounterIds:
    """Per-channel sequence numbers by INCR: 1, 2, 3 … in each channel, whichever server asks."""

    time_ordered = False

    def __init__(self, pipeline: AutoPipeline) -> None:
        self._p = pipeline
        self.calls = 0

    async def next_message_id(self, channel_id: str) -> int:
        self.calls += 1
        return int(await self._p.call("INCR", channel_key(channel_id, "seq")))

    def lookback_ids(self, milliseconds: int) -> int:
        return COUNTER_LOOKBACK_IDS


# ---------------------------------------------------------------------- store and directory


_compact_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode  # built once, not per call


def _dumps(message: Message) -> str:
    return _compact_json(message.to_dict())


def _loads(raw: str) -> Message:
    return Message.from_dict(json.loads(raw))


def _client_field(sender_id: str, client_msg_id: str) -> str:
    return f"{sender_id}\n{client_msg_id}"


class DuplicateClientMessage(ClientMessageExists):
    """The client message is stored under another id already: a retry, or a race of two servers."""


class RedisChatStore:
    """`MessageStore` and `ChannelDirectory` on Redis sorted sets, hashes and sets."""

    def __init__(self, pipeline: AutoPipeline, scripts: Scripts) -> None:
        self._p = pipeline
        self._scripts = scripts
        self.stats = StoreStats()
        # The token of the Redis "life" this store writes into (`chat:epoch`). Every write
        # script checks it, inside the write: a Redis that restarted empty has no epoch, so the
        # first write after a data loss is refused instead of numbering a channel from scratch.
        self.epoch: str | None = None
        self.on_data_lost: Any = None  # async callback(): what the deployment does about it
        self._keys: dict[str, bytes] = {}  # channel -> the commit script's five keys, encoded
        self._epoch_encoded: tuple[str, bytes] = ("", b"")

    async def claim_epoch(self) -> str:
        """Adopt the current epoch, making one if Redis has none (a first start, or after a loss)."""
        await self._p.call("SET", EPOCH_KEY, secrets.token_hex(8), "NX")
        self.epoch = str(await self._p.call("GET", EPOCH_KEY))
        return self.epoch

    async def _epoch(self) -> str:
        return self.epoch if self.epoch is not None else await self.claim_epoch()

    async def _lost(self) -> None:
        if self.on_data_lost is not None:
            await self.on_data_lost()
        raise RedisDataLost("Redis lost its data (it restarted without persistence); this write was refused",
                            "send again; an operator should enable appendonly on Redis (docs/chat.md)")

    # ------------------------------------------------------------------ messages

    async def commit(self, message: Message, script: str = "commit", keys: tuple[int, bytes] = (0, b""),
                     args: tuple[int, bytes] = (0, b"")) -> tuple[Message, list[Any]]:
        """Number and store a new message in one atomic step: the message as stored, with its id,
        and the rest of the script's reply. `script` with its extra `keys` and `args` (how many,
        and as RESP bulk strings) is commit_route or commit_fanout, which do more in the same
        step (see RouteAhead).

        ClientMessageExists (with the stored message) when its client id is taken already."""
        epoch = self.epoch if self.epoch is not None else await self.claim_epoch()
        cid = message.channel_id
        client = f"{message.sender_id}\n{message.client_msg_id}".encode() if message.client_msg_id else b""
        # The row without its id ('{' first): the script writes the id in front once it has it.
        row = orjson.dumps({"channel_id": cid, "sender_id": message.sender_id, "text": message.text,
                            "client_msg_id": message.client_msg_id, "kind": message.kind,
                            "created_ms": message.created_ms, "status": message.status})
        nkeys = b"%d" % (5 + keys[0])
        # Built from cached pieces: everything but the row and the client key repeats per channel.
        body = b"$%d\r\n%b\r\n%b%b$%d\r\n%b\r\n$%d\r\n%b\r\n%b%b" % (
            len(nkeys), nkeys, self._commit_keys(cid), keys[1], len(row), row, len(client), client,
            self._epoch_args(epoch), args[1])
        reply = await self._scripts.run_encoded(script, 10 + keys[0] + args[0], body)
        status = reply[0]
        if status == -1:
            await self._lost()
        if status == 2:
            assert message.client_msg_id is not None
            stored = await self.find_client_message(cid, message.sender_id, message.client_msg_id)
            raise DuplicateClientMessage(f"client message {message.client_msg_id!r} is stored already as {reply[1]}",
                                         "send it again with the same client_msg_id to get its ack", existing=stored)
        return Message(cid, int(reply[1]), message.sender_id, message.text, message.client_msg_id, message.kind,
                       message.created_ms, message.status), reply

    def _commit_keys(self, channel_id: str) -> bytes:
        """The commit script's five keys of a channel, encoded (kept for 10,000 channels)."""
        keys = self._keys.get(channel_id)
        if keys is None:
            if len(self._keys) >= 10_000:  # a bound, not an LRU: encoding them again is cheap
                self._keys.clear()
            keys = self._keys[channel_id] = _bulk(
                channel_key(channel_id, "msgs"), channel_key(channel_id, "client_ids"), f"{PREFIX}stats:messages",
                channel_key(channel_id, "seq"), EPOCH_KEY)
        return keys

    def _epoch_args(self, epoch: str) -> bytes:
        if self._epoch_encoded[0] != epoch:
            self._epoch_encoded = (epoch, _bulk(epoch, EPOCH_MS))
        return self._epoch_encoded[1]

    async def append(self, message: Message) -> tuple[int, int]:
        """Store one message; (status, id): 1 stored, 0 already there, 2 stored before under `id`."""
        if not 0 < message.message_id <= MAX_EXACT_ID:
            raise ChatError(f"message id {message.message_id} does not fit a sorted-set score exactly",
                            "number messages with per-channel counters on the Redis engine")
        epoch = await self._epoch()
        client = _client_field(message.sender_id, message.client_msg_id) if message.client_msg_id else ""
        status, mid = await self._scripts.run(
            "append",
            [channel_key(message.channel_id, "msgs"), channel_key(message.channel_id, "client_ids"),
             channel_key(message.channel_id, "meta"), f"{PREFIX}stats:messages", EPOCH_KEY],
            [message.message_id, _dumps(message), client, epoch],
        )
        if int(status) == -1:
            await self._lost()
        return int(status), int(mid)

    async def append_many(self, messages: Sequence[Message], receipts: Sequence[Receipt] = ()) -> int:
        results: list[Any] = await asyncio.gather(*(self.append(m) for m in messages), self.write_receipts(receipts))
        written = sum(1 for status, _ in results[: len(messages)] if status == 1)
        self.stats.batches += 1
        self.stats.messages_written += written
        self.stats.duplicates_ignored += len(messages) - written
        self.stats.receipts_written += len(receipts)
        return written

    async def write_receipts(self, receipts: Sequence[Receipt]) -> None:
        by_user: dict[str, list[Any]] = {}
        for r in receipts:
            by_user.setdefault(r.user_id, []).extend((r.channel_id, r.message_id))
        await asyncio.gather(*(self._scripts.run("receipts", [user_key(u, "receipts")], args) for u, args in by_user.items()))

    async def find_client_message(self, channel_id: str, sender_id: str, client_msg_id: str) -> Message | None:
        raw = await self._scripts.run(
            "find_client", [channel_key(channel_id, "msgs"), channel_key(channel_id, "client_ids")],
            [_client_field(sender_id, client_msg_id)],
        )
        return _loads(raw) if raw else None

    async def page(self, channel_id: str, *, before: int | None = None, after: int | None = None, limit: int = 50) -> Page:
        check_limit(limit)
        if before is not None and after is not None:
            raise ChatError("a page goes one way", "pass either before or after, not both")
        key = channel_key(channel_id, "msgs")
        if after is not None:
            rows = await self._p.call("ZRANGEBYSCORE", key, f"({after}", "+inf", "LIMIT", 0, limit + 1)
        else:
            top = f"({before}" if before is not None else "+inf"
            rows = await self._p.call("ZREVRANGEBYSCORE", key, top, "-inf", "LIMIT", 0, limit + 1)
        return Page.from_rows(rows, _loads, limit, before, after)

    async def range_after(self, channel_id: str, after: int, limit: int) -> list[Message]:
        rows = await self._p.call("ZRANGEBYSCORE", channel_key(channel_id, "msgs"), f"({after}", "+inf", "LIMIT", 0, limit)
        return [_loads(r) for r in rows]

    async def receipts_of(self, user_id: str) -> dict[str, int]:
        raw = _pairs(await self._p.call("HGETALL", user_key(user_id, "receipts")))
        return {c: int(v) for c, v in raw.items()}

    async def count(self, channel_id: str | None = None) -> int:
        if channel_id is None:
            return int(await self._p.call("GET", f"{PREFIX}stats:messages") or 0)
        return int(await self._p.call("ZCARD", channel_key(channel_id, "msgs")))

    # ------------------------------------------------------------------ channels

    async def create_channel(self, channel_id: str, kind: str, name: str, members: Iterable[str], created_ms: int) -> bool:
        members = list(dict.fromkeys(members))
        epoch = await self._epoch()
        created = await self._scripts.run(
            "create_channel", [channel_key(channel_id, "meta"), channel_key(channel_id, "members"), EPOCH_KEY],
            [kind, name, created_ms, channel_id, f"{PREFIX}user:", *members, epoch],
        )
        if int(created) == -1:
            await self._lost()
        return bool(created)

    async def add_members(self, channel_id: str, user_ids: Iterable[str]) -> None:
        users = list(user_ids)
        if not users:
            return
        calls = [self._p.call("SADD", channel_key(channel_id, "members"), *users[i : i + 1000])
                 for i in range(0, len(users), 1000)]
        calls += [self._p.call("SADD", user_key(u, "channels"), channel_id) for u in users]
        await asyncio.gather(*calls)

    async def remove_member(self, channel_id: str, user_id: str) -> None:
        await asyncio.gather(self._p.call("SREM", channel_key(channel_id, "members"), user_id),
                             self._p.call("SREM", user_key(user_id, "channels"), channel_id))

    async def channel(self, channel_id: str) -> Channel | None:
        raw, seq = await asyncio.gather(self._p.call("HGETALL", channel_key(channel_id, "meta")),
                                        self._p.call("GET", channel_key(channel_id, "seq")))
        return _channel(channel_id, _pairs(raw), seq) if raw else None

    async def members(self, channel_id: str) -> list[str]:
        return sorted(await self._p.call("SMEMBERS", channel_key(channel_id, "members")))

    async def channels_of(self, user_id: str) -> list[str]:
        return sorted(await self._p.call("SMEMBERS", user_key(user_id, "channels")))

    async def conversations(self, user_id: str, *, limit: int = 20, cursor: str | None = None) -> ConversationPage:
        """Most recent activity first. The user's channels are read with one pipelined HGETALL
        and GET (its counter: the last id committed) each and ordered here: a per-user sorted
        set by activity would cost every group message one write per member — the fan-out
        write amplification the design avoids."""
        check_limit(limit)
        channel_ids = await self.channels_of(user_id)
        replies = await asyncio.gather(*(self._p.call(*command) for c in channel_ids for command in (
            ("HGETALL", channel_key(c, "meta")), ("GET", channel_key(c, "seq")))))
        items = [_channel(c, _pairs(raw), seq)
                 for c, raw, seq in zip(channel_ids, replies[::2], replies[1::2], strict=True) if raw]
        items.sort(key=lambda ch: (ch.last_message_id, ch.channel_id), reverse=True)
        if cursor:
            last_id, after_channel = decode_conversation_cursor(cursor)
            items = [ch for ch in items if (ch.last_message_id, ch.channel_id) < (last_id, after_channel)]
        page = items[:limit]
        has_more = len(items) > limit
        return ConversationPage(page, encode_conversation_cursor(page[-1]) if has_more and page else None, has_more)


def _channel(channel_id: str, raw: dict[str, str], seq: str | None = None) -> Channel:
    """A channel from its meta hash and its counter: the last id is the higher of the counter
    (every commit takes its id there) and the meta's (what `append`, with ids of its own, keeps)."""
    return Channel(channel_id, raw.get("kind", "group"), raw.get("name", channel_id), int(raw.get("created_ms", 0)),
                   max(int(raw.get("last_message_id", 0)), int(seq or 0)))


# ---------------------------------------------------------------------- persistence


class RouteAhead:
    """A send's Redis work in one round trip: the commit script routes the message as it stores it.

    After the commit, `ChatServer.send` routes a direct message (one registry lookup, one bus
    publish per server) or hands a group message to the fan-out queue; on Redis each of those
    would be another round trip, taken one after the other before the sender's ack. With this
    in the write-through queue, `put` runs commit_route (the lookup and the publishes) or
    commit_fanout (the XADD) instead, and leaves what the script did for the calls that follow
    in the same step of the sending task, which then answer without Redis:

    * `RedisRegistry.lookup_many` finds the recipients' sessions (kept to the end of this loop
      turn: a read that old is as fresh as any lookup is by the time it is used);
    * `RedisBus.publish` finds the listener count of each envelope the script published, keyed
      by topic and message, so an envelope is never published twice;
    * `RedisFanout.submit` finds the message queued.

    Anything that finds nothing there (another caller, a roster not cached) makes its own
    round trip as before, so this changes how many round trips a send takes, never what it does.
    """

    KEEP = 10_000  # published envelopes not claimed by a route (its send failed on the way): a bound

    def __init__(self, server_id: str, groups: GroupService, registry: RedisRegistry, bus: RedisBus,
                 fanout: RedisFanout | None = None) -> None:
        self.server_id = server_id
        self.groups = groups
        self.registry = registry
        self.bus = bus
        self.fanout = fanout
        # commit_route's arguments after the commit's own: this server, the Pub/Sub channel
        # prefix, and what an envelope (`Envelope.to_json` of a message) looks like up to its payload.
        self._route_args = _bulk(server_id, PREFIX + OWNED_TOPIC_PREFIX, '{"kind":"message","payload":')
        self._origin = json.dumps(server_id)
        self._recipients: dict[str, tuple[bytes, bytes]] = {}  # user -> (session key, envelope tail), encoded
        self.sends = 0  # sends routed by their commit script

    def _recipient(self, user: str) -> tuple[bytes, bytes]:
        found = self._recipients.get(user)
        if found is None:
            if len(self._recipients) >= self.KEEP:
                self._recipients.clear()
            found = self._recipients[user] = (
                _bulk(RedisRegistry.key(user)), _bulk(f',"recipients":{json.dumps([user])},"origin":{self._origin}}}'))
        return found

    async def commit(self, store: RedisChatStore, message: Message) -> Message:
        cid = message.channel_id
        try:
            roster = await self.groups.roster(cid)
        except ChatError:  # not a channel the group service knows: a plain commit, routed as usual
            stored, _ = await store.commit(message)
            return stored
        if roster.kind == "group":
            fanout = self.fanout
            if fanout is None:
                stored, _ = await store.commit(message)
                return stored
            stored, _ = await store.commit(message, "commit_fanout", (1, fanout.stream_key(cid)),
                                           (2, fanout.commit_args(self.server_id)))
            fanout.queued_ahead(stored)
            self.sends += 1
            return stored
        # A direct channel: the one recipient ChatServer.send routes to (anything else, say a
        # direct channel stored with other members, is committed plainly and routed as usual).
        recipients = [m for m in roster.members if m != message.sender_id]
        if len(recipients) != 1:
            stored, _ = await store.commit(message)
            return stored
        user = recipients[0]
        key, tail = self._recipient(user)
        stored, reply = await store.commit(message, "commit_route", (1, key), (4, self._route_args + tail))
        server, listeners = reply[2], reply[3]
        if server is not None and listeners >= 0:  # published by the script; -1: this server's own
            self.bus.published_ahead(server_topic(server), stored, (user,), listeners)
        self.registry.looked_up_ahead((user,), {user: server} if server is not None else {})
        self.sends += 1
        return stored


class RedisWriteThrough:
    """`PersistQueue` for the Redis engine: `put` is the atomic write to the shared store.

    Nothing waits in this process, so nothing can die with it: what a server acknowledged,
    every other server can already sync. Delivery receipts — a convenience, not a promise —
    are coalesced here (only the highest id per user and channel matters) and written every
    `receipt_interval` seconds and on close: that part is write-behind.
    """

    def __init__(self, store: RedisChatStore, *, receipt_interval: float = 0.05,
                 ahead: RouteAhead | None = None) -> None:
        self.store = store
        self.receipt_interval = receipt_interval
        self.ahead = ahead  # when set, a send's commit does its route's Redis work too (one round trip)
        self._receipts: dict[tuple[str, str], int] = {}
        self._task: asyncio.Task[None] | None = None
        self.puts = 0

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="redis-receipts")

    # The commit script checks the client id, takes the channel's next id and writes, in one
    # atomic step: the server neither looks a retry up first nor takes an id first (one round
    # trip per send instead of three), no race between two servers, and no id ever becomes
    # visible after a higher one — the guarantee sync's cursors rest on.
    checks_client_ids = True
    assigns_ids = True

    async def put(self, message: Message) -> Message:
        if self.ahead is not None:
            stored = await self.ahead.commit(self.store, message)
        else:
            stored, _ = await self.store.commit(message)
        self.puts += 1
        return stored

    async def record_delivered(self, receipt: Receipt) -> None:
        key = (receipt.user_id, receipt.channel_id)
        if receipt.message_id > self._receipts.get(key, 0):
            self._receipts[key] = receipt.message_id

    async def find_client_message(self, channel_id: str, sender_id: str, client_msg_id: str) -> Message | None:
        return None  # nothing is ever pending here; the store answers

    async def pending_after(self, channel_id: str, after: int) -> list[Message]:
        return []

    def pending_max(self, channel_id: str) -> int:
        return 0

    async def flush(self) -> int:
        if not self._receipts:
            return 0
        receipts, self._receipts = self._receipts, {}
        await self.store.write_receipts([Receipt(c, u, m) for (u, c), m in receipts.items()])
        return 0

    @property
    def depth(self) -> int:
        return 0

    @property
    def receipts_pending(self) -> int:
        return len(self._receipts)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.receipt_interval)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:  # kept for the next round (receipts are advisory)
                log.debug("receipt flush failed; retrying next round", exc_info=True)

    async def close(self) -> None:
        await _cancel(self._task)
        self._task = None
        await self.flush()


# ---------------------------------------------------------------------- push


class RedisPushSink:
    """Push notifications recorded in a capped Redis list (`chat:push`), where a demo can show them."""

    KEEP = 10_000

    def __init__(self, pipeline: AutoPipeline) -> None:
        self._p = pipeline
        self.sent = 0
        self.calls = 0

    async def notify(self, user_ids: Sequence[str], message: Message) -> None:
        from interview_coach.chat.design.push import preview

        if not user_ids:
            return
        self.calls += 1
        self.sent += len(user_ids)
        shown = preview(message)
        rows = [json.dumps({"user_id": u, "channel_id": message.channel_id, "message_id": message.message_id,
                            "sender_id": message.sender_id, "preview": shown}, separators=(",", ":")) for u in user_ids]
        await asyncio.gather(self._p.call("LPUSH", f"{PREFIX}push", *rows),
                             self._p.call("LTRIM", f"{PREFIX}push", 0, self.KEEP - 1),
                             self._p.call("INCRBY", f"{PREFIX}stats:push", len(user_ids)))

    async def recent(self, limit: int = 100) -> list[dict[str, Any]]:
        return [json.loads(r) for r in await self._p.call("LRANGE", f"{PREFIX}push", 0, limit - 1)]


# ---------------------------------------------------------------------- group fan-out


@dataclass
class RedisFanoutStats(FanoutStats):
    claimed: int = 0  # entries taken over from a server whose lease ran out
    leases_taken: int = 0
    owned: set[int] = field(default_factory=set)


class RedisFanout:
    """`FanoutQueue` on Redis Streams: `partitions` streams, one consumer group, leased partitions.

    `submit` is one XADD to the channel's partition. Every server runs a loop per partition;
    the one holding the partition's lease (a key with a TTL it renews) reads it with
    XREADGROUP, routes each message (roster, one batched lookup, one envelope per server) and
    XACKs it. On taking a lease, a server first claims (XAUTOCLAIM) whatever the previous owner
    had read and not acknowledged, so a crash between read and route loses no group message;
    it may route one twice, and clients drop the duplicate by id.
    """

    GROUP = "fanout"

    def __init__(
        self,
        redis: Any,
        pipeline: AutoPipeline,
        scripts: Scripts,
        router: Router,
        groups: GroupService,
        server_id: str,
        *,
        partitions: int = 4,
        lease_s: float = 3.0,
        block_ms: int = 250,
        batch: int = 64,
        maxlen: int = 100_000,
    ) -> None:
        if partitions < 1:
            raise UsageError(f"a fan-out needs 1 or more partitions, not {partitions}")
        if block_ms >= lease_s * 1000 / 3:
            raise UsageError("the stream read must block for well under a third of the lease")
        self._redis = redis
        self._p = pipeline
        self._scripts = scripts
        self.router = router
        self.groups = groups
        self.server_id = server_id
        self.partitions = partitions
        self.lease_s = lease_s
        self.block_ms = block_ms
        self.batch = batch
        self.maxlen = maxlen
        # The owner token names this process, so a restart under the same server id is a new owner.
        self.owner = f"{server_id}:{secrets.token_hex(4)}"
        self.stats = RedisFanoutStats()
        self.reports: list[RouteReport] = []
        self._ahead: set[tuple[str, int]] = set()  # queued by their commit script (RouteAhead)
        self._stream_keys = [_bulk(self.stream(p)) for p in range(partitions)]
        self._commit_args: tuple[str, bytes] = ("", b"")
        self._tasks: list[asyncio.Task[None]] = []
        self._running = False

    def stream(self, partition: int) -> str:
        return f"{PREFIX}fanout:{partition}"

    def stream_key(self, channel_id: str) -> bytes:
        """The channel's partition stream, encoded: commit_fanout's extra key."""
        return self._stream_keys[self.partition(channel_id)]

    def commit_args(self, origin: str) -> bytes:
        """commit_fanout's extra arguments, encoded: the stream's MAXLEN and the origin server."""
        if self._commit_args[0] != origin:
            self._commit_args = (origin, _bulk(self.maxlen, origin))
        return self._commit_args[1]

    def partition(self, channel_id: str) -> int:
        return zlib.crc32(channel_id.encode()) % self.partitions

    async def _ensure_group(self, partition: int) -> None:
        """The partition's stream and consumer group, made if missing (first start, or a Redis that lost them)."""
        from redis.exceptions import ResponseError

        try:
            await self._p.call("XGROUP", "CREATE", self.stream(partition), self.GROUP, "0", "MKSTREAM")
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def start(self) -> None:
        for p in range(self.partitions):
            await self._ensure_group(p)
        self._running = True
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._run(p), name=f"redis-fanout-{p}") for p in range(self.partitions)]

    def queued_ahead(self, message: Message) -> None:
        if len(self._ahead) >= RouteAhead.KEEP:
            self._ahead.clear()
        self._ahead.add((message.channel_id, message.message_id))

    async def submit(self, message: Message, origin: str = "") -> None:
        self.stats.submitted += 1
        if self._ahead:
            key = (message.channel_id, message.message_id)
            if key in self._ahead:  # XADDed by the message's commit script already
                self._ahead.discard(key)
                return
        await self._p.call("XADD", self.stream(self.partition(message.channel_id)), "MAXLEN", "~", self.maxlen, "*",
                           "m", _dumps(message), "o", origin)

    async def _run(self, partition: int) -> None:
        lease_key = f"{PREFIX}fanout:{partition}:lease"
        lease_ms = int(self.lease_s * 1000)
        # After a failure (an outage in the middle of routing) the entries this consumer read
        # stay pending, and ">" would never return them: read our own pending ones ("0") first.
        own_pending = False
        while self._running:
            try:
                state = await self._scripts.run("lease", [lease_key], [self.owner, lease_ms])
                if state == 0:
                    self.stats.owned.discard(partition)
                    await asyncio.sleep(self.lease_s / 3)
                    continue
                if state == 1 or partition not in self.stats.owned:
                    self.stats.owned.add(partition)
                    self.stats.leases_taken += 1
                    await self._claim_orphans(partition)
                reply = await self._redis.xreadgroup(self.GROUP, self.owner,
                                                     {self.stream(partition): "0" if own_pending else ">"},
                                                     count=self.batch, block=None if own_pending else self.block_ms)
                got = False
                for _, entries in reply or ():
                    if entries:
                        got = True
                        await self._handle(partition, entries)
                if own_pending and not got:
                    own_pending = False
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis hiccup or a bad entry: note it, back off, go on
                log.debug("fan-out partition %s failed", partition, exc_info=True)
                self.stats.errors += 1
                self.stats.last_error = scrub(f"{type(exc).__name__}: {exc}")
                own_pending = True
                await asyncio.sleep(0.2)
                if "NOGROUP" in str(exc):  # Redis lost the stream (a restart without persistence)
                    with contextlib.suppress(Exception):  # still away: the next round tries again
                        await self._ensure_group(partition)

    async def _claim_orphans(self, partition: int) -> None:
        start = "0-0"
        while True:
            reply = await self._redis.xautoclaim(self.stream(partition), self.GROUP, self.owner, 0, start, count=self.batch)
            start, entries = reply[0], reply[1]
            if entries:
                self.stats.claimed += len(entries)
                await self._handle(partition, entries)
            if start in ("0-0", b"0-0"):
                return

    async def _handle(self, partition: int, entries: list[tuple[str, dict[str, str]]]) -> None:
        done = []
        try:
            for entry_id, fields in entries:
                if fields:  # an entry trimmed away by MAXLEN comes back empty
                    try:
                        message = _loads(fields["m"])
                        roster = await self.groups.members(message.channel_id)
                    except (ValueError, KeyError, TypeError, CoachError) as exc:
                        # Undecodable, or its channel is gone: it can never be routed. Members
                        # still get the message (if stored) by sync; drop the entry.
                        self.stats.errors += 1
                        self.stats.last_error = f"dropped fan-out entry {entry_id}: {type(exc).__name__}"
                        done.append(entry_id)
                        continue
                    recipients = [m for m in roster if m != message.sender_id]
                    report = await self.router.route(message, recipients, origin=fields.get("o", ""),
                                                     actor=f"Fan-out {self.server_id}/{partition}")
                    self.reports = [*self.reports[-99:], report]
                    self.stats.routed += 1
                done.append(entry_id)
        finally:  # what was routed before a failure is acknowledged; the rest is read again
            if done:
                await self._p.call("XACK", self.stream(partition), self.GROUP, *done)

    async def depths(self) -> dict[int, int]:
        """Per partition: entries not yet read by the group plus those read and not acknowledged."""
        infos = await asyncio.gather(*(self._p.call("XINFO", "GROUPS", self.stream(p)) for p in range(self.partitions)),
                                     return_exceptions=True)
        out: dict[int, int] = {}
        for p, groups in enumerate(infos):
            if isinstance(groups, RedisUnavailable):
                raise groups
            if isinstance(groups, BaseException):  # no such stream (yet, or any more): nothing waits
                out[p] = 0
                continue
            for g in groups:
                info = g if isinstance(g, dict) else dict(zip(g[::2], g[1::2], strict=True))
                if info.get("name") == self.GROUP:
                    out[p] = int(info.get("pending") or 0) + int(info.get("lag") or 0)
        return out

    async def join(self, timeout: float = 10.0) -> None:
        """Wait until every message submitted (by any server) has been routed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while sum((await self.depths()).values()):
            if loop.time() > deadline:
                raise ChatError("the fan-out queue did not drain in time", "is any server holding its partitions?")
            await asyncio.sleep(0.01)

    async def close(self) -> None:
        self._running = False
        for task in self._tasks:
            await _cancel(task)
        self._tasks = []
        for p in sorted(self.stats.owned):  # let the next server take over now, not at lease expiry
            try:
                await self._scripts.run("cad", [f"{PREFIX}fanout:{p}:lease"], [self.owner])
            except Exception:  # the lease expires on its own; releasing early is only a courtesy
                log.debug("releasing the lease of partition %s failed", p, exc_info=True)
        self.stats.owned.clear()


# ---------------------------------------------------------------------- one server id per process


class ServerIdLease:
    """Claims `chat:server:<id>` so two live processes never share a server id (and a topic)."""

    def __init__(self, scripts: Scripts, server_id: str, ttl_s: float = 25.0) -> None:
        # Renewed with every heartbeat (a third of the registry TTL, 10 s): 25 s outlives one missed beat.
        self._scripts = scripts
        self.server_id = server_id
        self.ttl_s = ttl_s
        self.token = f"{server_id}:{secrets.token_hex(4)}"
        self.key = f"{PREFIX}server:{server_id}"

    async def acquire(self) -> None:
        if not await self._scripts.run("lease", [self.key], [self.token, int(self.ttl_s * 1000)]):
            raise UsageError(
                f"server id '{self.server_id}' is in use by another running server (or one that stopped under "
                f"{self.ttl_s:.0f} s ago)", "pick another --server-id, or wait for the lease of a killed one to run out")

    async def renew(self) -> None:
        await self._scripts.run("lease", [self.key], [self.token, int(self.ttl_s * 1000)])

    async def release(self) -> None:
        await self._scripts.run("cad", [self.key], [self.token])


# ---------------------------------------------------------------------- a Redis that lost its data


class EpochWatch:
    """Notices a Redis that lost its data and recovers, loudly.

    `chat:epoch` is made by the first server and never deleted; every write script checks it.
    A Redis restarted without persistence comes back empty — no epoch — and then:

    * the write that finds it gone is refused (the sender retries: `unavailable`) and this
      runs: one ERROR line naming the cause, `data_loss_total` in /metrics, a new epoch;
    * this server's token secret is written back (SET NX), so tokens issued before keep working
      on every server — unless the secret comes from the environment, which it should in a fleet;
    * cached rosters are dropped (direct channels are made again on their next message; groups
      are gone with the data), and the fan-out streams and consumer group are made again;
    * ids never go backwards: a channel counter that does not exist starts at the current
      millisecond × 1024 (the commit script), above every id handed out before.

    The heartbeat calls `check()` too, so an idle fleet notices within one beat.
    """

    def __init__(self, pipeline: AutoPipeline, store: RedisChatStore, groups: GroupService,
                 fanout: RedisFanout | None = None, secret: bytes | None = None) -> None:
        self._p = pipeline
        self.store = store
        self.groups = groups
        self.fanout = fanout
        self.secret = secret  # only when it lives in Redis (not from the environment)
        self.losses = 0
        self.on_recovered: list[Any] = []  # async callables: e.g. the server's heartbeat (sessions are gone too)
        self._lock = asyncio.Lock()
        store.on_data_lost = self.check

    async def check(self) -> bool:
        """True when the epoch changed (data was lost) and this server has recovered."""
        import logging

        async with self._lock:
            current = await self._p.call("GET", EPOCH_KEY)
            if current is not None and current == self.store.epoch:
                return False
            self.losses += 1
            logging.getLogger("interview_coach.chat.service.app").error(
                "REDIS LOST ITS DATA: the epoch key %s is %s. Messages, groups and memberships written "
                "since Redis last saved are gone; ids continue above the old ones. Run Redis with "
                "appendonly yes (docs/chat.md).", EPOCH_KEY, "missing" if current is None else "a new one")
            await self.store.claim_epoch()
            if self.secret is not None:
                await self._p.call("SET", f"{PREFIX}secret", self.secret.decode(), "NX")
            self.groups.forget()
            if self.fanout is not None:
                for p in range(self.fanout.partitions):
                    await self.fanout._ensure_group(p)
            for callback in self.on_recovered:
                await callback()
            return True


def scripts_for(pipeline: AutoPipeline) -> Scripts:
    return Scripts(pipeline, dict(_LUA))
