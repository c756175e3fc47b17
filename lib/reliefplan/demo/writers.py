"""Write synthetic registries (CSV or constant-memory xlsx) and the other demo tables."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import xlsxwriter
from tqdm.auto import tqdm

from reliefplan.demo.profiles import SYNTHETIC_NOTE


def _progress(total: int, desc: str, enabled: bool):
    return tqdm(total=total, desc=desc, unit="行", disable=not enabled, leave=False)


def write_registry(frame: pd.DataFrame, path, fmt: str | None = None, *, progress: bool = False,
                   chunk: int = 100_000) -> Path:
    """Write a registry frame (file form) as CSV (UTF-8 with BOM) or xlsx (xlsxwriter, constant memory)."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower() or "csv"
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh, \
                _progress(len(frame), path.name, progress) as bar:
            for start in range(0, max(len(frame), 1), chunk):
                part = frame.iloc[start:start + chunk]
                part.to_csv(fh, index=False, header=start == 0, lineterminator="\n")
                bar.update(len(part))
        return path
    if fmt == "xlsx":
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        wb.set_properties({"comments": SYNTHETIC_NOTE, "created": dt.datetime(2026, 12, 1)})
        ws = wb.add_worksheet("名单")
        ws.write_row(0, 0, list(frame.columns))
        with _progress(len(frame), path.name, progress) as bar:
            for start in range(0, len(frame), chunk):
                part = frame.iloc[start:start + chunk]
                columns = [part[c].tolist() for c in part.columns]   # Python values for a chunk only
                for r, values in enumerate(zip(*columns), start=start + 1):
                    ws.write_row(r, 0, values)
                bar.update(len(part))
        wb.close()
        return path
    raise ValueError(f"unknown format {fmt!r}: csv or xlsx")


def write_table_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return path
