"""The label-overlap check of the report tests finds labels drawn over each other (and none when plotly lays them out)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from browser_support import chromium, label_overlaps

pytestmark = [pytest.mark.browser]

NAMES = [f"很长的困难类别名称{i}" for i in range(30)]


def _overlaps(tickangle) -> int:
    fig = go.Figure(go.Bar(x=NAMES, y=list(range(30))))
    if tickangle is not None:
        fig.update_xaxes(tickangle=tickangle)
    fig.update_layout(width=500, title="各类别")
    with chromium() as browser:
        page = browser.new_page()
        page.set_content(fig.to_html(include_plotlyjs=True, full_html=True))
        page.wait_for_selector(".xtick text")
        return len(label_overlaps(page))


def test_crowded_level_and_tilted_labels_are_found_and_plotlys_own_layout_is_clean():
    assert _overlaps(0) > 0        # level labels side by side
    assert _overlaps(30) > 0       # tilted, but their baselines too close for the font
    assert _overlaps(None) == 0    # plotly tilts or thins them itself
