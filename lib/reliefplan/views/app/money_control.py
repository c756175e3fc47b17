"""One amount as a slider and a box that always agree, made for money.

- The slider steps by the plan's rounding step (10 or 50 yuan), so a drag or
  an arrow key moves in amounts a planner would write down.
- Its range comes from the plan: 0 to a multiple of the current standard
  (3x unless the planner widens it), never 0 to an arbitrary 5,000.
- The box shows thousands separators (3,300,000) and accepts them back,
  with full-width digits and a trailing 元.
- A typed value that is not a number, negative, or beyond the range shows
  the message in words and puts the last valid value back in the box: the
  slider is never moved to (or stuck at) a value it cannot hold.

An amount may also be a multiple of the 低保 standard (months of 低保): the
value is then kept in hundredths of a month and shown as ``1.5``; the
caller's ``hint`` says what that is in yuan.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

import ipywidgets as widgets
from ipywidgets.widgets.widget_int import SliderStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

from reliefplan.views.app.texts import esc

YUAN, MULTIPLE = "yuan", "multiple"
HUNDREDTHS = 100
DIMMED = "rp-off"               # CSS class of a control whose switch is off (greyed, still usable)
_SEPARATORS = re.compile(r"[,，\s_']")
_SHARED: dict = {}


def shared(cls, **traits):
    """One Layout (or style) model per distinct set of traits, shared by every widget that uses it.

    Each widget otherwise makes its own Layout and style model, and the page
    must fetch and build every model before it draws: the demo panel had 730
    models, 450 of them identical layouts and styles. Sharing them makes the
    first paint faster. A shared model that was closed is made anew.
    """
    key = (cls, tuple(sorted(traits.items())))
    model = _SHARED.get(key)
    if model is None or getattr(model, "comm", None) is None:
        model = _SHARED[key] = cls(**traits)
    return model


def ceil_to(value: int, step: int) -> int:
    """``value`` rounded up to a multiple of ``step``."""
    return -(-int(value) // int(step)) * int(step)


def format_amount(value: int, kind: str = YUAN) -> str:
    """The box text of a value: 3300000 -> '3,300,000'; 150 hundredths of a month -> '1.5'."""
    if kind == MULTIPLE:
        return f"{value / HUNDREDTHS:g}"
    return f"{int(value):,}"


def parse_amount(text: str, kind: str = YUAN) -> int | None:
    """The value typed in a box, or None when it is not a number of the right kind.

    Yuan: a whole number, thousands separators and a trailing 元 allowed.
    Multiple: a decimal number of months, kept in hundredths (1.25 -> 125).
    """
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = _SEPARATORS.sub("", s.removesuffix("元").removesuffix("倍"))
    if kind == MULTIPLE:
        if not re.fullmatch(r"-?\d+(\.\d{1,2})?|-?\.\d{1,2}", s):
            return None
        whole, _, frac = s.partition(".")
        sign = -1 if whole.startswith("-") else 1
        whole = whole.lstrip("-") or "0"
        return sign * (int(whole) * HUNDREDTHS + int((frac + "00")[:2]))
    if not re.fullmatch(r"-?\d+(\.0+)?", s):
        return None
    return int(s.split(".")[0])


class MoneyControl:
    """A slider and a box for one amount; ``widget`` to display, ``value`` the last valid amount.

    ``on_change(value)`` is called after every valid change (slider or box);
    ``on_error(zh, en)`` when the box holds something that is not allowed.
    ``hint(value)`` (optional) returns HTML shown after the box.
    """

    def __init__(self, label: tuple[str, str], value: int, *, kind: str = YUAN, step: int = 10,
                 top: int | None = None, minimum: int = 0, lang: str = "zh",
                 on_change: Callable[[int], None] | None = None,
                 on_error: Callable[[str, str], None] | None = None,
                 hint: Callable[[int], str] | None = None, css: str = "", slider_width: str = "190px",
                 box_width: str = "92px"):
        self.label, self.kind, self.lang = label, kind, lang
        self.step, self.minimum = max(1, int(step)), int(minimum)
        self.on_change, self.on_error, self.hint = on_change, on_error, hint
        self.value = int(value)
        self._muted = False
        top = self.value if top is None else max(int(top), self.value)
        self.slider = widgets.IntSlider(value=self.value, min=0, max=ceil_to(max(top, self.step), self.step),
                                        step=self.step, continuous_update=False, readout=False,
                                        layout=shared(widgets.Layout, width=slider_width),
                                        style=shared(SliderStyle))
        self.box = widgets.Text(value=format_amount(self.value, kind), layout=shared(widgets.Layout, width=box_width),
                                style=shared(TextStyle), continuous_update=False)
        # only a control with a hint has a note beside it (fewer widgets: a faster first paint)
        self.note = widgets.HTML(layout=shared(widgets.Layout, min_width="0"),
                                 style=shared(HTMLStyle)) if hint is not None else None
        if css:
            self.slider.add_class(css)
            self.box.add_class(f"{css}-input")
            if self.note is not None:
                self.note.add_class(f"{css}-note")
        self.slider.observe(self._on_slider, names="value")
        self.box.observe(self._on_box, names="value")
        self._show_hint()
        self.widget = widgets.HBox([w for w in (self.slider, self.box, self.note) if w is not None],
                                   layout=shared(widgets.Layout, align_items="center"))

    # ------------------------------------------------------------ reading and setting

    @property
    def top(self) -> int:
        """The largest value the slider (and so the box) accepts now."""
        return int(self.slider.max)

    def set_range(self, top: int) -> None:
        """Widen or narrow the range to 0..``top`` (rounded up to the step; never below the value)."""
        new = ceil_to(max(int(top), self.value, self.step), self.step)
        self._muted = True
        try:
            self.slider.max = new
            self.slider.value = self.value
        finally:
            self._muted = False

    def set(self, value: int, *, notify: bool = False) -> None:
        """Put ``value`` in both slider and box (the range grows if needed); ``notify`` calls on_change."""
        self.value = int(value)
        self._muted = True
        try:
            if self.value > self.slider.max:
                self.slider.max = ceil_to(self.value, self.step)
            self.slider.value = self.value
            self.box.value = format_amount(self.value, self.kind)
        finally:
            self._muted = False
        self._show_hint()
        if notify and self.on_change:
            self.on_change(self.value)

    def set_dimmed(self, dimmed: bool) -> None:
        """Grey the slider and the box (their switch is off) but leave them usable; see WhatIfApp._show_switches."""
        for w in (self.slider, self.box):
            if dimmed:
                w.add_class(DIMMED)
            else:
                w.remove_class(DIMMED)

    def refresh_hint(self) -> None:
        self._show_hint()

    # ------------------------------------------------------------ events

    def _on_slider(self, change) -> None:
        if self._muted:
            return
        self.value = int(change["new"])
        self._muted = True
        try:
            self.box.value = format_amount(self.value, self.kind)
        finally:
            self._muted = False
        self._show_hint()
        if self.on_change:
            self.on_change(self.value)

    def _on_box(self, change) -> None:
        if self._muted:
            return
        text = str(change["new"])
        value = parse_amount(text, self.kind)
        problem = self._problem(text, value)
        if problem:
            self._restore_box()
            if self.on_error:
                self.on_error(*problem)
            return
        self.value = value
        self._muted = True
        try:
            self.slider.value = value
            self.box.value = format_amount(value, self.kind)
        finally:
            self._muted = False
        self._show_hint()
        if self.on_change:
            self.on_change(self.value)

    def _restore_box(self) -> None:
        self._muted = True
        try:
            self.box.value = format_amount(self.value, self.kind)
        finally:
            self._muted = False

    def _problem(self, text: str, value: int | None) -> tuple[str, str] | None:
        """(zh, en) saying what is wrong with a typed value, or None when it can be used."""
        zh, en = self.label
        shown = repr(text.strip()) if text.strip() else None
        lo, hi = format_amount(self.minimum, self.kind), format_amount(self.top, self.kind)
        unit_zh, unit_en = ("元", "yuan") if self.kind == YUAN else ("个月低保", "months of dibao")
        if value is None:
            what = "整数(元)" if self.kind == YUAN else "数字(最多两位小数)"
            what_en = "whole number of yuan" if self.kind == YUAN else "number (at most two decimals)"
            return (f"{zh}须为不小于 {lo} 的{what}, 实为 {shown or '空'}",
                    f"{en} must be a {what_en} >= {lo}, got {shown or 'empty'}")
        if value < self.minimum:
            return (f"{zh}须为不小于 {lo} 的{'整数(元)' if self.kind == YUAN else '数字'}, 实为 {shown}",
                    f"{en} must be >= {lo}, got {shown}")
        if value > self.top:
            return (f"{zh}须在 {lo} 至 {hi} {unit_zh}之间(可调大“滑块范围”), 实为 {shown}",
                    f"{en} must be between {lo} and {hi} {unit_en} (widen the slider range), got {shown}")
        return None

    def _show_hint(self) -> None:
        if self.hint is not None and self.note is not None:
            self.note.value = self.hint(self.value)


def label_html(text: str, sub: str = "") -> str:
    """A category name (escaped) with an optional small second line."""
    small = f'<br><small style="color:#555">{esc(sub)}</small>' if sub else ""
    return f"{esc(text)}{small}"
