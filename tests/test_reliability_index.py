"""Issue 27, the index side, on real folders made here: a user's folder that is not an index, an index of an
earlier version, export to a device, a FIFO and a symlink, a read-only index folder and a full disk (small tmpfs
mounts; skipped with the reason where the machine does not allow mounting)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEEDS, run_cli


@contextlib.contextmanager
def tmpfs(size: str) -> Iterator[Path]:
    """A fresh tmpfs of ``size`` (a full disk that fills fast; remountable read-only), or a skip saying why."""
    where = Path(tempfile.mkdtemp(prefix="newsdex-tmpfs-"))
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here (needs root and mount rights): {proc.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)
        with contextlib.suppress(OSError):
            where.rmdir()


def fill(disk: Path, leave: int = 0) -> None:
    """Fill the file system of ``disk`` until ``leave`` bytes are free."""
    st = os.statvfs(disk)
    free = st.f_bavail * st.f_frsize
    with contextlib.suppress(OSError), open(disk / "filler", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave))
    if leave == 0:  # the last blocks, a page at a time
        with contextlib.suppress(OSError), open(disk / "filler2", "wb", buffering=0) as fh:
            while True:
                fh.write(b"\0" * 4096)


def tree(root: Path) -> dict[str, bytes]:
    """Every file of the index folder but the lock and SQLite's log and shared memory, with its bytes."""
    skip = ("write.lock", "manifest.sqlite-shm", "manifest.sqlite-wal")
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name not in skip
    }


def one_line(proc: subprocess.CompletedProcess, code: int = 1) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


# -- newsdex writes only into a folder it made ------------------------------------------------------------------


def test_a_users_folder_is_never_written_into(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "current").write_text("notes\n")
    line = one_line(run_cli("ingest", str(SEEDS), "--index", str(folder)))
    assert "is not empty and is not a newsdex index" in line
    assert sorted(os.listdir(folder)) == ["current"] and (folder / "current").read_text() == "notes\n"
    for argv in (["reindex"], ["check", "--repair"]):
        proc = run_cli(*argv, "--index", str(folder))
        assert proc.returncode == 1 and sorted(os.listdir(folder)) == ["current"], proc.stderr


def test_an_index_gets_its_marker_and_an_earlier_one_is_adopted(prefect_harness, tmp_path):
    from newsdex.flows.ingest import ingest_flow
    from newsdex.flows.options import IngestOptions, RunnerOptions

    NO_WORKERS = RunnerOptions(workers=0)
    from newsdex.index.layout import MARKER, IndexPaths, NotAnIndex, claim

    index = tmp_path / "index"
    ingest_flow(IngestOptions(paths=[str(SEEDS)], index=str(index), runner=NO_WORKERS))
    marker = json.loads((index / MARKER).read_text())
    assert marker["kind"] == "newsdex-index" and marker["format"] == 1 and marker["made_by"].startswith("newsdex ")
    (index / MARKER).unlink()  # as an index made before the marker
    report = ingest_flow(IngestOptions(paths=[str(SEEDS)], index=str(index), runner=NO_WORKERS))
    assert report["unchanged"] == 5 and (index / MARKER).exists()  # adopted
    (index / MARKER).write_text(json.dumps({"kind": "newsdex-index", "format": 99}))
    with pytest.raises(NotAnIndex, match="format 99"):
        claim(IndexPaths(index))
    empty = tmp_path / "empty"
    empty.mkdir()
    claim(IndexPaths(empty))
    assert os.listdir(empty) == [MARKER]


# -- export -o ---------------------------------------------------------------------------------------------------


def _device(path: Path, minor: int) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a character device needs root")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))  # 1,3 is null, 1,7 is full


