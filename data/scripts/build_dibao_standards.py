"""Write data/dibao_standards.csv: DEMO 低保 standards for the 11 counties of 漳州市.

The figures are plausible, not official: they were not taken from any
government notice. They follow the usual pattern (city districts above the
counties, urban above rural, a rise every 1 July) so that looking up the
standard in force on a date matters. Replace the file with the published
standards of your own area before using results for real decisions.

Run: python data/scripts/build_dibao_standards.py  (writes data/dibao_standards.csv)
"""

from __future__ import annotations

import csv
from pathlib import Path

# county code -> (urban, rural) yuan/person/month effective 2024-07-01
BASE = {
    "350602": (830, 780),  # 芗城区
    "350603": (830, 780),  # 龙文区
    "350604": (800, 750),  # 龙海区
    "350605": (800, 750),  # 长泰区
    "350622": (770, 720),  # 云霄县
    "350623": (770, 720),  # 漳浦县
    "350624": (760, 710),  # 诏安县
    "350626": (780, 730),  # 东山县
    "350627": (770, 720),  # 南靖县
    "350628": (760, 710),  # 平和县
    "350629": (770, 720),  # 华安县
}
# effective date -> yuan added to the 2024 base
RAISES = {"2024-07-01": 0, "2025-07-01": 30, "2026-07-01": 60}


def main(out: Path | None = None) -> Path:
    out = out or Path(__file__).resolve().parents[1] / "dibao_standards.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["county_code", "urban_rural", "effective_date", "monthly_yuan"])
        for date, raise_ in RAISES.items():
            for county, (urban, rural) in BASE.items():
                writer.writerow([county, "urban", date, urban + raise_])
                writer.writerow([county, "rural", date, rural + raise_])
    return out


if __name__ == "__main__":
    print(main())
