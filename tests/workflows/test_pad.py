"""Every path of the disciplinary procedure (bpmn/pad.bpmn) through the engine."""

from __future__ import annotations

import pytest

from tests.workflows.conftest import eod, lima
from workflows.pad import AUTHORITIES, DEFINITION

D = "2025-03-03"
START = {"origin": "denuncia", "knowledge_date": D, "fault_date": "2024-06-10", "corruption_linked": True}


def _register(drv, case, former=False):
    drv.do(case, "register_file", {
        "st_file_number": "ST-001-2025", "knowledge_date": D, "fault_date": "2024-06-10",
        "former_servant": former, "corruption_linked": True, "accused_regime": "dl_276",
        "accused_role_code": "ESP-3", "accused_unit_code": "OGA",
    }, lane="st_pad")


def _open(drv, level, former=False, notified=D):
    case = drv.start("pad", START)
    _register(drv, case, former)
    drv.do(case, "precalify", {"precalification_result": "open", "sanction_level": level,
                               "precalification_date": D, "fault_code": "85.d"}, lane="st_pad")
    drv.do(case, "decide_opening", {"opening_decision": "open", "sanction_level": level},
           lane="instructing_authority")
    drv.do(case, "notify_charges", {"opening_notified_on": notified, "precautionary_measure": "none"},
           lane="instructing_authority")
    return case


def _to_resolution(drv, case, proposed):
    drv.do(case, "record_defence", {"defence_action": "submitted", "defence_date": D})
    drv.do(case, "issue_instruction_report", {"sanction_proposed": proposed, "instruction_report_date": D})
    drv.do(case, "notify_instruction_report", {"report_notified_on": D}, lane="deciding_authority")
    drv.do(case, "record_hearing_request", {"hearing_requested": False}, lane="deciding_authority")


def _sanction(drv, case, level, notified=D):
    drv.do(case, "issue_resolution", {"resolution_outcome": "sanction", "sanction_imposed": level,
                                      "resolution_number": "R-10-2025", "resolution_date": D},
           lane="deciding_authority")
    drv.do(case, "notify_resolution", {"resolution_notified_on": notified}, lane="deciding_authority")


def test_authority_table_covers_every_level():
    assert set(AUTHORITIES) == {"reprimand", "suspension", "dismissal"}
    assert AUTHORITIES["dismissal"]["deciding_authority"] == "entity_head"
    assert AUTHORITIES["reprimand"]["appeal_body"] == "head_of_hr"


def test_prescription_clocks_run_until_the_opening_is_notified(drv):
    case = drv.start("pad", START)
    _register(drv, case)
    # T7: 3 years from the fault (10 Jun 2024) -> Thu 10 Jun 2027. T8: 1 year from knowledge
    # (3 Mar 2025) -> Tue 3 Mar 2026. T9 (former servants): 2 years -> Wed 3 Mar 2027.
    assert drv.due(case, "pad.prescripcion_comision") == eod(2027, 6, 10)
    assert drv.due(case, "pad.prescripcion_conocimiento") == eod(2026, 3, 3)
    assert drv.due(case, "pad.prescripcion_ex_servidor") == eod(2027, 3, 3)
    drv.do(case, "precalify", {"precalification_result": "open", "sanction_level": "reprimand",
                               "precalification_date": D})
    drv.do(case, "decide_opening", {"opening_decision": "open", "sanction_level": "reprimand"})
    drv.do(case, "notify_charges", {"opening_notified_on": "2025-03-05", "precautionary_measure": "separation"})
    for policy in ("pad.prescripcion_comision", "pad.prescripcion_conocimiento", "pad.prescripcion_ex_servidor"):
        assert drv.deadline(case, policy, state="cancelled")
    # T10: 1 year from the notification (Wed 5 Mar 2025) -> Thu 5 Mar 2026.
    assert drv.due(case, "pad.prescripcion_procedimiento") == eod(2026, 3, 5)
    # T12: 5 business days from the day after notification -> 6, 7, 10, 11, 12 Mar.
    assert drv.task(case, "record_defence").due_at == eod(2025, 3, 12)
    # T11 (guide): 30 business days from 5 Mar, over Holy Week -> Wed 16 Apr.
    assert drv.due(case, "pad.resolver") == eod(2025, 4, 16)


