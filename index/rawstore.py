"""Content-addressed store of every input's bytes (gzip-compressed), so nothing is lost and reindex never
needs the original files."""

from __future__ import annotations

import gzip
import os
from pathlib import Path


def raw_path(root: Path, digest: str) -> Path:
    return root / digest[:2] / f"{digest}.gz"


def put_raw(root: Path, digest: str, data: bytes) -> Path:
    """Store bytes under their sha256; idempotent, and atomic (write a temp file, then rename)."""
    path = raw_path(root, digest)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(gzip.compress(data, compresslevel=6, mtime=0))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def get_raw(root: Path, digest: str) -> bytes:
    with open(raw_path(root, digest), "rb") as fh:
        return gzip.decompress(fh.read())
