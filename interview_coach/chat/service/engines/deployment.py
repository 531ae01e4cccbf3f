"""How a chat service gets its parts: the embedded engine or the Redis engine, as one `Deployment`.

A `Deployment` is what the chat servers of one process share — registry, bus, store, write-behind,
groups, fan-out, push, sync, media, the token signer — plus the servers themselves. The service
(service.py) serves one of its servers and never asks which engine it has.

* **embedded** (the default): the chat core's `ChatCluster` — in-process registry and bus,
  Snowflake ids, a journaled write-behind queue in front of SQLite, all in a folder of the
  user's data dir. One process; it may hold several servers (the live demo serves two).
* **redis**: every part from redis_engine.py, one server per process. Any number of processes
  on one Redis are one chat: a message to a user on another process crosses Pub/Sub, and when
  a process dies its clients reconnect elsewhere and find every acknowledged message there.

Both keep each server's registry sessions alive with a heartbeat every third of the TTL.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interview_coach.chat.design.groups import GroupService
from interview_coach.chat.design.media import LocalObjectStore, MediaService, UrlSigner
from interview_coach.chat.design.server import ChatServer
from interview_coach.chat.design.store import ChannelDirectory, MessageStore
from interview_coach.chat.design.sync import SyncService
from interview_coach.chat.design.writebehind import PersistQueue
from interview_coach.chat.service.auth import DEFAULT_TOKEN_TTL_S, TokenSigner, check_secret, new_secret, secret_from_env
from interview_coach.clock import Clock, SystemClock
from interview_coach.errors import UsageError

log = logging.getLogger(__name__)

ENGINES = ("embedded", "redis")
REGISTRY_TTL_S = 30.0


def derive_key(secret: bytes, purpose: str) -> bytes:
    """One secret, a separate key per use: a media URL signature is never a valid token."""
    return hmac.new(secret, purpose.encode(), hashlib.sha256).digest()


@dataclass
class Deployment:
    kind: str
    clock: Clock
    servers: dict[str, ChatServer]
    store: MessageStore
    directory: ChannelDirectory
    groups: GroupService
    persist: PersistQueue
    sync: SyncService
    media: MediaService
    signer: TokenSigner
    dev_login: bool
    registry: Any
    bus: Any
    fanout: Any
    push: Any
    _depths: Callable[[], Awaitable[dict[str, int]]] = field(repr=False, default=None)  # type: ignore[assignment]
    _close: Callable[[], Awaitable[None]] = field(repr=False, default=None)  # type: ignore[assignment]
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, repr=False)
    closed: bool = False
    warnings: list[str] = field(default_factory=list)  # said once at start-up (e.g. Redis without persistence)

    def server(self, server_id: str | None = None) -> ChatServer:
        if server_id is None:
            return next(iter(self.servers.values()))
        try:
            return self.servers[server_id]
        except KeyError:
            raise UsageError(f"no chat server '{server_id}' here", f"use one of: {', '.join(self.servers)}") from None

    def part_stats(self) -> dict[str, Any]:
        """Counters of the shared parts (fan-out, bus, registry, push), for /metrics?format=json."""
        out: dict[str, Any] = {}
        for name in ("fanout", "bus", "registry"):
            stats = getattr(getattr(self, name), "stats", None)
            if stats is not None:
                out[name] = {k: (sorted(v) if isinstance(v, set) else v) for k, v in vars(stats).items()
                             if isinstance(v, (int, float, str, set)) or v is None}
        push = self.push
        out["push"] = {
            "notifications": getattr(push, "sent", None) if hasattr(push, "sent") else len(getattr(push, "notifications", ()))
        }
        return out

    async def queue_depths(self) -> dict[str, int]:
        """What waits in each queue: write-behind, fan-out, bus (this process's subscribers)."""
        return await self._depths()

    async def close(self) -> None:
        """Stop heartbeats, then the parts; the write-behind queue is flushed on the way out."""
        if self.closed:
            return
        self.closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:  # a task that failed earlier must not keep the parts from closing
                log.debug("background task failed before close", exc_info=True)
        await self._close()


async def _heartbeats(servers: Sequence[ChatServer], interval: float, extra: Callable[[], Awaitable[None]] | None) -> None:
    while True:
        await asyncio.sleep(interval)
        for server in servers:
            try:
                await server.heartbeat()
            except Exception:  # Redis away for a moment: the next beat retries, the TTL is 3 beats long
                log.debug("heartbeat of %s failed", server.server_id, exc_info=True)
        if extra is not None:
            try:
                await extra()
            except Exception:  # as above: the next beat retries
                log.debug("extra heartbeat work failed", exc_info=True)


def _local_secret(folder: Path) -> bytes:
    """The embedded engine's secret: the environment's, or one kept (0600) beside its database,
    so tokens and media URLs survive a restart."""
    from_env = secret_from_env()
    if from_env:
        return from_env
    path = folder / "service.secret"
    if path.exists():
        return check_secret(path.read_bytes().strip(), f"the secret in {path}")
    secret = new_secret().hex().encode()
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
    return secret


def default_folder() -> Path:
    from interview_coach.paths import user_home

    return user_home() / "chat-service"


async def open_embedded(
    folder: str | Path | None = None,
    *,
    servers: Sequence[str] = ("A",),
    clock: Clock | None = None,
    dev_login: bool = True,
    token_ttl_s: float = DEFAULT_TOKEN_TTL_S,
    registry_ttl: float = REGISTRY_TTL_S,
    flush_interval: float = 0.02,
) -> Deployment:
    """The embedded engine: one process, SQLite and a journal in `folder` (default: the user's data dir)."""
    from interview_coach.chat.design.cluster import ChatCluster

    folder = Path(folder) if folder is not None else default_folder()
    clock = clock or SystemClock()
    secret = _local_secret(folder)
    # inline_bus: a message to a user on this process is handed to their socket in the sender's
    # call, not through a queue and a task (publish order is kept; see InlineSubscription).
    cluster = await ChatCluster.embedded(folder, servers=tuple(servers), clock=clock, registry_ttl=registry_ttl,
                                         flush_interval=flush_interval, inline_bus=True)
    media = MediaService(LocalObjectStore(folder / "media"), UrlSigner(derive_key(secret, "media"), clock), clock)
    # The service flushes the journal once per loop turn, before any frame or response leaves
    # (ChatService.before_write): an ack still never goes out for a line the OS does not have.
    cluster.persist.defer_journal_flush = True

    async def depths() -> dict[str, int]:
        return {"write_behind": cluster.persist.depth, "fanout": cluster.fanout.depth(), "bus": cluster.bus.depth()}

    deployment = Deployment(
        kind="embedded", clock=clock, servers=dict(cluster.servers), store=cluster.store, directory=cluster.store,
        groups=cluster.groups, persist=cluster.persist, sync=cluster.sync, media=media,
        signer=TokenSigner(derive_key(secret, "tokens"), clock, token_ttl_s), dev_login=dev_login,
        registry=cluster.registry, bus=cluster.bus, fanout=cluster.fanout, push=cluster.push,
        _depths=depths, _close=cluster.close,
    )
    deployment._tasks.append(asyncio.get_running_loop().create_task(
        _heartbeats(list(cluster.servers.values()), registry_ttl / 3, None), name="chat-heartbeats"))
    return deployment


async def open_redis(
    url: str,
    server_id: str,
    *,
    clock: Clock | None = None,
    dev_login: bool = False,
    token_ttl_s: float = DEFAULT_TOKEN_TTL_S,
    registry_ttl: float = REGISTRY_TTL_S,
    media_dir: str | Path | None = None,
    fanout_partitions: int = 4,
    fanout_lease_s: float = 3.0,
) -> Deployment:
    """The Redis engine: one chat server in this process, everything shared through Redis at `url`."""
    from interview_coach.chat.design.fanout import Router
    from interview_coach.chat.service.engines import redis_engine as rx

    clock = clock or SystemClock()
    redis = rx.connect(url)  # redis-py: Pub/Sub and the blocking stream reads
    pipe = rx.AutoPipeline(url)  # everything else, pipelined on one connection
    try:
        await rx.ping(redis, url)
        scripts = rx.scripts_for(pipe)
        lease = rx.ServerIdLease(scripts, server_id)
        await lease.acquire()
    except BaseException:
        await pipe.close()
        await redis.aclose()
        raise
    env_secret = secret_from_env()
    secret = env_secret or await rx.shared_secret(pipe)
    check_secret(secret, "the secret stored in Redis (chat:secret)")
    warnings = []
    warning = await rx.persistence_warning(pipe)
    if warning:
        warnings.append(warning)
    registry = rx.RedisRegistry(pipe, scripts, ttl=registry_ttl)
    bus = rx.RedisBus(redis, pipe)
    store = rx.RedisChatStore(pipe, scripts)
    await store.claim_epoch()
    persist = rx.RedisWriteThrough(store)
    await persist.start()
    groups = GroupService(store, clock)
    push = rx.RedisPushSink(pipe)
    router = Router(registry, bus, push)
    fanout = rx.RedisFanout(redis, pipe, scripts, router, groups, server_id, partitions=fanout_partitions,
                            lease_s=fanout_lease_s, block_ms=min(250, int(fanout_lease_s * 1000 / 4)))
    await fanout.start()
    persist.ahead = rx.RouteAhead(server_id, groups, registry, bus, fanout)  # one round trip per send
    watch = rx.EpochWatch(pipe, store, groups, fanout, None if env_secret else secret)
    # Ids are taken inside the commit (RedisWriteThrough.assigns_ids), so they become visible in
    # id order: sync needs no look-back below a cursor.
    sync = SyncService(store, store, persist, lookback_ids=0)
    server = ChatServer(server_id, ids=None, registry=registry, bus=bus, persist=persist, store=store, groups=groups,
                        push=push, fanout=fanout, clock=clock)
    await server.start()
    watch.on_recovered.append(server.heartbeat)  # the registry's sessions went with the data: register them again
    folder = Path(media_dir) if media_dir is not None else default_folder() / "media"
    media = MediaService(LocalObjectStore(folder), UrlSigner(derive_key(secret, "media"), clock), clock)

    async def depths() -> dict[str, int]:
        fan = await fanout.depths()
        return {"write_behind": persist.depth, "receipts": persist.receipts_pending, "fanout": sum(fan.values()),
                "bus": bus.depth(), "redis_data_losses": watch.losses}

    async def close() -> None:
        try:
            await server.stop(notify=False)  # a no-op after a drain already stopped it
            await fanout.close()
            await persist.close()
            await bus.close()
            await lease.release()
        finally:
            await pipe.close()
            await redis.aclose()

    deployment = Deployment(
        kind="redis", clock=clock, servers={server_id: server}, store=store, directory=store, groups=groups,
        persist=persist, sync=sync, media=media, signer=TokenSigner(derive_key(secret, "tokens"), clock, token_ttl_s),
        dev_login=dev_login, registry=registry, bus=bus, fanout=fanout, push=push, _depths=depths, _close=close,
    )
    deployment.warnings = warnings

    async def beat_extra() -> None:
        await watch.check()
        await lease.renew()

    deployment._tasks.append(asyncio.get_running_loop().create_task(
        _heartbeats([server], registry_ttl / 3, beat_extra), name="chat-heartbeats"))
    return deployment


async def open_deployment(
    engine: str,
    *,
    server_id: str = "A",
    redis_url: str | None = None,
    folder: str | Path | None = None,
    dev_login: bool | None = None,
    token_ttl_s: float = DEFAULT_TOKEN_TTL_S,
    fanout_lease_s: float = 3.0,
) -> Deployment:
    """The one entry point the CLI uses. Dev login defaults on for embedded, off for Redis."""
    if engine not in ENGINES:
        raise UsageError(f"--engine: {engine!r} is not an engine", f"use one of: {', '.join(ENGINES)}")
    if engine == "redis":
        if not redis_url:
            raise UsageError("the redis engine needs --redis URL", "e.g. --redis redis://127.0.0.1:6379/0")
        return await open_redis(redis_url, server_id, dev_login=bool(dev_login), token_ttl_s=token_ttl_s,
                                media_dir=Path(folder) / "media" if folder is not None else None,
                                fanout_lease_s=fanout_lease_s)
    if redis_url:
        raise UsageError("--redis goes with --engine redis", "drop --engine embedded, or --redis")
    return await open_embedded(folder, servers=(server_id,), dev_login=True if dev_login is None else dev_login,
                               token_ttl_s=token_ttl_s)
