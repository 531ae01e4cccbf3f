"""`interview-coach serve`: the reference chat as a real service (HTTP API + WebSocket)."""

from __future__ import annotations

from pathlib import Path

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
    data_dir: Path = typer.Option(None, "--data-dir", help="Folder for the SQLite store, journal and media (default: the user's data dir)."),
    token_ttl: float = typer.Option(
        12 * 3600, "--token-ttl", callback=options.seconds, help="Seconds a login token stays valid."
    ),
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn's log level (info shows each connection)."),
    fanout_lease: float = typer.Option(3.0, "--fanout-lease", hidden=True,
                                       help="Seconds a Redis fan-out partition lease lasts (how soon a dead owner is replaced)."),
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
    if token_ttl <= 0:
        raise UsageError(f"--token-ttl: {token_ttl:g} is not a positive number of seconds", "e.g. --token-ttl 3600")
    from interview_coach.chat.service.auth import validate_user_id

    validate_user_id(server_id, "--server-id")
    if data_dir is not None and data_dir.exists() and not data_dir.is_dir():
        raise UsageError(f"--data-dir: '{data_dir}' is not a folder", "give a folder (it is created if missing)")

    from interview_coach.chat.service.engines.deployment import open_deployment
    from interview_coach.chat.service.app import ChatService, run

    def opener():  # type: ignore[no-untyped-def]
        return open_deployment(engine, server_id=server_id, redis_url=redis, folder=data_dir, dev_login=dev_login,
                               token_ttl_s=token_ttl, fanout_lease_s=fanout_lease)

    def ready(service: ChatService, url: str) -> None:
        login = "POST /v1/sessions {\"user_id\": ...} for a token" if service.deployment.dev_login else "dev login off"
        ws = url.replace("http", "ws", 1)
        print(f"chat server {service.server_id} ({service.deployment.kind}) on {url}  —  {login}; "
              f"WebSocket {ws}/v1/ws?token=...; API docs {url}/docs", flush=True)

    import logging

    service_log = logging.getLogger("interview_coach.chat.service.app")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    service_log.addHandler(handler)
    service_log.setLevel(logging.INFO)  # the drain's line, and any frame that failed
    try:
        asyncio.run(run(opener, host=host, port=port, on_ready=ready, log_level=log_level))
    except KeyboardInterrupt:
        pass
    print(f"chat server {server_id} stopped", file=sys.stderr, flush=True)
