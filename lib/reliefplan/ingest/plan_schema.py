"""Every key a plan file may hold, with its type and bounds, declared as data.

Why: a typo must never cost money silently. Before this schema ``cashh: 600``
was ignored (特困 paid 0), ``budget_cpa:`` removed the cap and
``cash: 300000000000000`` overflowed to a negative total. Now
:func:`check_plan` walks the plan against :data:`PLAN` and reports, for
every problem, the field path (``categories.tekun.cashh``), the YAML line
and, for an unknown key, the nearest known key ("did you mean ``cash``?").

The schema is a tree of :class:`Field` values built with small helpers:

===================  ==========================================================
``text()``           a short text (numbers are accepted and read as text)
``code()``           an area code: 6, 9 or 12 digits
``integer(lo, hi)``  a whole number within [lo, hi]
``number(lo, hi)``   a number within [lo, hi] (read exactly, as Decimal)
``amount(hi)``       yuan, >= 0, at most 2 decimals, at most ``hi``
``flag()``           true / false
``date()``           a plan date expression (2027-01-10, 腊月廿六, 除夕-3天 ...),
                     resolved in the plan's year, so an impossible date fails here
``choice(*values)``  one of the given values
``record({...})``    a mapping whose keys are exactly the ones listed
``map_of(value)``    a mapping with free keys (e.g. category codes), each value checked
``list_of(item)``    a list, each item checked
``one_of(a, b)``     either form (e.g. one text or a list of texts)
``parsed_elsewhere`` a section whose own parser checks every key (``calendar.holidays``:
                     :func:`reliefplan.core.holiday_tables.parse_tables`)
===================  ==========================================================

How to add a plan key
---------------------
1. Add it to the ``record`` it belongs to below (top level: :data:`PLAN`),
   with the narrowest helper that fits and honest bounds, e.g. a funding
   pool's categories::

       FUNDING_SOURCE = record({
           ...,
           "categories": list_of(text()),
       })

   Money takes ``amount(<ceiling>)`` with one of the ceilings below (add one
   when none fits); ``required=True`` when the plan is unusable without it.
2. Read it in the module that uses it (the schema only guarantees type and
   bounds; cross-field rules, e.g. "a category named here exists", belong to
   :func:`reliefplan.ingest.plan.load_plan` or the model that uses it).
3. Document it in ``data/plan_2027.yaml`` (the annotated example planners
   copy) and add a malformed case to ``tests/malformed_corpus.py``.

May import: core.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from reliefplan.core import lunar_dates

# Ceilings, in yuan. They sit far above any real campaign and far below what
# overflows int64 fen once multiplied by people, teams and days.
PER_HEAD_MAX = 100_000              # one person's or household's cash or goods
PER_PERSON_CAP_MAX = 1_000_000      # per_person_cap
OVERHEAD_MAX = 100_000_000          # one overhead item (per team-day or fixed)
POOL_MAX = 100_000_000_000          # a funding source or the budget cap (千亿)
STEP_MAX = 10_000                   # rounding steps
TEXT_MAX = 2_000                    # characters in one text value

KINDS = ("text", "code", "integer", "number", "amount", "flag", "date", "choice", "record", "map", "list",
         "one_of", "parsed_elsewhere")


@dataclass(frozen=True)
class Field:
    """One value's rule: kind, bounds, allowed keys (record), item rule (list/map), alternatives."""

    kind: str
    required: bool = False
    lo: object = None
    hi: object = None
    choices: tuple = ()
    fields: dict | None = None
    item: "Field | None" = None
    alts: tuple = ()
    describe_zh: str = ""
    describe_en: str = ""


def text(required=False) -> Field:
    return Field("text", required, describe_zh="文字", describe_en="text")


def code(required=False) -> Field:
    return Field("code", required, describe_zh="6、9或12位区划代码", describe_en="a 6-, 9- or 12-digit area code")


def integer(lo, hi, required=False) -> Field:
    return Field("integer", required, lo, hi, describe_zh=f"{lo} 至 {hi} 的整数",
                 describe_en=f"a whole number from {lo} to {hi}")


def number(lo, hi, required=False) -> Field:
    return Field("number", required, Decimal(str(lo)), Decimal(str(hi)), describe_zh=f"{lo} 至 {hi} 的数",
                 describe_en=f"a number from {lo} to {hi}")


