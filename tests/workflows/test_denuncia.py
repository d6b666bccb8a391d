"""Every path of the complaint process (bpmn/denuncia.bpmn) through the engine."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.workflows.conftest import eod, lima
from workflows.denuncia import DEFINITION

WEB = {
    "channel": "web", "anonymous": True, "reason_categories": ["bribery"], "fact_date": "2025-01-10",
    "protection_requested": False,
}
IDENTIFIED = {**WEB, "anonymous": False, "identity_code": "CC-0001"}
D = "2025-03-03"


def _to_classification(drv, case):
    drv.do(case, "acknowledge_receipt", {"ack_method": "platform", "ack_date": D}, lane="oii")
    drv.do(case, "assess_admissibility", {"admissibility": "admissible"}, lane="oii")


def _feedback(drv, case):
    drv.do(case, "send_feedback", {"feedback_sent_on": D}, lane="oii")


def test_web_intake_deadlines_and_acknowledgement(drv):
    case = drv.start("denuncia", WEB)
    assert set(drv.ready(case)) == {"acknowledge_receipt"}
    # T24: 7 calendar days from receipt on Mon 3 Mar -> Mon 10 Mar.
    assert drv.due(case, "denuncia.acuse") == eod(2025, 3, 10)
    assert drv.task(case, "acknowledge_receipt").due_at == eod(2025, 3, 10)
    drv.do(case, "acknowledge_receipt", {"ack_method": "platform", "ack_date": D})
    # T25: 3 months from the acknowledgement (3 Mar) -> 3 Jun, date to date.
    assert drv.due(case, "denuncia.retroalimentacion") == eod(2025, 6, 3)
    assert drv.deadline(case, "denuncia.acuse", state="cancelled")


def test_acknowledgement_overdue_escalates_without_changing_path(drv):
    case = drv.start("denuncia", WEB)
    assert drv.at(lima(2025, 3, 10, 23, 59)) == 0
    assert drv.at(lima(2025, 3, 11, 0, 0)) >= 1
    assert set(drv.ready(case)) == {"acknowledge_receipt"}
    _to_classification(drv, case)
    assert "classify" in drv.ready(case)


def test_mesa_de_partes_registration_same_day(drv):
    case = drv.start("denuncia", {**WEB, "channel": "mesa_de_partes"})
    task = drv.task(case, "register_complaint")
    assert task.lane == "mesa_de_partes"
    # T1: same day (LPAG 132.1) -> end of Mon 3 Mar.
    assert drv.due(case, "denuncia.registro") == eod(2025, 3, 3)
    drv.do(case, "register_complaint", {"registry_number": "MP-1"})
    assert set(drv.ready(case)) == {"acknowledge_receipt"}


def test_verbal_complaint_not_corruption_is_derived(drv):
    case = drv.start("denuncia", {**WEB, "channel": "verbal"})
    drv.do(case, "register_complaint", {"registry_number": "MP-2", "verbal_record": True}, lane="mesa_de_partes")
    drv.do(case, "acknowledge_receipt", {"ack_method": "in_person", "ack_date": D})
    drv.do(case, "assess_admissibility", {"admissibility": "not_corruption"})
    drv.do(case, "derive_to_competent_unit", {"competent_unit_code": "OGA"}, lane="oii")
    assert datetime.fromisoformat(drv.case(case).data["routed_competent_unit_at"]) == lima(2025, 3, 3)
    _feedback(drv, case)
    drv.closed(case, "end_derived_competent_unit")
    assert DEFINITION.status_labels["end_derived_competent_unit"][0] == "Derivada a la unidad competente"


def test_correction_then_routing_to_every_target_starts_a_pad(drv):
    case = drv.start("denuncia", WEB)
    drv.do(case, "acknowledge_receipt", {"ack_method": "platform", "ack_date": D})
    drv.do(case, "assess_admissibility", {"admissibility": "incomplete"})
    drv.do(case, "request_correction", {"correction_requested_on": D})
    # T3: 3 business days from Mon 3 Mar -> Thu 6 Mar.
    assert drv.task(case, "submit_correction").lane == "complainant"
    assert drv.due(case, "denuncia.subsanacion") == eod(2025, 3, 6)
    drv.do(case, "submit_correction", {"corrected_on": D})
    drv.do(case, "assess_admissibility", {"admissibility": "admissible"})
    # T4: 3 business days from the complete complaint -> Thu 6 Mar (classify and route).
    assert drv.task(case, "classify").due_at == eod(2025, 3, 6)
    drv.at(lima(2025, 3, 5, 9))
    drv.do(case, "classify", {"classification": "corruption", "corruption_kinds": ["crime"]})
    assert drv.task(case, "route").due_at == eod(2025, 3, 6)
    drv.do(case, "route", {"route_targets": ["st_pad", "procuraduria", "oci"]})
    data = drv.case(case).data
    for target in ("st_pad", "procuraduria", "oci"):
        assert datetime.fromisoformat(data[f"routed_{target}_at"]) == lima(2025, 3, 5, 9)
    pad = drv.linked(case, "pad")
    pad_view = drv.case(pad)
    assert pad_view.data["knowledge_date"] == "2025-03-05"
    assert pad_view.data["origin"] == "denuncia"
    assert pad_view.data["corruption_linked"] is True
    assert pad_view.data["fault_date"] == "2025-01-10"
    assert [(link.process_id, link.case_id) for link in pad_view.links] == [("denuncia", case)]
    assert "register_file" in drv.ready(pad)
    _feedback(drv, case)
    drv.closed(case, "end_routed")
    assert drv.linked(case, "pad") == pad  # the thrown message started one PAD, not one per later step


@pytest.mark.parametrize("target", ["procuraduria", "oci"])
def test_routing_without_st_pad_starts_no_pad(drv, target):
    case = drv.start("denuncia", WEB)
    _to_classification(drv, case)
    drv.do(case, "classify", {"classification": "corruption"})
    drv.do(case, "route", {"route_targets": [target]})
    data = drv.case(case).data
    assert f"routed_{target}_at" in data
    assert "routed_st_pad_at" not in data
    assert drv.case(case).links == ()
    _feedback(drv, case)
    drv.closed(case, "end_routed")


def test_correction_lapsed_over_holy_week_archives(drv):
    case = drv.start("denuncia", WEB)
    drv.do(case, "acknowledge_receipt", {"ack_method": "platform", "ack_date": D})
    drv.do(case, "assess_admissibility", {"admissibility": "incomplete"})
    drv.at(lima(2025, 4, 15))  # Tuesday
    drv.do(case, "request_correction", {"correction_requested_on": "2025-04-15"})
    # 16 Apr, (17-18 Apr holidays, weekend), 21 Apr, 22 Apr -> Tue 22 Apr.
    assert drv.due(case, "denuncia.subsanacion") == eod(2025, 4, 22)
    assert drv.at(lima(2025, 4, 22, 23, 59)) == 0
    assert drv.at(lima(2025, 4, 23, 0, 0)) >= 1
    assert set(drv.ready(case)) == {"send_feedback"}
    assert drv.case(case).data["closure_reason"] == "not_corrected"
    _feedback(drv, case)
    drv.closed(case, "end_archived_not_corrected")


def test_other_matter_is_derived_to_competent_unit(drv):
    case = drv.start("denuncia", WEB)
    _to_classification(drv, case)
    drv.do(case, "classify", {"classification": "other"})
    drv.do(case, "derive_to_competent_unit", {"competent_unit_code": "ATC"})
    _feedback(drv, case)
    drv.closed(case, "end_derived_competent_unit")


def test_bad_faith_complaint_is_archived(drv):
    case = drv.start("denuncia", IDENTIFIED)
    _to_classification(drv, case)
    drv.do(case, "classify", {"classification": "corruption", "bad_faith": True, "bad_faith_kind": "false"})
    drv.do(case, "record_bad_faith", {"bad_faith_referred_on": D}, lane="oii")
    _feedback(drv, case)
    drv.closed(case, "end_archived_bad_faith")


def test_identified_protection_request_starts_protection_case(drv):
    case = drv.start("denuncia", {**IDENTIFIED, "protection_requested": True})
    drv.do(case, "acknowledge_receipt", {"ack_method": "email", "ack_date": D})
    prot = drv.linked(case, "proteccion")
    view = drv.case(prot)
    assert view.data["identity_code"] == "CC-0001"
    assert view.data["request_date"] == D
    assert [(link.process_id, link.case_id) for link in view.links] == [("denuncia", case)]
    # T5: 15 business days from filing (Mon 3 Mar) -> Mon 24 Mar.
    assert drv.due(prot, "proteccion.decision") == eod(2025, 3, 24)


def test_anonymous_protection_request_starts_nothing(drv):
    case = drv.start("denuncia", {**WEB, "protection_requested": True})
    drv.do(case, "acknowledge_receipt", {"ack_method": "platform", "ack_date": D})
    assert drv.case(case).links == ()


def test_feedback_overdue_is_reported_and_case_still_closes(drv):
    case = drv.start("denuncia", WEB)
    _to_classification(drv, case)
    assert drv.at(lima(2025, 6, 4, 0, 0)) >= 1
    assert drv.deadline(case, "denuncia.retroalimentacion", state="fired")
    drv.do(case, "classify", {"classification": "corruption"})
    drv.do(case, "route", {"route_targets": ["oci"]})
    _feedback(drv, case)
    drv.closed(case, "end_routed")
