"""The what-if app's page as the browser tests see it: selectors, the figures it must show, and how to read them.

Shared by tests/test_app_browser.py (Voilà) and tests/test_lab_browser.py
(the same panel inside JupyterLab).
"""

from __future__ import annotations

from reliefplan.core.money import format_yuan
from reliefplan.models import whatif

UPDATE_TIMEOUT_MS = 30_000

TOTAL = "#rp-total-value"
GAP = "#rp-gap-value"
MESSAGE = "#rp-message-text"
CASH_SLIDER = ".rp-cash-dibao .noUi-handle"
CASH_BOX = ".rp-cash-dibao-input input"
CAP_SLIDER = ".rp-cap .noUi-handle"
CAP_BOX = ".rp-cap-input input"


def expected(library, controls: dict | None = None) -> dict:
    """What the page must show: the library's figures for ``controls`` (default: the mirror's)."""
    inputs, mirror = library
    result = whatif.update(inputs.state if controls is not None else mirror.state,
                           controls if controls is not None else mirror.controls())
    assert result.ok, result.message_en
    s = result.summary()
    return {"total": format_yuan(s["total_fen"]), "total_fen": str(s["total_fen"]),
            "gap": format_yuan(abs(s["gap_fen"])), "gap_fen": str(s["gap_fen"])}


def shows(page, want: dict) -> None:
    """Wait until the total and the gap show ``want`` (text and exact fen)."""
    from playwright.sync_api import expect

    expect(page.locator(TOTAL)).to_have_text(want["total"], timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(GAP)).to_have_text(want["gap"], timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(TOTAL)).to_have_attribute("data-fen", want["total_fen"])
    expect(page.locator(GAP)).to_have_attribute("data-fen", want["gap_fen"])


def box_value(page, selector: str) -> int:
    return int(page.locator(selector).input_value().replace(",", ""))


def box_shows(page, selector: str, value: int) -> None:
    """Wait until an amount box shows ``value`` with separators (its update may trail the figures')."""
    from playwright.sync_api import expect

    expect(page.locator(selector)).to_have_value(f"{int(value):,}", timeout=UPDATE_TIMEOUT_MS)
