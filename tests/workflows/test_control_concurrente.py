"""Every path of the concurrent-control process (bpmn/control_concurrente.bpmn) through the engine."""

from __future__ import annotations

import re

from tests.workflows.conftest import eod, lima
from workflows.control_concurrente import REPORT_NUMBER_PATTERN

D = "2025-03-03"
SERVICE = {"service_code": "2-0191-2025-001", "modality": "control_concurrente", "investment_code": "2456789"}


def _plan(drv, milestones):
    case = drv.start("control_concurrente", SERVICE)
    # Plan term (T23 default): 5 business days from assignment on Mon 3 Mar -> Mon 10 Mar.
    assert drv.task(case, "approve_plan").due_at == eod(2025, 3, 10)
    drv.do(case, "approve_plan", {"milestone_count": milestones, "plan_approved_on": D}, lane="oci")
    drv.do(case, "accredit_commission", {"accreditation_letter_number": "OF-1", "accredited_on": D}, lane="oci")
    return case


def _milestone(drv, case, number, adverse, more):
    drv.do(case, "evaluate_milestone", {"milestone_number": number, "milestone_date": D,
                                        "adverse_situations_found": adverse, "more_milestones": more})


def _report(drv, case, number):
    assert re.match(REPORT_NUMBER_PATTERN, number)
    drv.do(case, "issue_milestone_report", {"milestone_report_number": number, "milestone_report_date": D,
                                            "milestone_letter_number": "OF-2"})
    assert drv.case(case).data["milestone_report_number"] == number


def _close(drv, case, published):
    drv.do(case, "issue_final_report", {"final_report_number": "IF-1", "final_report_date": D,
                                        "refer_to_control_posterior": not published})
    data = {"published": published}
    if published:
        data.update(publication_url="https://www.gob.pe/contraloria/informes/IF-1", published_on=D)
    drv.do(case, "publish_report", data)


def test_milestones_with_and_without_adverse_situations_then_published(drv):
    case = _plan(drv, 2)
    _milestone(drv, case, 1, adverse=False, more=True)
    _milestone(drv, case, 2, adverse=True, more=False)
    drv.at(lima(2025, 7, 21))  # Monday
    _report(drv, case, "001-2025-OCI/0191-SCC")
    task = drv.task(case, "submit_action_plan")
    assert task.lane == "entity_head"
    # T22: 5 business days from Mon 21 Jul, skipping 23 and 28-29 Jul -> Thu 31 Jul.
    assert task.due_at == eod(2025, 7, 31)
    drv.do(case, "submit_action_plan", {"action_plan_submitted_on": "2025-07-25", "planned_action_count": 2})
    drv.do(case, "follow_up_situations", {"corrected_count": 1, "in_progress_count": 1, "not_addressed_count": 0})
    # Final report (T23 default): 10 business days from the last evaluation, reached on Mon 21 Jul:
    # 22, 24, 25, 30, 31 Jul, 1, 4, 5, 7, 8 Aug (23, 28, 29 Jul and 6 Aug are holidays) -> Fri 8 Aug.
    assert drv.task(case, "issue_final_report").due_at == eod(2025, 8, 8)
    _close(drv, case, published=True)
    drv.closed(case, "end_published")
    assert drv.case(case).data["publication_url"].startswith("https://")


def test_overdue_action_plan_records_non_compliance(drv):
    case = _plan(drv, 1)
    _milestone(drv, case, 1, adverse=True, more=False)
    drv.at(lima(2025, 7, 21))
    _report(drv, case, "002-2025-OCI/0191-SCC")
    assert drv.at(lima(2025, 7, 31, 23, 59)) == 0
    assert drv.at(lima(2025, 8, 1, 0, 0)) >= 1
    ready = drv.ready(case)
    assert set(ready) == {"record_non_compliance"}
    assert ready["record_non_compliance"].lane == "oci"
    drv.do(case, "record_non_compliance", {"non_compliance_recorded_on": "2025-08-01", "action_plan_overdue": True})
    drv.do(case, "follow_up_situations", {"corrected_count": 0, "in_progress_count": 0, "not_addressed_count": 1})
    _close(drv, case, published=False)
    drv.closed(case, "end_closed_unpublished")


def test_no_adverse_situation_goes_straight_to_the_final_report(drv):
    case = _plan(drv, 1)
    _milestone(drv, case, 1, adverse=False, more=False)
    assert set(drv.ready(case)) == {"issue_final_report"}
    _close(drv, case, published=True)
    drv.closed(case, "end_published")
