"""Every file of the malformed corpus reads to exactly the expected rows, reasons and errors."""

import pytest

from malformed_corpus import AREAS, CASES, CATEGORIES
from reliefplan.core.errors import InputError
from reliefplan.ingest.registry import read_registry

TODAY = "2026-11-01"


def test_corpus_is_large_enough():
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case, tmp_path):
    path = case.build(tmp_path)
    if case.error:
        with pytest.raises(InputError) as info:
            read_registry(path, areas=AREAS, today=TODAY, **{"categories": CATEGORIES, **case.kwargs})
        message = info.value.message()
        for fragment in case.error:
            assert fragment in message, message
        assert str(path) in message
        return

    result = read_registry(path, areas=AREAS, today=TODAY, **{"categories": CATEGORIES, **case.kwargs})
    result.check()
    # nothing lost: every row read is accepted or rejected exactly once
    assert result.rows_read == len(result.accepted) + len(result.rejected)
    assert result.rows_read == case.rows_read
    assert len(result.accepted) == case.accepted
    assert len(result.rejected) == case.rejected
    got = dict(zip(result.rejected["row"].tolist(), result.rejected["reason_code"].tolist()))
    assert got == case.reasons
    got_warnings = result.warnings.groupby("row")["reason_code"].agg(";".join).to_dict()
    assert got_warnings == case.warnings
    assert set(result.rejected["file"]) <= {str(path)}
    if case.check:
        case.check(result)
