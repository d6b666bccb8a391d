"""Every path of the protection process (bpmn/proteccion.bpmn) through the engine."""

from __future__ import annotations

from tests.workflows.conftest import eod, lima

D = "2025-03-03"
REQUEST = {"requester_kind": "witness", "identity_code": "CC-0002", "request_date": D,
           "measures_requested": ["labour_transfer"]}
CRITERIA = {"trascendencia_met": True, "gravedad_met": True, "verosimilitud_met": True,
            "hierarchical_relation": True, "decision_date": D}


def _grant(drv, measures):
    case = drv.start("proteccion", REQUEST)
    drv.do(case, "evaluate_request", {**CRITERIA, "decision": "grant", "measures_granted": measures,
                                      "implementing_unit": "hr"}, lane="oii")
    drv.do(case, "apply_measures", {"measures_start_date": D}, lane="hr")
    return case


def _review(drv, case, decision, pad_open=True):
    drv.do(case, "review_measures", {"review_date": D, "review_decision": decision, "pad_open": pad_open,
                                     "retaliation_reported": False}, lane="oii")


def test_decision_due_in_15_business_days_and_deny(drv):
    case = drv.start("proteccion", REQUEST)
    # T5: 15 business days from filing on Mon 3 Mar -> Mon 24 Mar.
    assert drv.task(case, "evaluate_request").due_at == eod(2025, 3, 24)
    assert drv.at(lima(2025, 3, 25, 0, 0)) >= 1  # escalation only; the task stays open
    assert drv.deadline(case, "proteccion.decision", state="fired")
    drv.do(case, "evaluate_request", {**CRITERIA, "verosimilitud_met": False, "decision": "deny"})
    drv.closed(case, "end_denied")


def test_transfer_lasts_while_the_pad_lasts(drv):
    case = _grant(drv, ["labour_transfer"])
    assert drv.case(case).data["pad_bound_measure"] is True
    # Periodic review: 30 calendar days from the grant (3 Mar) -> Wed 2 Apr.
    assert drv.task(case, "review_measures").due_at == eod(2025, 4, 2)
    drv.at(lima(2025, 4, 3, 0, 0))
    _review(drv, case, "maintain", pad_open=True)
    assert "review_measures" in drv.ready(case)
    _review(drv, case, "maintain", pad_open=False)  # the PAD ended: a PAD-bound measure is lifted
    drv.do(case, "lift_measures", {"measures_end_date": "2025-04-03"}, lane="hr")
    drv.closed(case, "end_lifted")


def test_other_measure_is_lifted_when_the_risk_ceases(drv):
    case = _grant(drv, ["procurement_safeguard"])
    assert drv.case(case).data["pad_bound_measure"] is False
    _review(drv, case, "maintain", pad_open=False)  # not PAD-bound: stays in force
    _review(drv, case, "lift", pad_open=False)
    drv.do(case, "lift_measures", {"measures_end_date": D})
    drv.closed(case, "end_lifted")


def test_bad_faith_suspends_protection(drv):
    case = _grant(drv, ["paid_leave_accused"])
    drv.do(case, "review_measures", {"review_date": D, "review_decision": "suspend_bad_faith",
                                     "bad_faith_kind": "false", "pad_open": True})
    drv.do(case, "suspend_protection", {"measures_end_date": D, "referred_for_sanction": True}, lane="hr")
    drv.closed(case, "end_suspended_bad_faith")
