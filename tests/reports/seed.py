"""A small world of cases with a hand-worked timeline, for the dashboard, indicator and export tests.

Timeline (Lima wall time; Peru has no holiday between 2 Jan and 16 Apr 2025):
- Mon 6 Jan 10:00: O1 (entity "otra", web, [other], anonymous) is filed and never acknowledged.
  P1 and P2 (protection requests, default entity) are filed. K1 (concurrent control) runs to a
  published final report "IF-1" with 3 corrected, 1 in progress and 2 unaddressed adverse
  situations. PAD1 is archived at the opening decision.
- Fri 10 Jan 10:00: P1 is denied (on time: due end of Mon 27 Jan, 15 business days).
- Mon 3 Mar 10:00: D1 (web, [bribery], anonymous), D2 (web, [bribery, nepotism], identified) and
  D3 (mesa de partes, [collusion], anonymous) are filed. D1 is acknowledged at once; D3 registered.
- Wed 12 Mar 10:00 (= now): the timer sweep runs; then P2 is granted and D2 acknowledged.
"""

from __future__ import annotations

from engine import bootstrap
from engine.testing import make_engine
from tests.workflows.conftest import Driver, lima

NOW = lima(2025, 3, 12)
CANARY_NARRATIVE = "CANARYNARRATIVE7391"
CANARY_ACCUSED = "Canario Acusado Zyxwv"
WEB = {"channel": "web", "anonymous": True, "reason_categories": ["bribery"], "fact_date": "2025-01-02",
       "protection_requested": False}
REQUEST = {"requester_kind": "witness", "identity_code": "CC-0002", "request_date": "2025-01-06",
           "measures_requested": ["labour_transfer"]}
CRITERIA = {"trascendencia_met": True, "gravedad_met": True, "verosimilitud_met": True,
            "hierarchical_relation": True, "decision_date": "2025-01-06"}
PAD_START = {"origin": "denuncia", "knowledge_date": "2025-01-06", "fault_date": "2024-06-10",
             "corruption_linked": True}


def _control(drv: Driver) -> str:
    case = drv.start("control_concurrente", {"service_code": "2-0191-2025-001", "modality": "control_concurrente"})
    d = "2025-01-06"
    drv.do(case, "approve_plan", {"milestone_count": 1, "plan_approved_on": d})
    drv.do(case, "accredit_commission", {"accreditation_letter_number": "OF-1", "accredited_on": d})
    drv.do(case, "evaluate_milestone", {"milestone_number": 1, "milestone_date": d, "adverse_situations_found": True,
                                        "adverse_situation_count": 6, "more_milestones": False})
    drv.do(case, "issue_milestone_report", {"milestone_report_number": "001-2025-OCI/0191-SCC",
                                            "milestone_report_date": d, "milestone_letter_number": "OF-2"})
    drv.do(case, "submit_action_plan", {"action_plan_submitted_on": d, "planned_action_count": 2})
    drv.do(case, "follow_up_situations", {"corrected_count": 3, "in_progress_count": 1, "not_addressed_count": 2})
    drv.do(case, "issue_final_report", {"final_report_number": "IF-1", "final_report_date": d,
                                        "refer_to_control_posterior": False})
    drv.do(case, "publish_report", {"published": True, "published_on": d,
                                    "publication_url": "https://www.gob.pe/contraloria/informes/IF-1"})
    return case


def _pad(drv: Driver) -> str:
    case = drv.start("pad", PAD_START)
    drv.do(case, "register_file", {
        "st_file_number": "ST-001-2025", "knowledge_date": "2025-01-06", "fault_date": "2024-06-10",
        "former_servant": False, "corruption_linked": True, "accused_regime": "dl_276",
        "accused_role_code": "ESP-3", "accused_unit_code": "OGA"})
    drv.do(case, "precalify", {"precalification_result": "archive", "sanction_level": "reprimand",
                               "precalification_date": "2025-01-06"})
    drv.do(case, "decide_opening", {"opening_decision": "archive", "sanction_level": "reprimand"})
    return case


def _complaint(engine, data: dict, tenant: str = "default") -> str:
    content = {"narrative": CANARY_NARRATIVE, "accused": CANARY_ACCUSED}
    return engine.start_case_with_content("denuncia", data, content, actor="complainant", tenant=tenant)


def seed(tmp_path):
    """Build the world; return (engine, clock, case ids by name)."""
    engine, clock = make_engine(tmp_path, start=lima(2025, 1, 6))
    bootstrap.create_dev_keys(engine.settings)
    engine.rt.extras["content.crypto"].config.argon2_fast = True
    engine.create_entity("otra", "Otra entidad")
    drv = Driver(engine, clock)
    ids = {"O1": _complaint(engine, {**WEB, "reason_categories": ["other"]}, tenant="otra"),
           "P1": drv.start("proteccion", REQUEST), "P2": drv.start("proteccion", REQUEST),
           "K1": _control(drv), "PAD1": _pad(drv)}
    clock.set(lima(2025, 1, 10))
    drv.do(ids["P1"], "evaluate_request", {**CRITERIA, "decision": "deny"})
    clock.set(lima(2025, 3, 3))
    ids["D1"] = _complaint(engine, WEB)
    ids["D2"] = _complaint(engine, {**WEB, "anonymous": False, "reason_categories": ["bribery", "nepotism"]})
    ids["D3"] = _complaint(engine, {**WEB, "channel": "mesa_de_partes", "reason_categories": ["collusion"]})
    drv.do(ids["D1"], "acknowledge_receipt", {"ack_method": "platform", "ack_date": "2025-03-03"})
    drv.do(ids["D3"], "register_complaint", {"registry_number": "MP-1"})
    drv.at(NOW)
    drv.do(ids["P2"], "evaluate_request", {**CRITERIA, "decision": "grant", "measures_granted": ["labour_transfer"],
                                           "implementing_unit": "hr"})
    drv.do(ids["D2"], "acknowledge_receipt", {"ack_method": "platform", "ack_date": "2025-03-12"})
    return engine, clock, ids
