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
    stdout: str
    stderr: str


def _tree_mem(proc) -> tuple[int, int]:
    """(RSS, PSS) summed over the tree; PSS is 0 where the platform has none."""
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
        except psutil.Error:
            pass
    return rss, pss


def run_measured(cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None,
                 interval: float = 0.2) -> Measured:
    import psutil

    t0 = time.perf_counter()
    popen = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    proc = psutil.Process(popen.pid)
    peak = peak_pss = 0
    out_chunks: list[str] = []
    err_chunks: list[str] = []

    def drain(stream, sink):
        for line in stream:
            sink.append(line)

    threads = [threading.Thread(target=drain, args=(popen.stdout, out_chunks), daemon=True),
               threading.Thread(target=drain, args=(popen.stderr, err_chunks), daemon=True)]
    for t in threads:
        t.start()
    try:
        while popen.poll() is None:
            rss, pss = _tree_mem(proc)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(interval)
    finally:
        if popen.poll() is None:
            popen.kill()
        popen.wait()
        for t in threads:
            t.join(timeout=5)
    seconds = time.perf_counter() - t0
    return Measured(popen.returncode, seconds, peak / 2**20, peak_pss / 2**20, "".join(out_chunks), "".join(err_chunks))