def amount(hi, required=False) -> Field:
    return Field("amount", required, Decimal(0), Decimal(hi), describe_zh=f"0 至 {hi:,} 元的金额",
                 describe_en=f"an amount from 0 to {hi:,} yuan")


def flag(required=False) -> Field:
    return Field("flag", required, describe_zh="true 或 false", describe_en="true or false")


def date(required=False) -> Field:
    return Field("date", required, describe_zh="日期", describe_en="a date")


def choice(*values, required=False) -> Field:
    shown = " / ".join(map(str, values))
    return Field("choice", required, choices=tuple(values), describe_zh=f"须为 {shown}", describe_en=f"one of {shown}")


def record(fields: dict, required=False) -> Field:
    return Field("record", required, fields=dict(fields), describe_zh="映射(键: 值)", describe_en="a mapping (key: value)")


def map_of(value: Field, required=False) -> Field:
    return Field("map", required, item=value, describe_zh="映射(键: 值)", describe_en="a mapping (key: value)")


def list_of(item: Field, required=False) -> Field:
    return Field("list", required, item=item, describe_zh="列表", describe_en="a list")


def parsed_elsewhere(what_zh: str, what_en: str) -> Field:
    """A section with its own parser that checks every key itself (e.g. ``calendar.holidays``)."""
    return Field("parsed_elsewhere", describe_zh=what_zh, describe_en=what_en)


def one_of(*alts: Field, required=False) -> Field:
    return Field("one_of", required, alts=tuple(alts),
                 describe_zh=" 或 ".join(a.describe_zh for a in alts),
                 describe_en=" or ".join(a.describe_en for a in alts))


# --------------------------------------------------------------------------- the plan

DATA_KEYS = ("registry", "areas", "boundaries", "dibao", "categories", "history", "visits", "registry_changes",
             "case_library", "holidays")
FLAGS = ("disabled", "seriously_ill")
# report_units level words, singular and plural (ingest.units.LEVELS reads them)
REPORT_LEVELS = ("provinces", "cities", "counties", "townships", "province", "city", "county", "township",
                 "organizers")

ELIGIBILITY = record({
    "income_below_dibao": number(0, 10),
    "min_age": integer(0, 150),
    "max_age": integer(0, 150),
    "requires_flag": one_of(choice(*FLAGS), list_of(choice(*FLAGS))),
})

# What a scenario's ``overrides`` may change for a category.
STANDARD_CHANGE = {
    "per": choice("household", "person"),
    "cash": amount(PER_HEAD_MAX),
    "goods": amount(PER_HEAD_MAX),
    "cash_dibao_multiple": number(0, 24),
    "priority": integer(1, 99),
}
# delivery: transfer / visit / collective or a Chinese alias, read by models.delivery
STANDARD = record({**STANDARD_CHANGE, "eligibility": ELIGIBILITY, "delivery": text()})

DELIVERY = record({
    "default": text(),                       # a mode or alias (models.delivery checks it)
    "representative_visits": record({
        "per": choice("township", "county"),
        "count": integer(1, 10_000),
        "order": choice("priority", "registry"),
        "categories": list_of(text()),
    }),
})

OVERHEAD = record({
    "item": text(required=True),
    "item_en": text(),
    "basis": choice("per_team_day", "fixed", required=True),
    "amount": amount(OVERHEAD_MAX, required=True),
    "teams": integer(0, 10_000),
    "days": integer(0, 366),
})

# A funding pool (reliefplan.models.pools): which categories / organizers it may pay for, goods only,
# whether it may pay overheads. Money never moves between pools.
FUNDING_SOURCE = record({
    "source": text(required=True),
    "source_en": text(),
    "amount": amount(POOL_MAX, required=True),
    "categories": list_of(text()),
    "organizers": list_of(text()),
    "goods_only": flag(),
    "overheads": flag(),
})

SCENARIO = record({
    "name": text(required=True),
    "name_en": text(),
    "baseline": flag(),
    "multiplier": number(0, 10),
    "round_to": amount(STEP_MAX),
    "overrides": map_of(record(STANDARD_CHANGE)),
})

TEXTS = one_of(list_of(text()), text())

