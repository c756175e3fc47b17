"""Atomic file writes: a report appears only when it is complete.

Every output is written to a hidden temporary file in the same folder and
then moved into place with :func:`os.replace`, which is atomic on one file
system. An interrupted run can leave at most a hidden ``.*.part`` file, which
never looks like a report and is removed by :func:`remove_stale_parts` at the
start of the next run.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import time
from pathlib import Path

from reliefplan.core.errors import InputError

PART_SUFFIX = ".part"
LOCK_NAME = ".reliefplan.lock"


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


def inside(root, relative) -> Path | None:
    """``root / relative`` resolved, or None when it escapes ``root`` (``..``, an absolute path, a symlink out)."""
    root = Path(root).resolve()
    try:
        target = (root / str(relative)).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    return target if target != root and target.is_relative_to(root) else None


def remove_own_file(root, relative, sha256: str | None) -> str | None:
    """Delete a file an earlier run wrote, if it is inside ``root`` and still the file written (same hash).

    Returns None when deleted or already gone, else why it was kept (for a warning): a manifest
    is a file anyone can edit, so its paths are never trusted to point at our files.
    """
    target = inside(root, relative)
    if target is None:
        return f"不在输出目录内, 未删除 / outside the output folder, not deleted: {relative!r}"
    if not target.exists():
        return None
    if not target.is_file() or target.is_symlink():
        return f"不是普通文件, 未删除 / not a regular file, not deleted: {relative!r}"
    if not sha256 or sha256_file(target) != sha256:
        return f"文件已被改动或不是本程序所写, 未删除 / changed since written or not ours, not deleted: {relative!r}"
    target.unlink(missing_ok=True)
    return None


@contextlib.contextmanager
def folder_lock(folder, *, wait: float = 0.0):
    """Hold an exclusive lock on ``folder`` (a ``.reliefplan.lock`` file in it) for one report run.

    A second run into the same folder waits up to ``wait`` seconds, then raises InputError
    (exit 2) naming the process that holds it. The lock dies with its process, so a crashed
    run never leaves the folder locked.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "?"
                    raise InputError(f"另一个报告任务正在写入此目录({holder}), 请等它结束后再运行",
                                     f"another report run is writing to this folder ({holder}); "
                                     "wait for it to finish, then run again", file=folder) from None
                time.sleep(0.5)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        yield path
    finally:
        os.close(fd)   # releases the lock
