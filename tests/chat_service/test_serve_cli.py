"""`interview-coach serve`: bad input is one line and exit 2; SIGTERM drains and loses nothing."""

from __future__ import annotations

import asyncio
import signal
import socket

import httpx
import pytest

from interview_coach.chat.service.ws_client import ChatSocketClient

from .conftest import free_port


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--engine", "postgres"], "--engine: 'postgres' is not an engine"),
        (["--port", "70000"], "--port: 70000 is not a TCP port"),
        (["--server-id", "a b"], "--server-id: 'a b' is not a user name"),
        (["--token-ttl", "0"], "--token-ttl"),
        (["--engine", "redis"], "the redis engine needs --redis URL"),
        (["--engine", "embedded", "--redis", "redis://127.0.0.1:1/0"], "--redis goes with --engine redis"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(invoke, args, needle):
    result = invoke("serve", *args)
    assert result.exit_code == 2, result.output
    assert needle in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unreachable_redis_is_one_line(invoke):
    port = free_port()  # nothing listens here
    result = invoke("serve", "--redis", f"redis://127.0.0.1:{port}/0", "--port", "0")
    assert result.exit_code == 1
    assert f"cannot reach Redis at redis://127.0.0.1:{port}/0" in result.output and "Traceback" not in result.output


def test_a_busy_port_is_one_line(invoke):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        result = invoke("serve", "--port", str(taken.getsockname()[1]))
    assert result.exit_code == 1 and "cannot listen on 127.0.0.1:" in result.output


def test_serve_is_documented_with_an_example(invoke):
    result = invoke("serve", "--help")
    assert result.exit_code == 0 and "Example: interview-coach serve" in result.output
    assert "--fanout-lease" not in result.output  # a test knob, hidden


@pytest.mark.slow
@pytest.mark.anyio
async def test_sigterm_drains_flushes_and_a_restart_has_every_message(serve_processes, tmp_path):
    data = tmp_path / "data"
    server = serve_processes("--data-dir", str(data)).wait_ready()
    alice = ChatSocketClient("alice", [server.url])
    bob = ChatSocketClient("bob", [server.url])
    try:
        for c in (alice, bob):
            await c.login()
            await c.connect()
        acks = [await alice.send(f"m{i}", to="bob") for i in range(50)]
        server.proc.send_signal(signal.SIGTERM)  # the clients keep reading meanwhile, as real ones do
        for c in (alice, bob):
            await c.wait_for(lambda c=c: not c.connected, 5, "the drain")
            assert c.reconnect_requests == 1 and c.closed_code == 1012
        assert await asyncio.to_thread(server.proc.wait, 15) == 0
        assert "draining" in server.output()
        journal = data / "journal"
        assert not any(journal.glob("segment-*.jsonl")) or all(p.stat().st_size == 0 for p in journal.glob("*.jsonl"))

        again = serve_processes("--data-dir", str(data), port=server.port).wait_ready()
        page = httpx.get(f"{again.url}/v1/channels/{acks[0]['channel_id']}/messages", params={"limit": 100},
                         headers={"Authorization": f"Bearer {bob.token}"}).json()  # the token outlives the restart
        assert sorted(m["message_id"] for m in page["messages"]) == [a["message_id"] for a in acks]
    finally:
        await alice.close()
        await bob.close()
