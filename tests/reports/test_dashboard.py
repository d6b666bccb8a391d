"""Each dashboard figure equals a value worked out by hand from the timeline in seed.py.

Business days: Peru has no holiday between 2 Jan and 16 Apr 2025, so they are Monday-Friday.
A term "due end of day X" is late from X+1; days late count business days after X up to the end.
"""

from __future__ import annotations

import pytest


def _fig(engine, key, tenant=None):
    return {f.key: f for f in engine.dashboard(tenant)}[key]


def _sla(engine, tenant=None):
    return {row[1]: row[3:] for row in _fig(engine, "sla", tenant).rows}


def test_sla_acknowledgement_overall(seeded):
    engine, _clock, _ids = seeded
    # D1 acknowledged at once (on time). D2 and D3 due end of Mon 10 Mar, late on Tue 11 + Wed 12 = 2 each.
    # O1 due end of Mon 13 Jan (7 calendar days from 6 Jan), still open on Wed 12 Mar:
    # 14-31 Jan = 14 business days, February = 20, 3-12 Mar = 8 -> 42.
    on_time, late, running, rate, total, worst = _sla(engine)["denuncia.acuse"]
    assert (on_time, late, running) == (1, 3, 0)
    assert rate == 25.0
    assert (total, worst) == (2 + 2 + 42, 42)


def test_sla_per_entity_and_other_policies(seeded):
    engine, _clock, _ids = seeded
    mine = _sla(engine, "default")
    assert mine["denuncia.acuse"] == [1, 2, 0, 33.3, 4, 2]
    assert mine["denuncia.registro"] == [1, 0, 0, 100.0, 0, 0]
    # Feedback (3 months) runs for D1 and D2, both acknowledged.
    assert mine["denuncia.retroalimentacion"][:3] == [0, 0, 2]
    # P1 decided on 10 Jan (due end of Mon 27 Jan); P2 decided on Wed 12 Mar: 28-31 Jan 4 + Feb 20 + Mar 8 = 32.
    assert mine["proteccion.decision"] == [1, 1, 0, 50.0, 32, 32]
    assert _sla(engine, "otra") == {"denuncia.acuse": [0, 1, 0, 0.0, 42, 42]}


def test_party_terms_are_not_office_slas(seeded):
    engine, _clock, _ids = seeded
    assert not {"pad.descargos", "pad.impugnacion", "denuncia.subsanacion"} & set(_sla(engine))


@pytest.mark.parametrize(("key", "tenant", "expected"), [
    ("status", None, [["control_concurrente", "closed", 1], ["denuncia", "open", 4], ["pad", "closed", 1],
                      ["proteccion", "closed", 1], ["proteccion", "open", 1]]),
    ("status", "default", [["control_concurrente", "closed", 1], ["denuncia", "open", 3], ["pad", "closed", 1],
                           ["proteccion", "closed", 1], ["proteccion", "open", 1]]),
    ("channel", None, [["mesa_de_partes", 1], ["web", 3]]),
    ("channel", "default", [["mesa_de_partes", 1], ["web", 2]]),
    ("reason_categories", "default", [["bribery", 2], ["collusion", 1], ["nepotism", 1]]),
    ("reason_categories", "otra", [["other", 1]]),
    # Open on Wed 12 Mar: D1-D3 are 9 days old; P2 and O1 are 65 days old.
    ("age", None, [["0-30", 3], ["31-90", 2], ["91-180", 0], ["> 180", 0]]),
    ("age", "default", [["0-30", 3], ["31-90", 1], ["91-180", 0], ["> 180", 0]]),
    ("protection", "default", [["Otorgadas", 1], ["Denegadas", 1], ["Sin decisión", 0]]),
    ("pad", None, [["end_archived", 1]]),
    ("adverse", None, [["Corregidas", 3], ["En proceso", 1], ["No atendidas", 2]]),
    ("adverse", "otra", [["Corregidas", 0], ["En proceso", 0], ["No atendidas", 0]]),
])
def test_counts(seeded, key, tenant, expected):
    engine, _clock, _ids = seeded
    assert _fig(engine, key, tenant).rows == expected


def test_backlog_per_week(seeded):
    engine, _clock, _ids = seeded
    rows = _fig(engine, "backlog", "default").rows
    # Points every 7 days back from Wed 12 Mar. On 8 Jan P1 and P2 are open (K1 and PAD1 closed on
    # 6 Jan); P1 closes on 10 Jan; D1-D3 open on 3 Mar.
    assert [r[0] for r in rows][:3] == ["2024-12-25", "2025-01-01", "2025-01-08"]
    assert rows[-1][0] == "2025-03-12"
    assert [r[1] for r in rows] == [0, 0, 2, 1, 1, 1, 1, 1, 1, 1, 4, 4]
    overall = [r[1] for r in _fig(engine, "backlog").rows]
    assert overall == [0, 0, 3, 2, 2, 2, 2, 2, 2, 2, 5, 5]  # plus O1, open since 6 Jan


def test_time_to_acknowledgement_and_decision(seeded):
    engine, _clock, _ids = seeded
    rows = {(r[0], r[1]): r[3:] for r in _fig(engine, "durations", "default").rows}
    # D1: 0 days, D2: 3 -> 12 Mar = 9 days; D3 still waiting.
    assert rows[("acuse", "denuncia")] == [2, 4.5, 4.5, 1]
    # P1: 6 -> 10 Jan = 4 days; P2: 6 Jan -> 12 Mar = 25 + 28 + 12 = 65 days.
    assert rows[("decisión", "proteccion")] == [2, 34.5, 34.5, 0]
    assert rows[("decisión", "denuncia")] == [0, None, None, 3]
    assert rows[("decisión", "pad")] == [0, None, None, 0]  # PAD1 was archived: nothing pending


def test_indicators_per_entity(seeded):
    engine, _clock, _ids = seeded
    values = {i.code: i.value for i in engine.indicators("default")}
    assert values == {
        "complaints_received": 3, "channels_used": 2, "anonymous_share": 66.7, "ack_on_time": 33.3,
        "ack_median_days": 4.5, "requests": 2, "granted_share": 50.0, "decided_on_time": 50.0,
        "complaints_to_st_pad": 0, "pad_cases": 1, "pad_concluded": 100.0, "pad_sanctioned": 0,
        "pad_prescribed": 0.0, "control_services": 1, "adverse_corrected": 3, "adverse_pending": 3,
        "adverse_corrected_share": 50.0, "reports_published": 1,
    }
    other = {i.code: i.value for i in engine.indicators("otra")}
    assert other["complaints_received"] == 1 and other["ack_on_time"] == 0.0
    assert other["granted_share"] is None and other["pad_concluded"] is None


def test_deadline_report_matches_sla(seeded):
    engine, _clock, ids = seeded
    rows = {(d["case_id"], d["policy"]): d for d in engine.deadline_report("default")}
    assert rows[(ids["D2"], "denuncia.acuse")]["outcome"] == "late"
    assert rows[(ids["D2"], "denuncia.acuse")]["days_late"] == 2
    assert rows[(ids["D1"], "denuncia.acuse")]["outcome"] == "on_time"
    assert all(d["case_id"] != ids["O1"] for d in rows.values())
