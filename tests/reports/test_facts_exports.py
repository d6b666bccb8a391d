"""The case-facts projection (allow-list, shapes, no content) and the audited CSV/XLSX/REPRAC exports."""

from __future__ import annotations

import csv
import io
import sqlite3

import pytest
from openpyxl import load_workbook

from engine.errors import InvalidInput
from engine.services.reports import FACT_KEYS, facts_of
from tests.reports.seed import CANARY_ACCUSED, CANARY_NARRATIVE
from workflows.control_concurrente import DEFINITION as CONTROL
from workflows.denuncia import DEFINITION as DENUNCIA


def _audit(engine, action):
    with engine.rt.uow_factory(readonly=True) as uow:
        return [e for e in uow.audit.all() if e.action == action]


def test_facts_are_allow_listed_and_shape_checked():
    data = {"channel": "web", "reason_categories": ["bribery", "<script>"], "anonymous": True,
            "identity_code": "CC-1", "received_on": "2025-03-03", "admissibility": "nonsense"}
    assert facts_of(DENUNCIA, "denuncia", data) == [
        ("anonymous", "true"), ("channel", "web"), ("reason_categories", "bribery")]
    bad = {"final_report_number": "Juan Pérez <b>", "publication_url": "javascript:alert(1)", "corrected_count": -1}
    assert facts_of(CONTROL, "control_concurrente", bad) == []
    good = {"final_report_number": "IF-1", "publication_url": "https://x.gob.pe/a", "corrected_count": 2}
    assert facts_of(CONTROL, "control_concurrente", good) == [
        ("corrected_count", "2"), ("final_report_number", "IF-1"), ("publication_url", "https://x.gob.pe/a")]


def test_fact_keys_are_never_content_fields():
    from workflows.registry import bundled_definitions

    for definition in bundled_definitions():
        content = {f.name for form in definition.forms.values() for f in form.fields if f.content}
        assert not FACT_KEYS.get(definition.process_id, frozenset()) & content


def test_facts_table_holds_no_content(seeded):
    engine, _clock, ids = seeded
    path = engine.settings.database.removeprefix("sqlite:///")
    rows = sqlite3.connect(path).execute("SELECT key, value FROM case_facts").fetchall()
    assert rows and not any(CANARY_NARRATIVE in v or "Canario" in v for _k, v in rows)
    assert ("channel", "mesa_de_partes") in engine.case_facts(ids["D3"])


def test_csv_export_with_chosen_fields_is_audited(seeded):
    engine, _clock, ids = seeded
    before = len(_audit(engine, "export.cases"))
    data = engine.export_cases("chief-1", "csv", ["id", "status", "channel", "reason_categories"], tenant="default",
                               process_id="denuncia")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["id", "status", "channel", "reason_categories"]
    by_id = {r[0]: r[1:] for r in rows[1:]}
    assert by_id == {ids["D1"]: ["open", "web", "bribery"], ids["D2"]: ["open", "web", "bribery; nepotism"],
                     ids["D3"]: ["open", "mesa_de_partes", "collusion"]}
    entries = _audit(engine, "export.cases")
    assert len(entries) == before + 1
    assert entries[-1].actor == "chief-1" and entries[-1].details["rows"] == 3
    assert CANARY_NARRATIVE.encode() not in data and CANARY_ACCUSED.encode() not in data


def test_xlsx_export_and_unknown_fields(seeded):
    engine, _clock, ids = seeded
    data = engine.export_cases("chief-1", "xlsx", ["id", "process_id"], tenant="otra")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["id", "process_id"], [ids["O1"], "denuncia"]]
    with pytest.raises(InvalidInput, match="narrative"):
        engine.export_cases("chief-1", "csv", ["id", "narrative"])
    with pytest.raises(InvalidInput):
        engine.export_cases("chief-1", "pdf")


def test_reprac_quarter(seeded):
    engine, _clock, ids = seeded
    before = len(_audit(engine, "export.reprac"))
    q1 = list(csv.reader(io.StringIO(engine.export_reprac("chief-1", 2025, 1).decode("utf-8-sig"))))
    assert q1[0][:3] == ["case_id", "tenant_id", "origin"]
    assert [r[0] for r in q1[1:]] == [ids["PAD1"]]  # corruption-linked, open on 6 Jan 2025
    assert q1[1][2] == "denuncia" and q1[1][7] == "end_archived"
    q2 = engine.export_reprac("chief-1", 2025, 2, fmt="xlsx")
    assert load_workbook(io.BytesIO(q2)).active.max_row == 1  # closed before April: header only
    assert len(_audit(engine, "export.reprac")) == before + 2
    with pytest.raises(InvalidInput):
        engine.export_reprac("chief-1", 2025, 5)
