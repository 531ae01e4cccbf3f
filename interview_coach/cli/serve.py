"""`interview-coach serve`: the reference chat as a real service (HTTP API + WebSocket)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import typer

from interview_coach.cli import options


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    engine: str = typer.Option(None, "--engine", help="embedded (default: one process, SQLite) or redis (many processes)."),
    redis: str = typer.Option(None, "--redis", metavar="URL", help="Redis URL; implies --engine redis, e.g. redis://127.0.0.1:6379/0."),
    server_id: str = typer.Option("A", "--server-id", help="This chat server's name (unique among the servers on one Redis)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8700, "--port", help="TCP port (0: let the OS choose; the URL is printed)."),
    dev_login: bool = typer.Option(
        None, "--dev-login/--no-dev-login",
        help="Allow POST /v1/sessions to hand out tokens for any name (default: on for embedded, off for redis).",
        show_default=False,
    ),
    data_dir: Path = typer.Option(None, "--data-dir",
                                  help="Folder for the SQLite store, journal and media (default: the user's data dir)."),
    token_ttl: float = typer.Option(
        12 * 3600, "--token-ttl", callback=options.seconds, help="Seconds a login token stays valid."
    ),
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn's log level (info shows each connection)."),
    fanout_lease: float = typer.Option(3.0, "--fanout-lease", hidden=True,
                                       help="Seconds a Redis fan-out partition lease lasts (how soon a dead owner is replaced)."),
    rate_limit: float = typer.Option(20.0, "--rate-limit", metavar="N",
                                     help="Messages per second one user may send, after a burst of --rate-burst "
                                          "(0: no limit)."),
    rate_burst: int = typer.Option(200, "--rate-burst", metavar="N",
                                   help="Messages one user may send at once before --rate-limit applies."),
    frame_limit: float = typer.Option(200.0, "--frame-limit", metavar="N",
                                      help="WebSocket frames of any kind per second per user, after a burst of 5x "
                                           "(0: no limit)."),
    send_queue: int = typer.Option(1024, "--send-queue-kib", metavar="KIB",
                                   help="KiB of frames waiting for one client before it is disconnected as a slow "
                                        "reader (1013)."),
    public_metrics: bool = typer.Option(False, "--public-metrics",
                                        help="Serve /metrics to anyone (default: loopback peers, and requests bearing "
                                             "$INTERVIEW_COACH_CHAT_METRICS_TOKEN)."),
) -> None:
    """Run the reference chat as a service: the chapter's HTTP API and a WebSocket, until Ctrl-C or SIGTERM.

    Embedded (the default) needs nothing else. With --redis, start several servers on one Redis
    (each with its own --server-id and --port): clients on different servers talk through it,
    and when one server dies its clients reconnect to another and miss nothing. SIGTERM drains:
    clients are told to reconnect elsewhere and the write-behind queue is flushed.

    Example: interview-coach serve --redis redis://127.0.0.1:6379/0 --server-id B --port 8701
    """
    import asyncio
    import sys

    from interview_coach.errors import UsageError

    if engine is None:
        engine = "redis" if redis else "embedded"
    if engine not in ("embedded", "redis"):
        raise UsageError(f"--engine: {engine!r} is not an engine", "use embedded or redis")
    if not 0 <= port <= 65535:
        raise UsageError(f"--port: {port} is not a TCP port", "use 1-65535, or 0 to let the OS choose")
    if not 0.2 <= fanout_lease <= 60:
        raise UsageError(f"--fanout-lease: {fanout_lease:g} s is out of range", "use 0.2-60 seconds")
    import math

    from interview_coach.chat.service.auth import check_token_ttl, secret_from_env, validate_user_id

    check_token_ttl(token_ttl)
    for flag, value, top in (("--rate-limit", rate_limit, 1e6), ("--frame-limit", frame_limit, 1e6)):
        if not math.isfinite(value) or not 0 <= value <= top:
            raise UsageError(f"{flag}: {value!r} is not a rate", f"use 0 (no limit) to {top:g} per second")
    if not 1 <= rate_burst <= 1_000_000:
        raise UsageError(f"--rate-burst: {rate_burst} is out of range", "use 1-1000000")
    if not 16 <= send_queue <= 1024 * 1024:
        raise UsageError(f"--send-queue-kib: {send_queue} is out of range", "use 16-1048576 KiB")
    secret_from_env()  # a weak INTERVIEW_COACH_CHAT_SECRET is refused before anything starts

    validate_user_id(server_id, "--server-id")
    if data_dir is not None and data_dir.exists() and not data_dir.is_dir():
        raise UsageError(f"--data-dir: '{data_dir}' is not a folder", "give a folder (it is created if missing)")

    from interview_coach.chat.service.app import ChatService, run
    from interview_coach.chat.service.engines.deployment import open_deployment
    from interview_coach.chat.service.guards import ServiceLimits

    limits = ServiceLimits(message_rate=rate_limit, message_burst=rate_burst, frame_rate=frame_limit,
                           frame_burst=max(1, int(frame_limit * 5)), outbound_bytes=send_queue * 1024,
                           public_metrics=public_metrics)

    def opener() -> Any:
        return open_deployment(engine, server_id=server_id, redis_url=redis, folder=data_dir, dev_login=dev_login,
                               token_ttl_s=token_ttl, fanout_lease_s=fanout_lease)

    def ready(service: ChatService, url: str) -> None:
        login = "POST /v1/sessions {\"user_id\": ...} for a token" if service.deployment.dev_login else "dev login off"
        ws = url.replace("http", "ws", 1)
        for warning in service.deployment.warnings:
            print(f"warning: {warning}", file=sys.stderr, flush=True)
        print(f"chat server {service.server_id} ({service.deployment.kind}) on {url}  —  {login}; "
              f"WebSocket {ws}/v1/ws?token=...; API docs {url}/docs", flush=True)

    import logging

    service_log = logging.getLogger("interview_coach.chat.service.app")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    service_log.addHandler(handler)
    service_log.setLevel(logging.INFO)  # the drain's line, and any frame that failed
    run_loop: Any = asyncio.run
    with contextlib.suppress(ImportError):  # uvloop where the platform has it: the same code on a faster event loop
        from uvloop import run as run_loop
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop it: drained, then the line below
        run_loop(run(opener, host=host, port=port, on_ready=ready, log_level=log_level, limits=limits))
    print(f"chat server {server_id} stopped", file=sys.stderr, flush=True)
