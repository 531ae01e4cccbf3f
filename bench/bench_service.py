"""Load on the chat service over loopback WebSockets, beside a bare `websockets` relay in the same run.

N clients each send M messages to the next client (N direct channels), keeping up to W sends
in flight (a send counts as in flight until its ack). Each message carries its send time, so
the receiver gets the delivery latency (send → message frame at the recipient, both in this
process). Reported per target: messages/s over the run, p50/p99 latency, and the server's CPU
per message (user + system time of its processes, read from /proc before and after each round)
as a ratio to the bare relay's in the same round — the figure that does not move with how much
CPU the clients (this process) or another program on the machine take. For the Redis targets
redis-server's own CPU per message is shown beside it, not folded in.

Targets, each a server in its own process (this process runs the clients):
    bare      bench/bare_relay.py — parse, look up, forward, ack; nothing else
    embedded  interview-coach serve (Snowflake ids, journaled write-behind → SQLite)
    redis     interview-coach serve --redis (INCR ids, write-through to Redis, Pub/Sub routing)
    redis2    two serve --redis processes, the clients split between them (every message crosses Pub/Sub)

Then memory per idle connection: 5,000 WebSocket connections held open (authenticated
clients that send nothing), the server's RSS before and after, divided by the count.

Run: .venv/bin/python bench/bench_service.py [--clients 100 --messages 200 --window 8 --rounds 3]
                                             [--engines bare,embedded,redis,redis2] [--idle 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-0123456789abcdef0123456789"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_fd_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15 of stat)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return sum(ticks) - idle, sum(ticks)


def busy_between(before: tuple[float, float], after: tuple[float, float]) -> float:
    """How many cores were busy on average between two `machine_busy` readings."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total * (os.cpu_count() or 1) if total else 0.0


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Target:
    """One or more server processes to measure; `urls` are their HTTP bases."""

    def __init__(self, name: str, work: Path) -> None:
        self.name = name
        self.work = work
        self.procs: list[subprocess.Popen] = []
        self.urls: list[str] = []
        self.redis: subprocess.Popen | None = None

    def _spawn(self, args: list[str], env: dict[str, str]) -> str:
        port = free_port()
        with open(self.work / f"{self.name}-{port}.log", "w") as log:  # the child keeps its own copy
            proc = subprocess.Popen([*args, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                                    env={**os.environ, **env})
        self.procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {(self.work / log.name).read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        self.urls.append(url)
        return url

    def start(self) -> Target:
        env = {"INTERVIEW_COACH_HOME": str(self.work / "home"), "INTERVIEW_COACH_CHAT_SECRET": SECRET}
        # The per-user rate limits are off: the bench measures throughput, and its clients send
        # far faster than a person (their round-robin rounds would drain a bucket's burst).
        serve = [sys.executable, "-m", "interview_coach", "serve", "--rate-limit", "0", "--frame-limit", "0"]
        if self.name == "bare":
            self._spawn([sys.executable, str(ROOT / "bench" / "bare_relay.py")], env)
        elif self.name == "embedded":
            self._spawn([*serve, "--data-dir", str(self.work / "embedded")], env)
        else:
            binary = shutil.which("redis-server")
            if binary is None:
                raise RuntimeError("redis-server is not on PATH (apt-get install redis-server)")
            port = free_port()
            folder = self.work / "redis"
            folder.mkdir(exist_ok=True)
            self.redis = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                           "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
            time.sleep(0.3)
            url = f"redis://127.0.0.1:{port}/0"
            for server_id in ("A", "B")[: 2 if self.name == "redis2" else 1]:
                self._spawn([*serve, "--redis", url, "--server-id", server_id], env)
        for url in self.urls:  # ready: answers HTTP (the relay answers the upgrade only)
            deadline = time.monotonic() + 30
            while self.name != "bare" and time.monotonic() < deadline:
                try:
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.05)
        return self

    def cpu(self) -> tuple[float, float]:
        """CPU seconds so far: the chat server processes', and redis-server's (0 without one)."""
        servers = sum(cpu_seconds(p.pid) for p in self.procs)
        return servers, cpu_seconds(self.redis.pid) if self.redis is not None else 0.0

    def ws_url(self, user: str, index: int) -> str:
        base = self.urls[index % len(self.urls)].replace("http", "ws", 1)
        if self.name == "bare":
            return f"{base}/?user={user}"
        return f"{base}/v1/ws?token={token_for(user)}"

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(10)


_signer = None


def token_for(user: str) -> str:
    """Tokens minted with the servers' secret: 5,000 logins would measure HTTP, not the chat."""
    global _signer
    if _signer is None:
        from interview_coach.chat.service.auth import TokenSigner
        from interview_coach.chat.service.engines.deployment import derive_key
        from interview_coach.clock import SystemClock

        _signer = TokenSigner(derive_key(SECRET.encode(), "tokens"), SystemClock())
    return _signer.issue(user).token


async def open_socket(url: str):  # type: ignore[no-untyped-def]
    ws = await connect(url, max_size=2**20, compression=None, ping_interval=None, open_timeout=30)
    return ws


async def load(target: Target, clients: int, messages: int, window: int, run: str) -> dict[str, float]:
    users = [f"u{i}" for i in range(clients)]
    sockets = await asyncio.gather(*(open_socket(target.ws_url(u, i)) for i, u in enumerate(users)))
    if target.name != "bare":
        for ws in sockets:  # the hello frame
            json.loads(await ws.recv())
    latencies: list[float] = []
    received = [0] * clients
    done = asyncio.Event()
    expected = clients * messages
    total = [0]
    first_send = [0.0]
    last_delivery = [0.0]
    slots = [asyncio.Semaphore(window) for _ in users]

    async def reader(i: int) -> None:
        ws = sockets[i]
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame["type"]
            if kind == "ack":
                slots[i].release()
            elif kind == "message":
                now = time.perf_counter_ns()
                latencies.append((now - int(frame["text"])) / 1e6)
                received[i] += 1
                total[0] += 1
                if total[0] == expected:
                    last_delivery[0] = time.perf_counter()
                    done.set()
            elif kind == "error":
                raise RuntimeError(f"{target.name}: {frame}")

    async def sender(i: int) -> None:
        ws, peer, slot = sockets[i], users[(i + 1) % clients], slots[i]
        for m in range(messages):
            await slot.acquire()
            await ws.send(json.dumps({"type": "send", "to": peer, "text": str(time.perf_counter_ns()),
                                      "client_msg_id": f"{run}-{i}-{m}"}))

    readers = [asyncio.create_task(reader(i)) for i in range(clients)]
    cpu_before = target.cpu()
    first_send[0] = time.perf_counter()
    senders = [asyncio.create_task(sender(i)) for i in range(clients)]
    finished = asyncio.create_task(done.wait())
    try:
        await asyncio.wait([finished, *readers], timeout=120, return_when=asyncio.FIRST_COMPLETED)
        for task in readers:
            if task.done() and task.exception() is not None:
                raise task.exception()
        if not done.is_set():
            raise RuntimeError(f"{target.name}: {total[0]:,} of {expected:,} messages arrived in 120 s")
    finally:
        finished.cancel()
        for task in senders + readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    cpu_after = target.cpu()  # after the closes: a server's share of them is small and the same for all
    elapsed = last_delivery[0] - first_send[0]
    latencies.sort()
    return {
        "messages": expected,
        "seconds": elapsed,
        "per_second": expected / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "server_cpu_us": (cpu_after[0] - cpu_before[0]) / expected * 1e6,
        "redis_cpu_us": (cpu_after[1] - cpu_before[1]) / expected * 1e6,
    }


async def idle_memory(target: Target, count: int) -> dict[str, float]:
    pid = target.procs[0].pid
    await asyncio.sleep(0.5)
    before = rss_kib(pid)
    sockets = []
    for start in range(0, count, 250):  # in batches: the listen backlog is finite
        batch = range(start, min(start + 250, count))
        sockets += await asyncio.gather(*(open_socket(target.ws_url(f"idle{i}", 0)) for i in batch))
    if target.name != "bare":
        await asyncio.gather(*(ws.recv() for ws in sockets))  # every hello: all are registered
    await asyncio.sleep(1.0)
    after = rss_kib(pid)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {"connections": count, "rss_before_mib": before / 1024, "rss_after_mib": after / 1024,
            "kib_per_connection": (after - before) / count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--messages", type=int, default=200, help="per client")
    parser.add_argument("--window", type=int, default=8, help="sends in flight per client")
    parser.add_argument("--engines", default="bare,embedded,redis,redis2", help="comma list of bare, embedded, redis, redis2")
    parser.add_argument("--idle", type=int, default=5000, help="idle connections for the memory figure (0: skip)")
    parser.add_argument("--rounds", type=int, default=3, help="load rounds per target (the median is shown)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    limit = raise_fd_limit(2 * args.idle + 1000)
    if args.idle and limit < args.idle + 500:
        sys.exit(f"ulimit -n is {limit}; {args.idle} idle connections need more (raise the hard limit)")
    names = [n.strip() for n in args.engines.split(",") if n.strip()]
    results: dict[str, dict] = {}
    machine: dict[str, object] = {}
    runs: dict[str, list[dict]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        targets = {}
        try:
            for name in names:
                work = Path(tmp) / name
                work.mkdir()
                targets[name] = Target(name, work).start()
                asyncio.run(load(targets[name], min(20, args.clients), 20, args.window, "warm"))
            # Rounds interleave the targets, so a noisy moment on a shared machine hits them all;
            # each target's figures are those of its median round, and its CPU ratio is the
            # median of its per-round ratios to the relay's round beside it (paired rounds).
            load_before, busy_before = loadavg(), machine_busy()
            for round_no in range(args.rounds):
                for name in names:
                    runs[name].append(asyncio.run(load(targets[name], args.clients, args.messages, args.window,
                                                       f"run{round_no}")))
            machine["loadavg_before"], machine["loadavg_after"] = load_before, loadavg()
            machine["busy_cores"] = busy_between(busy_before, machine_busy())
            for name in names:
                ordered = sorted(runs[name], key=lambda r: r["per_second"])
                results[name] = dict(ordered[len(ordered) // 2])
                results[name]["rounds_per_second"] = [round(r["per_second"]) for r in runs[name]]
                results[name]["server_cpu_us"] = statistics.median(r["server_cpu_us"] for r in runs[name])
                results[name]["redis_cpu_us"] = statistics.median(r["redis_cpu_us"] for r in runs[name])
                if "bare" in runs:
                    pairs = list(zip(runs[name], runs["bare"], strict=True))
                    results[name]["cpu_vs_bare_rounds"] = [round(r["server_cpu_us"] / b["server_cpu_us"], 2) for r, b in pairs]
                    results[name]["cpu_vs_bare"] = statistics.median(r["server_cpu_us"] / b["server_cpu_us"] for r, b in pairs)
                    results[name]["redis_cpu_vs_bare"] = statistics.median(r["redis_cpu_us"] / b["server_cpu_us"]
                                                                           for r, b in pairs)
            for name in names:
                if args.idle and name != "redis2":
                    results[name]["idle"] = asyncio.run(idle_memory(targets[name], args.idle))
        finally:
            for target in targets.values():
                target.stop()
    if args.json:
        print(json.dumps({"machine": machine, "targets": results}, indent=2))
        return
    base = results.get("bare", {}).get("per_second")
    print(f"{args.clients} clients x {args.messages} messages, {args.window} in flight per client, loopback, "
          f"{os.cpu_count()} CPUs; median of {args.rounds} interleaved rounds")
    print(f"machine: load average {machine['loadavg_before']} before the rounds, {machine['loadavg_after']} after; "
          f"{machine['busy_cores']:.2f} of {os.cpu_count()} cores busy during them (this bench included)")
    print(f"{'target':<10} {'msgs/s':>9} {'vs bare':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/msg':>11} {'CPU vs bare':>12} "
          f"{'+redis µs':>10} {'idle KiB/conn':>14}")
    for name, r in results.items():
        ratio = f"{r['per_second'] / base:.0%}" if base else "-"
        idle = f"{r['idle']['kib_per_connection']:.1f}" if "idle" in r else "-"
        cpu_ratio = f"{r['cpu_vs_bare']:.2f}x" if "cpu_vs_bare" in r else "-"
        redis_cpu = f"{r['redis_cpu_us']:.1f}" if r["redis_cpu_us"] else "-"
        print(f"{name:<10} {r['per_second']:>9,.0f} {ratio:>8} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
              f"{r['server_cpu_us']:>11.1f} {cpu_ratio:>12} {redis_cpu:>10} {idle:>14}")
    for name, r in results.items():
        pairs = f"; CPU vs bare per round: {', '.join(f'{x:.2f}x' for x in r['cpu_vs_bare_rounds'])}" \
            if "cpu_vs_bare_rounds" in r else ""
        redis = f"; with redis-server's CPU {r['cpu_vs_bare'] + r['redis_cpu_vs_bare']:.2f}x" \
            if r["redis_cpu_us"] and "cpu_vs_bare" in r else ""
        print(f"  {name}: msgs/s per round {', '.join(f'{x:,}' for x in r['rounds_per_second'])}{pairs}{redis}")
    for name, r in results.items():
        if "idle" in r:
            i = r["idle"]
            print(f"  {name}: {i['connections']:,} idle connections, server RSS {i['rss_before_mib']:.1f} → "
                  f"{i['rss_after_mib']:.1f} MiB")


if __name__ == "__main__":
    main()
