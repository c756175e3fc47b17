"""Progress of a report run: one bar with counts per level and an ETA, or machine-readable lines.

A province run has ~100 jobs at three levels; one bar says how far each
level is (``县 40/84 · 市 2/9 · 省 0/1``) and when the run should end. Modes:

- ``bar`` (default): a tqdm bar on stderr (its ETA is tqdm's);
- ``lines``: one JSON object per line on stdout after every finished job, for
  schedulers and CI (``{"event": "progress", "done": 12, "total": 98, "failed": 0,
  "levels": {"county": [12, 84], ...}, "elapsed_s": 30.1, "eta_s": 215.0, "job": ..., "status": ...}``);
- ``quiet``: nothing (failures are still in the manifest, the index and the exit code).
"""

from __future__ import annotations

import json
import sys
import time

from tqdm.auto import tqdm

MODES = ("bar", "lines", "quiet")
# Level of a job -> its label in the bar; city notebooks and organizers are levels of their own.
LEVEL_LABELS = {"township": ("乡镇", "townships"), "county": ("县", "counties"), "city": ("市", "cities"),
                "province": ("省", "province"), "organizer": ("组织单位", "organizers"),
                "analysis": ("分析", "analyses")}
_ORDER = ("township", "county", "city", "province", "organizer", "analysis")


def job_level(job, area_level: str = "") -> str:
    """The level a job counts under: the unit's area level, organizer, analysis, or the plan area's level."""
    if job.kind == "organizer":
        return "organizer"
    if job.kind == "city":
        return "analysis"
    if job.level:
        return job.level
    return area_level or ("city" if job.kind == "rollup" else "county")


class Progress:
    """Counts finished jobs per level and shows them (see the module docstring)."""

    def __init__(self, jobs, *, mode: str = "bar", area_level: str = "", lang: str = "zh", stream=None):
        self.mode = mode if mode in MODES else "bar"
        self.lang = lang
        self.level_of = {j.job_id: job_level(j, area_level) for j in jobs}
        self.total = {lv: 0 for lv in _ORDER}
        for lv in self.level_of.values():
            self.total[lv] = self.total.get(lv, 0) + 1
        self.done = {lv: 0 for lv in self.total}
        self.failed = 0
        self.started = time.monotonic()
        self.stream = stream or sys.stdout
        self.bar = None
        if self.mode == "bar":
            self.bar = tqdm(total=len(self.level_of), desc="报告 reports", unit="job", dynamic_ncols=True)

    def counts(self) -> dict:
        """Level -> [done, total], levels with jobs only, lowest level first."""
        return {lv: [self.done[lv], self.total[lv]] for lv in _ORDER if self.total.get(lv)}

    def text(self) -> str:
        """``县 12/84 · 市 2/9 · 省 0/1``."""
        i = 0 if self.lang == "zh" else 1
        return " · ".join(f"{LEVEL_LABELS[lv][i]} {d}/{t}" for lv, (d, t) in self.counts().items())

    def eta_s(self) -> float | None:
        done = sum(self.done.values())
        total = sum(self.total.values())
        if not done:
            return None
        elapsed = time.monotonic() - self.started
        return round(elapsed / done * (total - done), 1)

    def finished(self, job_id: str, status: str, *, skipped: bool = False) -> None:
        """Count one job as done (``skipped``: resumed from an earlier run)."""
        level = self.level_of.get(job_id)
        if level is None:
            return
        self.done[level] += 1
        if status != "ok":
            self.failed += 1
        if self.bar is not None:
            self.bar.set_postfix_str(self.text() + (f" · 失败 failed {self.failed}" if self.failed else ""),
                                     refresh=False)
            self.bar.update(1)
        elif self.mode == "lines":
            line = {"event": "progress", "done": sum(self.done.values()), "total": sum(self.total.values()),
                    "failed": self.failed, "levels": self.counts(),
                    "elapsed_s": round(time.monotonic() - self.started, 1), "eta_s": self.eta_s(),
                    "job": job_id, "status": status, "skipped": skipped}
            print(json.dumps(line, ensure_ascii=False), file=self.stream, flush=True)

    def write(self, message: str) -> None:
        """A message (a failure) that does not break the bar; plain text without a bar; none in lines mode."""
        if self.bar is not None:
            self.bar.write(message)
        elif self.mode != "lines":
            print(message, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