def test_archive_at_opening(drv):
    case = drv.start("pad", START)
    _register(drv, case)
    drv.do(case, "precalify", {"precalification_result": "archive", "sanction_level": "reprimand",
                               "precalification_date": D})
    drv.do(case, "decide_opening", {"opening_decision": "archive", "sanction_level": "reprimand"})
    drv.closed(case, "end_archived")


def test_reprimand_without_challenge_becomes_final_and_is_registered(drv):
    case = _open(drv, "reprimand")
    _to_resolution(drv, case, "reprimand")
    _sanction(drv, case, "reprimand")
    # T18: 15 business days from Mon 3 Mar -> Mon 24 Mar.
    assert drv.task(case, "record_challenge").due_at == eod(2025, 3, 24)
    drv.at(lima(2025, 3, 25, 0, 0))
    task = drv.task(case, "register_rnssc")
    assert task.lane == "hr"
    assert drv.case(case).data["sanction_final_on"] == "2025-03-25"
    # T20: the next business day after the sanction became final -> Wed 26 Mar.
    assert task.due_at == eod(2025, 3, 26)
    drv.do(case, "register_rnssc", {"rnssc_entry_id": "RNSSC-99", "rnssc_registered_on": "2025-03-25"})
    drv.closed(case, "end_sanctioned")


def test_no_sanction_closes_the_pad(drv):
    case = _open(drv, "suspension")
    _to_resolution(drv, case, "none")
    drv.do(case, "issue_resolution", {"resolution_outcome": "no_sanction", "sanction_imposed": "none",
                                      "resolution_number": "R-11", "resolution_date": D})
    drv.do(case, "notify_resolution", {"resolution_notified_on": D})
    drv.closed(case, "end_no_sanction")


def test_dismissal_with_tacit_extension_lapsed_defence_and_appeal(drv):
    case = _open(drv, "dismissal")
    drv.do(case, "record_defence", {"defence_action": "extension_requested", "defence_date": D})
    # T13: the authority answers within 2 business days -> Wed 5 Mar.
    assert drv.task(case, "answer_extension").due_at == eod(2025, 3, 5)
    assert drv.at(lima(2025, 3, 5, 23, 59)) == 0
    assert drv.at(lima(2025, 3, 6, 0, 0)) >= 1
    assert drv.case(case).data["extension_granted"] is True
    # Deemed granted: +5 business days, counted from the deemed grant (6 Mar) -> 7, 10-13 Mar.
    assert drv.task(case, "record_defence_extended").due_at == eod(2025, 3, 13)
    drv.at(lima(2025, 3, 14, 0, 0))
    drv.at(lima(2025, 3, 17))
    drv.do(case, "issue_instruction_report", {"sanction_proposed": "dismissal",
                                              "instruction_report_date": "2025-03-17"})
    # T14: notify the report within 2 business days of receipt -> Wed 19 Mar.
    assert drv.task(case, "notify_instruction_report").due_at == eod(2025, 3, 19)
    drv.do(case, "notify_instruction_report", {"report_notified_on": "2025-03-17"})
    # T15: 3 business days to ask for an oral hearing -> Thu 20 Mar; then the right lapses.
    assert drv.task(case, "record_hearing_request").due_at == eod(2025, 3, 20)
    drv.at(lima(2025, 3, 21, 0, 0))
    # T16: resolve within 10 business days of receiving the report (17 Mar) -> Mon 31 Mar.
    assert drv.task(case, "issue_resolution").due_at == eod(2025, 3, 31)
    drv.do(case, "issue_resolution", {"resolution_outcome": "sanction", "sanction_imposed": "dismissal",
                                      "resolution_number": "R-12", "resolution_date": "2025-03-21"})
    # T17: notify within 5 business days of issue (Fri 21 Mar) -> Fri 28 Mar.
    assert drv.task(case, "notify_resolution").due_at == eod(2025, 3, 28)
    drv.at(lima(2025, 4, 14))
    drv.do(case, "notify_resolution", {"resolution_notified_on": "2025-04-14"})
    # T18: 15 business days from Mon 14 Apr, skipping 17-18 Apr and 1 May -> Thu 8 May.
    assert drv.task(case, "record_challenge").due_at == eod(2025, 5, 8)
    drv.at(lima(2025, 5, 5))
    drv.do(case, "record_challenge", {"challenge": "appeal", "challenge_filed_on": "2025-05-05"})
    # T19: 30 business days from Mon 5 May -> Mon 16 Jun.
    assert drv.task(case, "decide_appeal").lane == "appeal_body"
    assert drv.task(case, "decide_appeal").due_at == eod(2025, 6, 16)
    drv.at(lima(2025, 6, 27))
    assert drv.deadline(case, "pad.resolver_apelacion", state="fired")
    drv.do(case, "decide_appeal", {"appeal_result": "upheld", "appeal_decided_on": "2025-06-27"}, lane="appeal_body")
    # T20: next business day after Fri 27 Jun; 29 Jun (a holiday) is a Sunday -> Mon 30 Jun.
    assert drv.task(case, "register_rnssc").due_at == eod(2025, 6, 30)
    drv.do(case, "register_rnssc", {"rnssc_entry_id": "RNSSC-100", "rnssc_registered_on": "2025-06-27"})
    drv.closed(case, "end_sanctioned")


