"""Load test of ``newsdex web``: N concurrent clients for S seconds of mixed page and API searches against a
running server on 127.0.0.1 (started here over --index, read-only), reporting errors, throughput, latency
percentiles and the server's memory over the run (RSS of its process tree sampled every second: flat is
the goal).

    python -m bench.web_load --index var/bench/search/index-10000 --clients 20 --seconds 30 --workers 1,2
    python -m bench.web_load --index var/bench/search/index-10000 --rate 10 --seconds 30 --workers 1 --threads 4

With several ``--workers`` values each gets its own run in this one invocation, and the ratios to the first.
``--rate R`` is an open loop: R requests a second are sent on schedule, each on its own client thread, whether
or not the earlier ones were answered (a closed loop of ``--clients`` waits for each answer before the next
request, so a slow server is sent less); latency is then counted from the moment a request was due.
``--threads N`` is passed to ``newsdex web --threads`` (reader threads per process); left out, the server's
default (a server from before that option has one reader at a time).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import psutil

from bench._measure import tree_memory

WORDS = [
    "troops",
    "ukraine",
    "korea",
    "election",
    "market",
    "police",
    "climate",
    "court",
    "health",
    "school",
    "energy",
    "football",
    "president",
    "bank",
    "water",
    "fire",
    "music",
    "space",
    "tax",
    "war",
]


def _request(rng: random.Random, ids: list[str], names: list[tuple[str, str]]) -> str:
    """One request of the mix: mostly searches (pages and API, with filters, sorts, pages), some articles and
    entity pages."""
    word = rng.choice(WORDS)
    kind = rng.random()
    if kind < 0.30:
        return f"/search?q={word}"
    if kind < 0.45:
        return f"/api/search?q={word}+OR+{rng.choice(WORDS)}&limit=20"
    if kind < 0.55:
        return f"/search?q=%22{word}%22&sort=newest&page={rng.randint(1, 3)}"
    if kind < 0.65 and names:
        etype, name = rng.choice(names)
        return f"/search?q={word}&entity={quote(etype + ':' + name)}"
    if kind < 0.72:
        return f"/search?q={word[:-1]}*&since=2020&until=2025"
    if kind < 0.80:
        return f"/search?q={word}x"  # no hits: the did-you-mean path
    if kind < 0.92 and ids:
        return f"/doc/{rng.choice(ids)}"
    if names:
        etype, name = rng.choice(names)
        return f"/entity/{etype}/{quote(name, safe='')}"
    return f"/search?q={word}"


def _rss_tree_kib(server: psutil.Process) -> int:
    """Summed RSS of the server and every process under it (its worker processes), as the other benches sample."""
    return tree_memory(server, {}, {})[0] // 1024


class Recorder:
    """Latencies and errors of the requests sent while measuring."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.measuring = threading.Event()
        self.stop = threading.Event()

    def fetch(self, base: str, url: str, due: float | None = None) -> None:
        """One request; its latency from ``due`` (open loop: when it was to be sent, and counted when it was
        sent while measuring) or from now (closed loop: counted when answered while measuring, as before)."""
        t0 = time.perf_counter() if due is None else due
        sent_measuring = self.measuring.is_set()
        try:
            with urllib.request.urlopen(base + url, timeout=60) as r:
                r.read()
                ok = r.status == 200
        except urllib.error.HTTPError as exc:
            ok = False
            url = f"{url} -> {exc.code}"
        except OSError as exc:
            ok = False
            url = f"{url} -> {exc}"
        elapsed = time.perf_counter() - t0
        if sent_measuring if due is not None else self.measuring.is_set():
            with self.lock:
                self.latencies.append(elapsed)
                if not ok:
                    self.errors.append(url)


def closed_loop(args: argparse.Namespace, rec: Recorder, base: str, ids: list[str], names: list) -> list:
    """``args.clients`` threads, each sending its next request when the last is answered."""

    def client(n: int) -> None:
        rng = random.Random(args.seed * 1000 + n)
        while not rec.stop.is_set():
            rec.fetch(base, _request(rng, ids, names))

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.clients)]
    for t in threads:
        t.start()
    return threads


def open_loop(args: argparse.Namespace, rec: Recorder, base: str, ids: list[str], names: list) -> list:
    """One request every 1/``args.rate`` seconds, on schedule, each on a thread of its own (at most 256 in
    flight), however long the earlier ones take."""
    pool = ThreadPoolExecutor(max_workers=256)

    def schedule() -> None:
        rng = random.Random(args.seed)
        due = time.perf_counter()
        while not rec.stop.is_set():
            pool.submit(rec.fetch, base, _request(rng, ids, names), due)
            due += 1 / args.rate
            time.sleep(max(0.0, due - time.perf_counter()))
        pool.shutdown(wait=True)

    thread = threading.Thread(target=schedule, daemon=True)
    thread.start()
    return [thread]