DELIVERABLE = record({
    "name": text(required=True),
    "name_en": text(),
    "due": date(required=True),
    "to": text(),
    "feeds": text(),
})

PHASE = record({
    "name": text(required=True),
    "name_en": text(),
    "start": date(required=True),
    "end": date(required=True),
    "responsible": text(),
    "tasks": TEXTS,
    "visits": flag(),
    "deliverables": list_of(DELIVERABLE),
})

VISIT_DAYS = record({
    "start": date(),
    "end": date(),
    "slots": list_of(text()),
    "skip_holidays": flag(),
    "skip_weekends": flag(),
    "skip": list_of(date()),
    "visits_per_slot": integer(1, 1_000),
    "order": choice("area", "priority"),
})

TEAM = record({
    "name": text(required=True),
    "name_en": text(),
    "leader": text(),
    "members": TEXTS,
    "areas": list_of(code()),
    "visits_per_slot": integer(1, 1_000),
})

RESPONSIBILITY = record({
    "task": text(required=True),
    "task_en": text(),
    "units": map_of(text()),
})

PLAN = record({
    "name": text(required=True),
    "name_en": text(),
    "demo": flag(),
    "year": integer(1990, 2200, required=True),
    "organizer": text(),
    "area": code(),
    # one level word, several levels top first ([cities, counties]) or area codes (ingest.units.report_levels)
    "report_units": one_of(choice(*REPORT_LEVELS), list_of(choice(*REPORT_LEVELS)), list_of(code())),
    "data": record({**{k: text() for k in DATA_KEYS}, "boundary_code_property": text()}),
    "categories": map_of(STANDARD, required=True),
    "delivery": DELIVERY,
    "per_person_rule": choice("highest_once", "each_up_to_cap", "pay_all"),   # models.per_person
    "cross_plan_rule": choice("highest_once", "pay_all"),                     # models.combined
    "per_person_cap": amount(PER_PERSON_CAP_MAX),
    "overheads": list_of(OVERHEAD),
    "contingency_pct": number(0, 100),
    "funding": list_of(FUNDING_SOURCE),
    "budget_cap": amount(POOL_MAX),
    "allocation_mode": choice("priority", "scale"),
    "rounding_step": amount(STEP_MAX),
    "scenarios": list_of(SCENARIO),
    "calendar": record({
        "working_days": one_of(flag(), choice("all", "holidays")),
        "holidays": parsed_elsewhere("节假日表", "holiday tables"),   # core.holiday_tables checks its keys
    }),
    "phases": list_of(PHASE),
    "visit_days": VISIT_DAYS,
    "teams": list_of(TEAM),
    "responsibilities": list_of(RESPONSIBILITY),
    "privacy": record({"secret_file": text()}),   # where the person-key secret lives (core.secret)
    "pdf": flag(),                                 # also print every report to PDF (batch.params.check_pdf)
    "plan_doc": flag(),                            # the draft 实施方案 .docx beside each report (reports.attachments)
    "cluster": record({"plan_dir_on_workers": text()}),   # the plan folder as Dask workers see it (batch.cluster)
})


# --------------------------------------------------------------------------- checking

@dataclass
class Problem:
    """One thing wrong with the plan: where (path of keys/indexes) and what, in zh and en."""

    at: tuple
    zh: str
    en: str

    @property
    def field(self) -> str:
        return field_name(self.at)


def field_name(at: tuple) -> str:
    """("overheads", 0, "amount") -> "overheads[0].amount"."""
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def nearest_key(key, known) -> str | None:
    """The known key closest to a mistyped one (``cashh`` -> ``cash``), or None."""
    found = difflib.get_close_matches(str(key), [str(k) for k in known], n=1, cutoff=0.6)
    return found[0] if found else None


