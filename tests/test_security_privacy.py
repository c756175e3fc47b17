"""Person keys are keyed pseudonyms: the code and an output file do not give an ID number back."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import io
import os
import stat

import openpyxl
import pandas as pd
import pytest

from reliefplan.core import privacy, secret
from reliefplan.core.ids import check_char
from reliefplan.views import excel_forms as xf


def make_id(county="350602", birth="19580314", seq="123") -> str:
    first17 = county + birth + seq
    return first17 + check_char(first17)


@pytest.fixture
def own_secret(tmp_path, monkeypatch):
    """A fresh secret file for one test (the suite's own is set in conftest)."""
    monkeypatch.delenv(secret.ENV_SECRET, raising=False)
    monkeypatch.setenv(secret.ENV_SECRET_FILE, str(tmp_path / "cfg" / "secret"))
    secret.use_secret_file(None)
    yield tmp_path / "cfg" / "secret"
    secret.use_secret_file(None)


def register_rows(book_bytes: bytes) -> list[dict]:
    """The 登记表 data rows as {header: value}, read back from the xlsx bytes as a recipient would."""
    ws = openpyxl.load_workbook(io.BytesIO(book_bytes)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    head = next(i for i, r in enumerate(rows) if "身份证号" in r)
    header = rows[head]
    out = []
    for r in rows[head + 1:]:
        rec = dict(zip(header, r))
        if rec.get("对象编号"):
            out.append(rec)
    return out


def public_key_guesses():
    """Every way of turning an ID into a key that one could build from the code's public constants."""
    constants = {""} | {v for m in (privacy, secret) for k, v in vars(m).items() if k.isupper() and isinstance(v, str)}
    constants |= {"reliefplan", "reliefplan-v1"}
    guesses = [lambda i: hashlib.sha256(i.encode()).hexdigest()[:16]]
    for c in constants:
        guesses.append(lambda i, c=c: hashlib.sha256(f"{c}:{i}".encode()).hexdigest()[:16])   # the old scheme
        guesses.append(lambda i, c=c: hashlib.sha256(f"{c}{i}".encode()).hexdigest()[:16])
        guesses.append(lambda i, c=c: hmac.new(c.encode(), i.encode(), hashlib.sha256).hexdigest()[:16])
    return guesses


WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)   # GB 11643, public
CHECK = "10X98765432"


@functools.lru_cache(maxsize=8)
def candidates(masked_id: str) -> tuple[str, ...]:
    """Every ID number a masked ID (6 kept + 8 hidden birth-date digits + 4 kept) can be: ~4 000."""
    prefix, last4 = masked_id[:6], masked_id[-4:]
    fixed = sum(int(d) * w for d, w in zip(prefix, WEIGHTS)) + sum(
        int(d) * w for d, w in zip(last4[:3], WEIGHTS[14:]))
    out = []
    day, one = dt.date(1900, 1, 1), dt.timedelta(days=1)
    while day <= dt.date(2026, 12, 31):
        digits = f"{day:%Y%m%d}"
        total = fixed + sum(int(d) * w for d, w in zip(digits, WEIGHTS[6:14]))
        if CHECK[total % 11] == last4[3]:
            out.append(prefix + digits + last4)
        day += one
    return tuple(out)


def brute_force(masked_id: str, key: str, guesses) -> list[str]:
    """The candidates of a masked ID whose key one of ``guesses`` reproduces."""
    return [c for c in candidates(masked_id) if any(g(c) == key for g in guesses)]


def test_register_does_not_give_the_id_back(own_secret):
    real = make_id()
    people = pd.DataFrame({"name": ["张三丰"], "id_number": [real], "gender": ["男"], "township_name": ["石亭街道"],
                           "phone": ["13812345678"], "cash_fen": [50000], "goods_fen": [20000],
                           "person_key": privacy.person_keys([real])})
    book = xf.register_workbook(xf.register_frame(people), form_no="附件2", title="登记表", unit_line="芗城区")
    row = register_rows(book)[0]
    masked, key = row["身份证号"], row["对象编号"]
    assert masked == "350602********1233"[:14] + real[-4:] and real not in book.decode("latin-1")

    # an attacker with the code and the file: no guess built from the code's constants matches
    assert brute_force(masked, key, public_key_guesses()) == []
    # the same search with the installation secret finds exactly the person: the attack is real,
    # only the secret (outside the repo and every output) stops it
    with_secret = [lambda i: hmac.new(secret.installation_secret(), i.encode(), hashlib.sha256).hexdigest()[:16]]
    assert brute_force(masked, key, with_secret) == [real]
    assert secret.installation_secret() not in book


def test_old_constant_salt_was_reversible():
    # what the issue reproduced: SHA-256 with a salt in the source falls to the same search
    real = make_id(birth="19440229")
    old = hashlib.sha256(f"reliefplan-v1:{real}".encode()).hexdigest()[:16]
    assert brute_force(privacy.mask_id(real), old, public_key_guesses()) == [real]
    assert privacy.person_key(real) != old


def test_secret_created_once_owner_only_and_stable(own_secret):
    assert not own_secret.exists()
    key = privacy.person_key(make_id())
    assert own_secret.exists()
    assert stat.S_IMODE(own_secret.stat().st_mode) == 0o600
    assert len(own_secret.read_text().strip()) == 64
    assert privacy.person_key(make_id()) == key                    # same secret, same key (continuity)
    assert privacy.person_keys([make_id(), make_id()]) == [key, key]


def test_key_follows_the_secret(own_secret, tmp_path, monkeypatch):
    idn = make_id()
    first = privacy.person_key(idn)
    monkeypatch.setenv(secret.ENV_SECRET, "another secret of this bureau")
    rotated = privacy.person_key(idn)
    assert rotated != first and len(rotated) == 16
    monkeypatch.setenv(secret.ENV_SECRET, "short")
    with pytest.raises(Exception, match="16"):
        privacy.person_key(idn)


def test_plan_setting_names_the_secret_file(own_secret, tmp_path):
    from malformed_corpus import write_plan
    from reliefplan.ingest.plan import load_plan

    (tmp_path / "bureau.secret").write_text("x" * 40 + "\n", encoding="utf-8")
    path = write_plan(tmp_path, lambda t: t + "\nprivacy: {secret_file: bureau.secret}\n")
    load_plan(path)
    expected = hmac.new(b"x" * 40, make_id().encode(), hashlib.sha256).hexdigest()[:16]
    assert privacy.person_key(make_id()) == expected


def test_reports_stamp_a_fingerprint_not_the_secret(own_secret):
    from reliefplan.batch.resume import input_hashes
    from reliefplan.ingest.plan import load_plan

    hashes = input_hashes(load_plan())
    fp = hashes["person-key secret (fingerprint)"]
    assert len(fp) == 64 and fp == secret.secret_fingerprint()
    assert secret.installation_secret().decode() not in str(hashes)
    assert os.environ.get(secret.ENV_SECRET_FILE, "").startswith(str(own_secret.parent))


def test_person_level_outputs_hold_no_birth_date_or_age():
    """Masked ID + full birth date (or age) + township narrows an ID to a handful: no output carries them."""
    from reliefplan.models import follow_up
    from reliefplan.views import schedule_tables as schedule

    people = pd.DataFrame({"name": ["张三丰"], "id_number": [make_id()], "birth_date": [pd.Timestamp("1958-03-14")],
                           "age": [68], "township_name": ["石亭街道"], "person_key": ["k"]})
    forbidden = {"birth_date", "age", "出生日期", "年龄"}
    assert not forbidden & set(xf.register_frame(people).columns)
    assert not forbidden & set(follow_up.COLUMNS)
    assert not forbidden & set(schedule.SHEET_LABELS) and not forbidden & {
        v for pair in schedule.SHEET_LABELS.values() for v in pair}
    assert "id_number" in xf.register_frame(people) and xf.register_frame(people)["id_number"][0].count("*") == 8