def test_export_to_devices_fifos_and_links_writes_them_directly(seed_index, tmp_path):
    index = str(seed_index["index"])
    null = tmp_path / "null"
    _device(null, 3)
    proc = run_cli("export", "--index", index, "-o", str(null))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(null.stat().st_mode) and not list(tmp_path.glob("*.partial"))  # still the device
    link = tmp_path / "to-null"
    link.symlink_to(null)
    assert run_cli("export", "--index", index, "-o", str(link)).returncode == 0
    assert link.is_symlink() and stat.S_ISCHR(link.stat().st_mode)
    full = tmp_path / "full"
    _device(full, 7)
    line = one_line(run_cli("export", "--index", index, "-o", str(full)))
    assert line == f"newsdex export: writing to {full}: No space left on device"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert run_cli("export", "--index", index, "-o", str(fifo)).returncode == 0
    reader.join(60)
    assert len(got[0].splitlines()) == 5 and stat.S_ISFIFO(fifo.stat().st_mode)
    target = tmp_path / "real.jsonl"
    target.write_text("old")
    regular_link = tmp_path / "link.jsonl"
    regular_link.symlink_to(target)
    assert run_cli("export", "--index", index, "-o", str(regular_link)).returncode == 0
    assert regular_link.is_symlink() and len(target.read_text().splitlines()) == 5  # written through, atomically


def test_export_into_a_closed_pipe_is_one_line(seed_index):
    import sys

    from tests.conftest import REPO

    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdex.search_cli", "export", "--index", str(seed_index["index"])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    proc.stdout.close()  # the reader goes away before the first line
    err = proc.stderr.read().decode()
    assert proc.wait(120) == 1 and err.strip().splitlines() == [
        "newsdex export: writing to stdout: the reader closed the pipe (broken pipe)"
    ]


# -- read-only folder, full disk ---------------------------------------------------------------------------------


def test_a_read_only_index_is_read_and_checked_and_writers_say_so(seed_index):
    with tmpfs("64m") as disk:
        index = disk / "index"
        shutil.copytree(seed_index["index"], index, symlinks=True)
        before = tree(index)
        proc = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {proc.stderr.strip()}")
        assert run_cli("search", "gulags", "--index", str(index)).returncode == 0
        assert run_cli("stats", "--index", str(index)).returncode == 0
        assert run_cli("check", "--index", str(index)).returncode == 0
        dry = run_cli("reindex", "--dry-run", "--json", "--index", str(index))
        assert dry.returncode == 0 and json.loads(dry.stdout)["dry_run"] is True, dry.stderr
        line = one_line(run_cli("ingest", str(SEEDS), "--index", str(index)))
        assert "cannot be written" in line or "read-only" in line
        assert tree(index) == before


def test_a_full_disk_is_one_line_and_the_index_stays_readable(seed_index, tmp_path):
    with tmpfs("16m") as disk:
        index = disk / "index"
        shutil.copytree(seed_index["index"], index, symlinks=True)
        new = tmp_path / "new"
        new.mkdir()
        (new / "a.txt").write_text("Harbour news\n\nThe cranes arrived on Monday and the port reopened.\n")
        fill(disk)
        before = tree(index)
        line = one_line(run_cli("ingest", str(new), "--index", str(index)))
        assert line.startswith(f"newsdex ingest: the disk holding {index} is full") and "unchanged" in line
        assert tree(index) == before
        assert run_cli("search", "gulags", "--index", str(index)).returncode == 0  # reads keep working
        assert run_cli("check", "--index", str(index)).returncode == 0
        assert run_cli("stats", "--index", str(index)).returncode == 0


def test_a_batch_that_does_not_fit_writes_nothing(seed_index):
    """Room is checked before Whoosh's commit: Whoosh first and the manifest second would otherwise leave
    documents the manifest does not know on a disk that filled between the two."""
    from newsdex.index.manifest import open_readonly
    from newsdex.index.store import IndexStore

    with tmpfs("16m") as disk:
        index = disk / "index"
        shutil.copytree(seed_index["index"], index, symlinks=True)
        with open_readonly(index / "manifest.sqlite") as manifest:
            docs = [manifest.get(r["id"]) for r in manifest.indexed()]
        docs = [d.model_copy(update={"id": f"{i:016x}", "path": f"new/{i}.txt"}) for i, d in enumerate(docs * 40)]
        fill(disk, leave=1_100_000)
        before = tree(index)
        with IndexStore(index).writing(lock_held=False, place_copies=False) as store:
            with pytest.raises(OSError) as raised:
                store.write(docs)
        assert raised.value.errno == errno.ENOSPC
        assert tree(index) == before


