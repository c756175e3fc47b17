"""Parsed input tables kept once per machine as Arrow files that every batch kernel memory-maps.

A batch run (``reliefplan report``) runs its reports in several worker
kernels. Without this, each kernel read and validated the registry itself and
held its own copy of every table. With :data:`STORE_ENV` naming a folder (the
batch runner sets it for its kernels, see :mod:`reliefplan.batch.job_runner`),
the first kernel that needs a table parses it and writes it there as an Arrow
IPC file; every other kernel on that machine, and the same kernel's later
reports, open that file memory-mapped. The operating system then keeps one
copy of its pages for all of them: these kernels keep text in Arrow
(:mod:`reliefplan.core.string_storage`), so the strings (most of a registry)
are used in place; only the few numeric columns are copied into each kernel.
In a process that keeps text as Python objects the strings are copied out
(same values and dtypes, nothing shared).

What is stored: the DataFrames of a value (a frame alone, or in the fields of a
dataclass as :func:`reliefplan.ingest.inputs._plain` gives them) as Arrow
files, the rest of the value pickled beside them. The writer reads each frame
back once and compares it with the original (values, dtypes, index, ``attrs``);
a frame that does not come back exactly (an object column of mixed types,
say) is not stored, and :func:`fetch` then hands back the value it loaded, as
if there were no store: never a table that differs from the file's.

One writer per value: a ``flock`` on ``<name>.lock``. A kernel that finds the
lock taken waits for the writer instead of parsing the same file itself
(values depend on one another only one way, the registry on the areas table,
so two kernels never wait on each other). Without ``fcntl`` (Windows) there is
no store and each kernel keeps its own copy, as before.

The folder holds the same personal data as the input files: it is created
readable by its owner only and the runner removes it when the run ends.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pandas as pd

from reliefplan.core.string_storage import SHARED_INPUTS_ENV as STORE_ENV

try:
    import fcntl
except ImportError:     # Windows: no store, see the module docstring
    fcntl = None


def store_dir() -> Path | None:
    """The store folder of this process (from :data:`STORE_ENV`), or None when there is none."""
    folder = os.environ.get(STORE_ENV, "")
    if not folder or fcntl is None:
        return None
    return Path(folder)


class _FrameRef:
    """Stands in the pickled part of a value for its ``index``-th frame (an Arrow file beside it)."""

    def __init__(self, index: int):
        self.index = index


def value_name(key: tuple) -> str:
    """The file name (without suffix) of the value stored under ``key``."""
    return hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:32]


def fetch(key: tuple, load, folder: Path | None = None):
    """The value ``load()`` gives for ``key``, parsed once per machine and memory-mapped (see the module).

    ``key``: a tuple of plain values naming what ``load`` reads (file paths, sizes and
    modification times); ``folder``: the store (default :func:`store_dir`). With no store,
    simply ``load()``.
    """
    folder = folder if folder is not None else store_dir()
    if folder is None or fcntl is None:
        return load()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _private(folder):    # its pickles are loaded: only a folder no one else can write is used
        return load()
    name = value_name(key)
    with open(folder / f"{name}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)    # released when the file closes, or when its process dies
        if (folder / f"{name}.pickle").is_file():
            _log(folder, "opened", name)
            return _open(folder, name)
        if not (folder / f"{name}.unstorable").exists():
            value = load()
            mapped = _write(folder, name, value)
            _log(folder, "unstorable" if mapped is None else "wrote", name)
            return value if mapped is None else mapped
    _log(folder, "loaded", name)
    return load()     # not storable (see _write): each kernel loads its own, without waiting on the others


def _private(folder: Path) -> bool:
    """Is ``folder`` ours and closed to everyone else (no group or other permissions)?"""
    st = folder.stat()
    return st.st_uid == os.getuid() and not st.st_mode & 0o077


def read_log(folder: Path) -> list[tuple[str, str, int]]:
    """What the kernels did with the store, in order: (``wrote`` | ``opened`` | ``unstorable`` | ``loaded``,
    value name, pid). For tests and the bench: which kernel parsed a table and which opened it."""
    path = Path(folder) / "log"
    if not path.is_file():
        return []
    return [(a, n, int(p)) for a, n, p in (line.split() for line in path.read_text(encoding="utf-8").splitlines())]


def _log(folder: Path, action: str, name: str) -> None:
    with open(folder / "log", "a", encoding="utf-8") as log:   # one short line per write: appends don't interleave
        log.write(f"{action} {name} {os.getpid()}\n")


def _write(folder: Path, name: str, value):
    """Write ``value`` as Arrow files and a pickle and give it back memory-mapped (the frames read back for
    the check); None when it can't be stored (a frame that does not round-trip).

    A value that can't be stored gets a ``<name>.unstorable`` file saying why, so that the
    other kernels load their own at once instead of queueing behind the lock.
    """
    frames: list[pd.DataFrame] = []
    skeleton = _split(value, frames)
    written, mapped = [], []
    try:
        if not frames:
            raise ValueError("no table in it: nothing to share")
        for index, frame in enumerate(frames):
            path = folder / f"{name}.{index}.arrow"
            written.append(path)
            _write_arrow(frame, path)
            mapped.append(_read_arrow(path))
            if not _same(mapped[-1], frame):
                raise ValueError(f"frame {index} does not come back from Arrow as it went in")
        _replace_bytes(folder / f"{name}.pickle", pickle.dumps(skeleton, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception as exc:   # any failure (a type Arrow can't hold, a full disk): the kernel keeps its own copy
        for path in written:
            path.unlink(missing_ok=True)
        (folder / f"{name}.unstorable").write_text(f"{type(exc).__name__}: {exc}"[:2000], encoding="utf-8")
        return None
    return _join(skeleton, mapped.__getitem__)


def _open(folder: Path, name: str):
    """The stored value, its frames memory-mapped."""
    skeleton = pickle.loads((folder / f"{name}.pickle").read_bytes())
    return _join(skeleton, lambda index: _read_arrow(folder / f"{name}.{index}.arrow"))


def _split(value, frames: list):
    """``value`` with each DataFrame (at the top, or in a dict, list or tuple) replaced by a :class:`_FrameRef`."""
    if isinstance(value, pd.DataFrame):
        frames.append(value)
        return _FrameRef(len(frames) - 1)
    if isinstance(value, dict):
        return {k: _split(v, frames) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_split(v, frames) for v in value)
    return value


def _join(skeleton, frame):
    """The inverse of :func:`_split`: ``frame(index)`` for each reference."""
    if isinstance(skeleton, _FrameRef):
        return frame(skeleton.index)
    if isinstance(skeleton, dict):
        return {k: _join(v, frame) for k, v in skeleton.items()}
    if type(skeleton) in (list, tuple):
        return type(skeleton)(_join(v, frame) for v in skeleton)
    return skeleton


def _write_arrow(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa

    table = pa.Table.from_pandas(frame)
    part = _part(path)
    with pa.OSFile(str(part), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    _publish(part, path)


def _read_arrow(path: Path) -> pd.DataFrame:
    """The frame of an Arrow file, memory-mapped: its string columns point into the mapped file."""
    import pyarrow as pa

    table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
    return table.to_pandas()


def _same(back: pd.DataFrame, frame: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(back, frame, check_exact=True, check_index_type=True,
                                      check_column_type=True, check_flags=True)
    except AssertionError:
        return False
    return back.attrs == frame.attrs


def _replace_bytes(path: Path, data: bytes) -> None:
    part = _part(path)
    part.write_bytes(data)
    _publish(part, path)


def _part(path: Path) -> Path:
    """Where ``path`` is written before it is complete (this process's own name beside it)."""
    return path.with_name(f"{path.name}.{os.getpid()}.part")


def _publish(part: Path, path: Path) -> None:
    """Make a written part file ``path``, readable by its owner only (it may hold personal data)."""
    os.chmod(part, 0o600)
    os.replace(part, path)
