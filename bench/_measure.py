"""Run a command as a child process and measure it: wall time and peak RSS of its whole process tree.

``ru_maxrss`` of RUSAGE_CHILDREN only sees the largest single descendant (and keeps the maximum over every
child this process ever had), while spaCy's ``n_process=2`` and Dask workers are separate processes: so the
tree of each run is sampled with psutil instead (summed RSS, every 0.2 s).
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass


@dataclass
class Measured:
    returncode: int
    seconds: float
    tree_peak_mb: float  # summed RSS of the process and its descendants, sampled
    tree_peak_pss_mb: float  # the same in PSS: pages shared by forked children (spaCy, Dask) counted once
    process_peaks_mb: dict[str, float]  # peak RSS per process ("pid name"), to see which part grows
    process_cpu_s: dict[str, float]  # CPU seconds per process (last sample before it ended): who used the cores
    stdout: str
    stderr: str


def _label(p) -> str:
    """A short name for a process of the tree: the flow's process, Prefect's server, a Dask worker…"""
    import psutil

    try:
        cmd = " ".join(p.cmdline())
    except psutil.Error:
        return f"{p.pid} ?"
    for needle, name in (
        ("uvicorn", "prefect-server"),
        ("prefect", "prefect"),
        ("distributed", "dask"),
        ("multiprocessing", "mp-child"),
        ("search_cli", "newsdex"),
    ):
        if needle in cmd:
            return f"{p.pid} {name}"
    return f"{p.pid} {cmd[:40]}"


def tree_memory(proc, peaks: dict[str, float], cpu: dict[str, float]) -> tuple[int, int]:
    """(RSS, PSS) summed over the tree; PSS is 0 where the platform has none. Updates per-process peaks and
    CPU seconds."""
    import psutil

    rss = pss = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for p in procs:
        try:
            info = p.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", 0)
            label = _LABELS.setdefault(p.pid, _label(p))
            peaks[label] = max(peaks.get(label, 0.0), info.rss / 2**20)
            times = p.cpu_times()
            cpu[label] = times.user + times.system
        except psutil.Error:
            pass
    return rss, pss


_LABELS: dict[int, str] = {}


def run_measured(
    cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None, interval: float = 0.2
) -> Measured:
    import psutil

    t0 = time.perf_counter()
    popen = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    proc = psutil.Process(popen.pid)
    peak = peak_pss = 0
    peaks: dict[str, float] = {}
    cpu: dict[str, float] = {}
    out_chunks: list[str] = []
    err_chunks: list[str] = []

    def drain(stream, sink):
        for line in stream:
            sink.append(line)

    threads = [
        threading.Thread(target=drain, args=(popen.stdout, out_chunks), daemon=True),
        threading.Thread(target=drain, args=(popen.stderr, err_chunks), daemon=True),
    ]
    for t in threads:
        t.start()
    try:
        while popen.poll() is None:
            rss, pss = tree_memory(proc, peaks, cpu)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(interval)
    finally:
        if popen.poll() is None:
            popen.kill()
        popen.wait()
        for t in threads:
            t.join(timeout=5)
    seconds = time.perf_counter() - t0
    return Measured(
        popen.returncode,
        seconds,
        peak / 2**20,
        peak_pss / 2**20,
        _largest(peaks),
        _largest(cpu),
        "".join(out_chunks),
        "".join(err_chunks),
    )


def _largest(per_process: dict[str, float], n: int = 6) -> dict[str, float]:
    """The ``n`` largest values, rounded, largest first (a run has a handful of processes that matter)."""
    return dict(sorted(((k, round(v, 1)) for k, v in per_process.items()), key=lambda kv: -kv[1])[:n])