@dataclass
class _Walk:
    year: int | None
    problems: list = field(default_factory=list)

    def add(self, at, zh, en):
        self.problems.append(Problem(tuple(at), zh, en))

    def check(self, spec: Field, value, at: tuple) -> None:
        getattr(self, f"_{spec.kind}")(spec, value, at)

    def _wrong(self, spec, value, at):
        self.add(at, f"须为{spec.describe_zh}, 实为 {value!r}", f"must be {spec.describe_en}, got {value!r}")

    def _text(self, spec, value, at):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return self._wrong(spec, value, at)
        if len(str(value)) > TEXT_MAX:
            self.add(at, f"文字过长(超过 {TEXT_MAX} 字)", f"text too long (over {TEXT_MAX} characters)")

    def _code(self, spec, value, at):
        text_value = str(value).strip()
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not (
                text_value.isascii() and text_value.isdigit() and len(text_value) in (6, 9, 12)):
            self._wrong(spec, value, at)

    def _integer(self, spec, value, at):
        if isinstance(value, bool) or not isinstance(value, int) or not spec.lo <= value <= spec.hi:
            self._wrong(spec, value, at)

    def _decimal(self, value) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            return None
        try:
            dec = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return dec if dec.is_finite() else None

    def _number(self, spec, value, at):
        dec = self._decimal(value)
        if dec is None or not spec.lo <= dec <= spec.hi:
            self._wrong(spec, value, at)

    def _amount(self, spec, value, at):
        dec = self._decimal(value)
        if dec is None or not spec.lo <= dec <= spec.hi:
            return self._wrong(spec, value, at)
        if dec != dec.quantize(Decimal("0.01")):
            self.add(at, f"金额最多两位小数: {value!r}", f"at most two decimals: {value!r}")

    def _flag(self, spec, value, at):
        if not isinstance(value, bool):
            self._wrong(spec, value, at)

    def _date(self, spec, value, at):
        if isinstance(value, (bool, list, dict)) or value is None:
            return self._wrong(spec, value, at)
        if self.year is None:
            return
        try:
            lunar_dates.resolve_date(value, self.year)
        except lunar_dates.DateExpressionError as exc:
            self.add(at, exc.zh, exc.en)

    def _parsed_elsewhere(self, spec, value, at):
        pass

    def _choice(self, spec, value, at):
        if isinstance(value, bool) and not any(isinstance(c, bool) for c in spec.choices) or value not in spec.choices:
            self.add(at, f"{spec.describe_zh}, 实为 {value!r}", f"must be {spec.describe_en}, got {value!r}")

    def _record(self, spec, value, at):
        if not isinstance(value, dict):
            return self._wrong(spec, value, at)
        for key, item in value.items():
            if key not in spec.fields:
                self._unknown(key, spec.fields, at)
            elif item is not None:
                self.check(spec.fields[key], item, at + (key,))
        for key, sub in spec.fields.items():
            if sub.required and value.get(key) in (None, ""):
                self.add(at + (key,), "缺少必填项", "required field is missing")

    def _unknown(self, key, known, at):
        near = nearest_key(key, known)
        if near is not None:
            self.add(at + (key,), f"未知的键 `{key}`, 是否应为 `{near}`?", f"unknown key `{key}`; did you mean `{near}`?")
        else:
            shown = ", ".join(map(str, known))
            self.add(at + (key,), f"未知的键 `{key}`, 此处可用: {shown}", f"unknown key `{key}`; known keys here: {shown}")

    def _map(self, spec, value, at):
        if not isinstance(value, dict):
            return self._wrong(spec, value, at)
        for key, item in value.items():
            if item is not None:
                self.check(spec.item, item, at + (str(key),))

    def _list(self, spec, value, at):
        if not isinstance(value, list):
            return self._wrong(spec, value, at)
        for i, item in enumerate(value):
            self.check(spec.item, item, at + (i,))

    def _one_of(self, spec, value, at):
        for alt in spec.alts:
            trial = _Walk(self.year)
            trial.check(alt, value, at)
            if not trial.problems:
                return
        # report the alternative of the value's own shape (list or not), else the first
        shaped = [a for a in spec.alts if (a.kind == "list") == isinstance(value, list)]
        trial = _Walk(self.year)
        trial.check((shaped or spec.alts)[0], value, at)
        self.problems.extend(trial.problems)


def check_plan(plan: dict, schema: Field = PLAN) -> list[Problem]:
    """Every problem of ``plan`` against ``schema``, in file order; [] when it conforms.

    Dates are resolved in the plan's ``year`` (skipped when the year itself
    is wrong, which is then reported).
    """
    year = plan.get("year") if isinstance(plan, dict) else None
    ok_year = isinstance(year, int) and not isinstance(year, bool) and 1990 <= year <= 2200
    walk = _Walk(year if ok_year else None)
    walk.check(schema, plan, ())
    return walk.problems
