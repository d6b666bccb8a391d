"""Retention: closed cases past their term are crypto-shredded, legal holds protect, all audited."""

from __future__ import annotations

import pytest

from engine import bootstrap
from engine.errors import InvalidInput
from engine.testing import make_engine
from tests.workflows.conftest import lima

REQUEST = {"requester_kind": "witness", "identity_code": "CC-0002", "request_date": "2025-01-06"}
DENY = {"trascendencia_met": False, "gravedad_met": False, "verosimilitud_met": False, "decision": "deny",
        "decision_date": "2025-01-06"}


def _denied(engine):
    case = engine.start_case("proteccion", REQUEST, actor="t")
    task = engine.tasks(case_id=case)[0]
    engine.complete_task(task.id, DENY, actor="t")
    assert engine.case(case).status == "closed"
    return case


def _actions(engine):
    with engine.rt.uow_factory(readonly=True) as uow:
        return [e.action for e in uow.audit.all()]


def test_retention_shreds_expired_cases_except_held_ones(tmp_path):
    engine, clock = make_engine(tmp_path, start=lima(2025, 1, 6))
    bootstrap.create_dev_keys(engine.settings)
    engine.set_retention("proteccion", 2, actor="admin")
    old, held = _denied(engine), _denied(engine)
    clock.set(lima(2026, 1, 6))
    recent = _denied(engine)
    still_open = engine.start_case("proteccion", REQUEST, actor="t")
    engine.legal_hold(held, "Oficio 99-2026-FISCALIA", actor="admin")
    assert engine.on_legal_hold(held)
    assert engine.run_retention(now=lima(2027, 1, 5)).shredded == []  # two years not yet passed
    result = engine.run_retention(now=lima(2027, 1, 7), destroy_epoch=False)
    assert result.shredded == [old]
    assert engine.tombstone(old) is not None and engine.case_facts(old) == []
    statuses = {c: engine.case(c).status if c != old else "shredded" for c in (held, recent, still_open)}
    assert statuses == {held: "closed", recent: "closed", still_open: "open"}
    assert engine.release_legal_hold(held, actor="admin") == 1
    assert engine.run_retention(now=lima(2027, 1, 7), destroy_epoch=False).shredded == [held]
    actions = _actions(engine)
    assert actions.count("retention.run") == 3 and actions.count("case.shred") == 2
    assert {"retention.policy", "retention.hold", "retention.release"} <= set(actions)


def test_retention_input_checks(tmp_path):
    engine, _clock = make_engine(tmp_path)
    with pytest.raises(InvalidInput):
        engine.set_retention("proteccion", 0)
    with pytest.raises(InvalidInput):
        engine.legal_hold("x", " ")
