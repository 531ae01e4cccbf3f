"""The baseline of the service benchmark: a bare relay written directly on the `websockets` library.

It does the least a chat relay can do over the same wire protocol — parse the JSON frame, find
the recipient's socket in a dict, forward a `message` frame to it, `ack` the sender — with no
auth, ids, store, registry, bus or ASGI layer. The service's figures are read against it.

Run alone: .venv/bin/python bench/bare_relay.py --port 8765   (connect to ws://127.0.0.1:8765/?user=alice)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import signal
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve


class BareRelay:
    def __init__(self) -> None:
        self.sockets: dict[str, ServerConnection] = {}
        self._ids = itertools.count(1)

    async def handle(self, ws: ServerConnection) -> None:
        query = parse_qs(urlsplit(ws.request.path).query) if ws.request else {}
        user = (query.get("user") or [""])[0]
        if not user:
            await ws.close(1008, "?user= is required")
            return
        self.sockets[user] = ws
        try:
            async for raw in ws:
                frame = json.loads(raw)
                message_id = next(self._ids)
                target = self.sockets.get(frame["to"])
                if target is not None:
                    await target.send(json.dumps({"type": "message", "channel_id": frame["to"], "message_id": message_id,
                                                  "sender_id": user, "text": frame["text"]}))
                await ws.send(json.dumps({"type": "ack", "client_msg_id": frame["client_msg_id"],
                                          "message_id": message_id, "channel_id": frame["to"]}))
        finally:
            if self.sockets.get(user) is ws:
                del self.sockets[user]


async def run(host: str, port: int, ready: asyncio.Event | None = None) -> None:
    relay = BareRelay()
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.cancel)
    async with serve(relay.handle, host, port, compression=None, max_size=1 << 20):
        print(f"bare relay on ws://{host}:{port}/", flush=True)
        if ready is not None:
            ready.set()
        with contextlib.suppress(asyncio.CancelledError):  # a signal cancels `stop`
            await stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    asyncio.run(run(args.host, args.port))


if __name__ == "__main__":
    main()
