"""Atomic file writes: a report appears only when it is complete.

Every output is written to a hidden temporary file in the same folder and
then moved into place with :func:`os.replace`, which is atomic on one file
system. An interrupted run can leave at most a hidden ``.*.part`` file, which
never looks like a report and is removed by :func:`remove_stale_parts` at the
start of the next run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

PART_SUFFIX = ".part"


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_text(path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def remove_stale_parts(folder) -> list[Path]:
    """Delete temporary ``.*.part`` files left by an interrupted run; return what was removed."""
    folder = Path(folder)
    removed = []
    if folder.is_dir():
        for part in folder.rglob(f".*{PART_SUFFIX}"):
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