# -- check --repair ---------------------------------------------------------------------------------------------


def test_check_repair_removes_unfinished_generations(seed_index, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(seed_index["index"], index, symlinks=True)
    leftover = index / "gens" / "000099"
    leftover.mkdir()
    (leftover / "MAIN_half.seg").write_bytes(b"\0" * 100)  # what a rebuild stopped by a full disk leaves
    proc = run_cli("check", "--json", "--index", str(index))
    assert proc.returncode == 1 and "generation-unfinished" in {p["kind"] for p in json.loads(proc.stdout)["problems"]}
    proc = run_cli("check", "--repair", "--index", str(index))
    assert proc.returncode == 0, proc.stderr
    assert not leftover.exists() and "removed the unfinished generation 000099" in proc.stdout
    assert run_cli("check", "--index", str(index)).returncode == 0


def test_a_lost_manifest_is_rebuilt_beside_and_swapped_in_last(seed_index, tmp_path):
    """Readers during a repair see the damaged index (an error) or the repaired one, never a mix: the rebuilt
    manifest, whose rows lack their documents until the rebuild fills them, is not the live one before then."""
    from newsdex.index.layout import REPAIR_MANIFEST
    from newsdex.index.store import IndexStore

    index = tmp_path / "index"
    shutil.copytree(seed_index["index"], index, symlinks=True)
    (index / "manifest.sqlite").unlink()
    store = IndexStore(index)
    done, after, work = store.repair_in_place(store.check())
    assert work.paths.manifest == index / REPAIR_MANIFEST and work.paths.manifest.exists()
    assert not (index / "manifest.sqlite").exists()  # readers still find it missing: one line, exit 1
    assert run_cli("stats", "--index", str(index)).returncode == 1
    (index / REPAIR_MANIFEST).unlink()
    proc = run_cli("check", "--repair", "--index", str(index))  # the whole repair, as a user runs it
    assert proc.returncode == 0, proc.stderr
    assert not (index / REPAIR_MANIFEST).exists() and (index / "manifest.sqlite").exists()
    stats = json.loads(run_cli("stats", "--json", "--index", str(index)).stdout)
    assert stats["documents"] == 5 and stats["passages"] > 0


def test_an_id_longer_than_any_id_is_no_such_document(seed_index):
    from starlette.testclient import TestClient

    from newsdex.search_cli.web.app import create_app

    index = str(seed_index["index"])
    long_id = "a" * 60_000
    for command in ("show", "similar"):
        line = one_line(run_cli(command, long_id, "--index", index))
        assert line.startswith(f"newsdex {command}: no document 'aaaa") and len(line) < 200
    client = TestClient(base_url="http://localhost", app=create_app(seed_index["index"]))
    for endpoint in ("show", "similar"):
        assert client.get(f"/api/{endpoint}/{long_id}").status_code == 404


def test_search_without_its_manifest_is_damage_not_zero_hits(seed_index, tmp_path):
    from starlette.testclient import TestClient

    from newsdex.search_cli.web.app import create_app

    index = tmp_path / "index"
    shutil.copytree(seed_index["index"], index, symlinks=True)
    (index / "manifest.sqlite").unlink()
    line = one_line(run_cli("search", "gulags", "--index", str(index)))
    assert "manifest.sqlite is missing" in line and "check --repair" in line
    client = TestClient(base_url="http://localhost", app=create_app(index))
    assert client.get("/api/search?q=gulags").status_code == 503