def load(args: argparse.Namespace, workers: int) -> dict:
    """One server (``--workers``), ``args.clients`` clients (or ``--rate``) for ``args.seconds``: the figures of
    that run."""
    log = Path(tempfile.gettempdir()) / f"newsdex-web-load-{time.time_ns()}.log"  # never beside the index
    started = time.monotonic()
    threads_option = ["--threads", str(args.threads)] if args.threads else []
    with open(log, "wb") as err:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newsdex.search_cli",
                "web",
                "--index",
                args.index,
                "--port",
                "0",
                "--workers",
                str(workers),
                *threads_option,
            ],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        base = None
        while base is None and time.monotonic() - started < 60:
            found = re.search(r"at (http://127\.0\.0\.1:\d+)/", log.read_text(errors="replace"))
            base = found.group(1) if found else None
            if server.poll() is not None:
                sys.exit(f"server exited: {log.read_text(errors='replace')}")
            time.sleep(0.05)
        if base is None:
            sys.exit("server did not start")
        with urllib.request.urlopen(base + "/api/search?q=*&limit=100", timeout=60) as r:
            ids = [h["id"] for h in json.loads(r.read())["hits"]]
        startup = time.monotonic() - started  # to the first answer (several processes: the first one ready)
        with urllib.request.urlopen(base + "/api/entities?limit=60", timeout=60) as r:
            names = [(e["type"], e["name"]) for e in json.loads(r.read()) if e["type"] in ("PERSON", "ORG", "LOC")]

        rec = Recorder()
        threads = (open_loop if args.rate else closed_loop)(args, rec, base, ids, names)
        time.sleep(args.warmup)
        tree = psutil.Process(server.pid)
        rss = [_rss_tree_kib(tree)]
        rec.measuring.set()
        t_start = time.monotonic()
        while time.monotonic() - t_start < args.seconds:
            time.sleep(1)
            rss.append(_rss_tree_kib(tree))
        rec.measuring.clear()
        wall = time.monotonic() - t_start
        rec.stop.set()
        for t in threads:
            t.join(70)
        latencies, errors = rec.latencies, rec.errors
    finally:
        server.terminate()
        server.wait(30)
        log.unlink(missing_ok=True)

    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000 if lat else float("nan")

    third = max(1, len(rss) // 3)
    return {
        "workers": workers,
        "threads": args.threads or "default",
        "index": args.index,
        "load": f"open loop {args.rate}/s" if args.rate else f"{args.clients} clients",
        "seconds": round(wall, 1),
        "startup_s": round(startup, 2),
        "requests": len(lat),
        "errors": len(errors),
        "rps": round(len(lat) / wall, 1),
        "latency_ms": {
            "p50": round(pct(50), 1),
            "p95": round(pct(95), 1),
            "p99": round(pct(99), 1),
            "max": round(lat[-1] * 1000, 1) if lat else None,
            "mean": round(statistics.fmean(lat) * 1000, 1) if lat else None,
        },
        "rss_tree_mib": {
            "start": round(rss[0] / 1024, 1),
            "first_third": round(statistics.fmean(rss[:third]) / 1024, 1),
            "last_third": round(statistics.fmean(rss[-third:]) / 1024, 1),
            "max": round(max(rss) / 1024, 1),
            "end": round(rss[-1] / 1024, 1),
        },
        "error_examples": errors[:5],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="index folder (read only)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of requests before measuring")
    parser.add_argument("--workers", default="1,2", help="server processes, one run each, side by side (1,2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="open loop: requests per second sent on schedule (default 0: a closed loop of --clients)",
    )
    parser.add_argument("--threads", type=int, default=0, help="newsdex web --threads (default: the server's own)")
    args = parser.parse_args(argv)

    runs = [load(args, int(n)) for n in args.workers.split(",")]
    first = runs[0]
    for run in runs:  # ratios against the first run: the machine is shared, so compare within one invocation
        run["vs_first"] = {
            "rps": round(run["rps"] / first["rps"], 2) if first["rps"] else None,
            "p95": round(run["latency_ms"]["p95"] / first["latency_ms"]["p95"], 2)
            if first["latency_ms"]["p95"]
            else None,
        }
    print(json.dumps(runs, indent=1))
    for run in runs:
        print(
            f"workers={run['workers']}: {run['rps']} req/s ({run['vs_first']['rps']}x), "
            f"p95 {run['latency_ms']['p95']} ms ({run['vs_first']['p95']}x), errors {run['errors']}, "
            f"RSS tree {run['rss_tree_mib']['first_third']} -> {run['rss_tree_mib']['last_third']} MiB",
            file=sys.stderr,
        )
    return 1 if any(run["errors"] for run in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