def test_suspension_with_granted_extension_hearing_and_revoked_reconsideration(drv):
    case = _open(drv, "suspension")
    drv.do(case, "record_defence", {"defence_action": "extension_requested", "defence_date": D})
    drv.do(case, "answer_extension", {"extension_granted": True, "extension_answered_on": D})
    drv.do(case, "record_defence_extended", {"defence_date": D})
    drv.do(case, "issue_instruction_report", {"sanction_proposed": "suspension", "suspension_days_proposed": 30,
                                              "instruction_report_date": D})
    drv.do(case, "notify_instruction_report", {"report_notified_on": D})
    drv.do(case, "record_hearing_request", {"hearing_requested": True, "hearing_requested_on": D})
    drv.do(case, "hold_oral_hearing", {"hearing_date": D}, lane="deciding_authority")
    _sanction(drv, case, "suspension", notified="2025-04-14")
    drv.do(case, "record_challenge", {"challenge": "reconsideration", "challenge_filed_on": "2025-04-14"})
    # Reconsideration decided in 15 business days from filing (LPAG 207.2) -> Thu 8 May.
    assert drv.task(case, "decide_reconsideration").due_at == eod(2025, 5, 8)
    drv.do(case, "decide_reconsideration", {"reconsideration_result": "revoked", "reconsideration_notified_on": D})
    drv.closed(case, "end_revoked_on_reconsideration")


def test_extension_denied_then_reconsideration_upheld_and_appeal_revoked(drv):
    case = _open(drv, "suspension")
    drv.do(case, "record_defence", {"defence_action": "extension_requested", "defence_date": D})
    drv.do(case, "answer_extension", {"extension_granted": False, "extension_answered_on": D})
    drv.do(case, "issue_instruction_report", {"sanction_proposed": "suspension", "instruction_report_date": D})
    drv.do(case, "notify_instruction_report", {"report_notified_on": D})
    drv.do(case, "record_hearing_request", {"hearing_requested": False})
    _sanction(drv, case, "suspension")
    drv.do(case, "record_challenge", {"challenge": "reconsideration", "challenge_filed_on": D})
    drv.do(case, "decide_reconsideration", {"reconsideration_result": "upheld",
                                            "reconsideration_notified_on": "2025-03-10"})
    # A new 15-day term to appeal the decision on reconsideration -> 11 Mar .. Mon 31 Mar.
    assert drv.task(case, "record_appeal").due_at == eod(2025, 3, 31)
    drv.do(case, "record_appeal", {"challenge_filed_on": "2025-03-12"})
    drv.do(case, "decide_appeal", {"appeal_result": "revoked", "appeal_decided_on": "2025-04-01"})
    drv.closed(case, "end_revoked_on_appeal")


