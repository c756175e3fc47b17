"""An HTML table saved under an Excel name (.xls): its cells and merged ranges.

Web systems and WPS "save as web page" produce ``.xls`` files that are HTML
``<table>`` markup; Excel opens them without a word. The first table with
cells is read; ``rowspan``/``colspan`` become merged ranges, so a household
roster saved this way fills down like a real workbook.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.merged: list[tuple[int, int, int, int]] = []
        self._taken: set[tuple[int, int]] = set()  # cells covered by a rowspan from above
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._depth = 0  # nested tables are read as text of their cell
        self._done = False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag == "table":
            self._depth += 1
        elif self._depth == 1 and tag == "tr":
            self._row = []
        elif self._depth == 1 and tag in ("td", "th") and self._row is not None:
            a = dict(attrs)
            self._span = (_span(a.get("rowspan")), _span(a.get("colspan")))
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if self._done:
            return
        if tag == "table":
            self._depth -= 1
            if self._depth == 0 and self.rows:
                self._done = True
        elif self._depth == 1 and tag in ("td", "th") and self._cell is not None:
            self._place("".join(self._cell).strip())
            self._cell = None
        elif self._depth == 1 and tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def _place(self, text: str) -> None:
        r = len(self.rows)
        c = len(self._row)
        while (r, c) in self._taken:
            self._row.append("")
            c += 1
        rows, cols = self._span
        self._row.append(text)
        self._row.extend([""] * (cols - 1))
        for dr in range(rows):
            for dc in range(cols):
                if dr:
                    self._taken.add((r + dr, c + dc))
        if rows > 1 or cols > 1:
            self.merged.append((r, c, r + rows - 1, c + cols - 1))


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 10000))
    except (TypeError, ValueError):
        return 1


def html_table(text: str) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """(rows of cell text, merged ranges as (first_row, first_col, last_row, last_col)) of the first table."""
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    rows = parser.rows
    # Cells covered by a rowspan at the end of a row are not followed by a <td>: pad them.
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows], parser.merged
