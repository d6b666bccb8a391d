"""REPRAC-style export rows from PAD cases."""

from __future__ import annotations

import io
from datetime import date

import pytest

from workflows.reprac import COLUMNS, quarter_bounds, reprac_rows, write_csv, write_xlsx

BASE = {"corruption_linked": True, "st_file_number": "ST-1", "knowledge_date": "2025-02-10",
        "sanction_level": "dismissal", "sanction_imposed": "dismissal", "rnssc_entry_id": "RN-1"}


def _case(cid, data, status="open", process_id="pad", links=()):
    return {"id": cid, "process_id": process_id, "status": status, "outcome": None, "data": data, "links": links}


def test_quarter_bounds():
    assert quarter_bounds(2025, 1) == (date(2025, 1, 1), date(2025, 3, 31))
    assert quarter_bounds(2025, 4) == (date(2025, 10, 1), date(2025, 12, 31))
    with pytest.raises(ValueError):
        quarter_bounds(2025, 5)


def test_rows_filter_corruption_linked_pads_of_the_quarter():
    link = {"relation": "started_by:denuncia", "case_id": "D1", "process_id": "denuncia"}
    cases = [
        _case("P1", BASE, links=(link,)),
        _case("P2", {**BASE, "corruption_linked": False}),
        _case("P3", {**BASE, "knowledge_date": "2025-05-01"}),
        _case("P4", {**BASE, "resolution_notified_on": "2024-12-01", "knowledge_date": "2024-01-01"},
              status="closed"),
        _case("X", BASE, process_id="denuncia"),
    ]
    rows = reprac_rows(cases, 2025, 1)
    assert [r["case_id"] for r in rows] == ["P1"]
    row = rows[0]
    assert list(row) == list(COLUMNS)
    assert row["origin_case_id"] == "D1"
    assert (row["instructing_authority"], row["deciding_authority"], row["appeal_body"]) == (
        "head_of_hr", "entity_head", "tsc")
    assert len(reprac_rows(cases)) == 3


def test_csv_and_xlsx(tmp_path):
    rows = reprac_rows([_case("P1", {**BASE, "fault_code": "=cmd()"})])
    out = io.StringIO()
    write_csv(rows, out)
    header, line = out.getvalue().splitlines()[:2]
    assert header.split(",")[0] == "case_id"
    assert "'=cmd()" in line
    write_xlsx(rows, tmp_path / "r.xlsx")
    assert (tmp_path / "r.xlsx").stat().st_size > 0