def test_reconsideration_modified_and_appeal_term_lapsed_makes_it_final(drv):
    case = _open(drv, "reprimand")
    _to_resolution(drv, case, "reprimand")
    _sanction(drv, case, "reprimand")
    drv.do(case, "record_challenge", {"challenge": "reconsideration", "challenge_filed_on": D})
    drv.do(case, "decide_reconsideration", {"reconsideration_result": "modified",
                                            "reconsideration_notified_on": "2025-03-10"})
    drv.at(lima(2025, 4, 1, 0, 0))
    assert "register_rnssc" in drv.ready(case)
    drv.do(case, "register_rnssc", {"rnssc_entry_id": "RNSSC-101", "rnssc_registered_on": "2025-04-01"})
    drv.closed(case, "end_sanctioned")


def test_t8_prescription_is_declared_by_the_entity_head(drv):
    case = drv.start("pad", START)
    _register(drv, case)
    assert drv.at(lima(2026, 3, 3, 23, 59)) == 0
    assert drv.at(lima(2026, 3, 4, 0, 0)) >= 1
    ready = drv.ready(case)
    assert ready["declare_prescription"].lane == "entity_head"
    assert "precalify" in ready  # the alert does not stop the ST until the head declares
    assert drv.case(case).data["prescription_clock"] == "T8"
    drv.do(case, "declare_prescription", {"prescription_declared": True, "prescription_clock": "T8"})
    drv.closed(case, "end_prescribed")


def test_former_servant_t8_does_not_apply_t9_does(drv):
    case = drv.start("pad", START)
    _register(drv, case, former=True)
    drv.at(lima(2026, 3, 4, 0, 0))
    assert "declare_prescription" not in drv.ready(case)
    drv.at(lima(2027, 3, 4, 0, 0))
    assert drv.case(case).data["prescription_clock"] == "T9"
    drv.do(case, "declare_prescription", {"prescription_declared": True, "prescription_clock": "T9"})
    drv.closed(case, "end_prescribed")


def test_t10_prescription_not_declared_lets_the_pad_continue_then_declared(drv):
    case = _open(drv, "reprimand")
    drv.at(lima(2026, 3, 4, 0, 0))
    assert drv.case(case).data["prescription_clock"] == "T10"
    drv.do(case, "declare_prescription", {"prescription_declared": False, "prescription_clock": "T10"})
    # Meanwhile the defence term (T12) lapsed: the procedure goes on without it.
    assert set(drv.ready(case)) == {"issue_instruction_report"}
    drv.do(case, "issue_instruction_report", {"sanction_proposed": "none", "instruction_report_date": "2026-03-04"})
    drv.do(case, "notify_instruction_report", {"report_notified_on": "2026-03-04"})
    drv.do(case, "record_hearing_request", {"hearing_requested": False})
    drv.do(case, "issue_resolution", {"resolution_outcome": "no_sanction", "sanction_imposed": "none",
                                      "resolution_number": "R-13", "resolution_date": D})
    drv.do(case, "notify_resolution", {"resolution_notified_on": D})
    drv.closed(case, "end_no_sanction")


@pytest.mark.parametrize("task", sorted(DEFINITION.status_labels))
def test_every_status_label_is_bilingual(task):
    es, en = DEFINITION.status_labels[task]
    assert es and en
