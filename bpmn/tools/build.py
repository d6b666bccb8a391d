# ruff: noqa: PLR0915 - each model is one declarative list of elements
"""Generate bpmn/denuncia.bpmn, proteccion.bpmn, pad.bpmn and control_concurrente.bpmn.

Run from the repository root:  python bpmn/tools/build.py
The element ids here are the contract with workflows/*.py (forms, status labels) and the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bpmnkit import Process  # noqa: E402

OUT = Path(__file__).resolve().parent.parent


def sla(policy: str, start: str | None = None) -> str:
    return f'sla_due("{policy}", start={start})' if start else f'sla_due("{policy}")'


# ──────────────────────────────────────────────────────────────────────────────────────────────
def denuncia() -> Process:
    p = Process(
        "denuncia",
        "Denuncia (PROCESSES.md §1)",
        [("complainant", "", 200), ("mesa_de_partes", "", 210), ("oii", "", 600)],
        doc="Complaint intake at the integrity office: DL 1327, DS 010-2017-JUS, Directiva 002-2023-PCM-SIP.",
    )
    A, B, C, D, E, F = -225, -135, -45, 45, 135, 230
    p.message(
        "msg_start_pad",
        "start_pad",
        '{"knowledge_date": today(), "origin": "denuncia", "corruption_linked": True, "fault_date": fact_date}',
    )
    p.message(
        "msg_start_proteccion",
        "start_proteccion",
        '{"request_date": today(), "origin": "denuncia", "requester_kind": "complainant", '
        '"identity_code": identity_code}',
    )
    # intake
    p.start("complaint_received", "Denuncia recibida", "mesa_de_partes", 0, dy=-20)
    p.script("stamp_received", "Sellar recepción", "mesa_de_partes", 1,
             "received_on = today()\nreceived_at = now_iso()", dy=-20)
    p.gateway("channel_gateway", "¿Canal?", "mesa_de_partes", 2, dy=-20)
    p.user("register_complaint", "Registrar y derivar a la OII", "mesa_de_partes", 3, dy=-20)
    p.boundary("registration_timer", "T1 mismo día", "register_complaint", sla("denuncia.registro"), False)
    p.end("registration_overdue_end", "Registro vencido", "mesa_de_partes", 3.7, dy=60)
    p.gateway("intake_merge", "", "oii", 4, dy=A)
    p.user("acknowledge_receipt", "Acusar recibo", "oii", 5, dy=A)
    p.boundary("ack_timer", "T24 7 DC", "acknowledge_receipt", sla("denuncia.acuse", "received_on"), False)
    p.end("ack_overdue_end", "Acuse vencido", "oii", 5.7, dy=B)
    p.gateway("protection_gateway", "¿Pide protección?", "oii", 6, dy=A)
    p.throw("throw_start_proteccion", "Iniciar protección", "oii", 7, "msg_start_proteccion", dy=B)
    p.gateway("protection_merge", "", "oii", 8, dy=A)
    p.flow("complaint_received", "stamp_received")
    p.flow("stamp_received", "channel_gateway")
    p.flow("channel_gateway", "intake_merge", 'channel == "web"', "web")
    p.flow("channel_gateway", "register_complaint", name="presencial", default=True)
    p.flow("register_complaint", "intake_merge")
    p.flow("registration_timer", "registration_overdue_end")
    p.chain("intake_merge", "acknowledge_receipt", "protection_gateway")
    p.flow("ack_timer", "ack_overdue_end")
    p.flow("protection_gateway", "throw_start_proteccion",
           "protection_requested == True and anonymous == False", "sí (identificado)")
    p.flow("protection_gateway", "protection_merge", name="no", default=True)
    p.flow("throw_start_proteccion", "protection_merge")
    # handling subprocess
    h = "handling"
    p.subprocess(h, "Evaluación, derivación y retroalimentación")
    x = 9.2
    p.start("handling_start", "", "oii", x, dy=A, parent=h)
    p.user("assess_admissibility", "Evaluar admisibilidad", "oii", x + 1, dy=A, parent=h)
    p.gateway("admissibility_gateway", "¿Admisible?", "oii", x + 2, dy=A, parent=h)
    p.user("request_correction", "Pedir subsanación", "oii", x + 2, dy=C, parent=h)
    p.user("submit_correction", "Subsanar la denuncia", "complainant", x + 3, dy=-20, parent=h)
    p.boundary("correction_timer", "T3", "submit_correction", sla("denuncia.subsanacion"), True)
    p.script("mark_not_corrected", "Archivar: no subsanó", "complainant", x + 4, 'closure_reason = "not_corrected"',
             dy=55, parent=h)
    p.script("stamp_admitted", "Denuncia completa", "oii", x + 3, "admitted_on = today()\nbad_faith = False",
             dy=A, parent=h)
    p.user("classify", "Calificar y evaluar mala fe", "oii", x + 4, dy=A, parent=h)
    p.boundary("evaluation_timer", "T4", "classify", sla("denuncia.evaluacion"), False)
    p.end("evaluation_overdue_end", "Evaluación vencida", "oii", x + 4.7, dy=B, parent=h)
    p.gateway("classification_gateway", "¿Calificación?", "oii", x + 5, dy=A, parent=h)
    p.user("record_bad_faith", "Registrar mala fe y derivar", "oii", x + 6, dy=D, parent=h)
    p.script("mark_bad_faith", "Archivar: mala fe", "oii", x + 7, 'closure_reason = "bad_faith"', dy=D, parent=h)
    p.user("derive_to_competent_unit", "Derivar a la unidad competente", "oii", x + 6, dy=E, parent=h)
    p.script("stamp_competent_unit", "Sellar derivación", "oii", x + 7,
             'routed_competent_unit_at = now_iso()\nclosure_reason = "derived_not_corruption"', dy=E, parent=h)
    p.user("route", "Derivar (ST-PAD, Procuraduría, OCI)", "oii", x + 6, dy=A, parent=h)
    p.boundary("routing_timer", "T4", "route", sla("denuncia.evaluacion", "admitted_on"), False)
    p.end("routing_overdue_end", "Derivación vencida", "oii", x + 6.7, dy=B, parent=h)
    p.gateway("route_split", "", "oii", x + 7, kind="inclusive", dy=A, parent=h)
    p.script("stamp_st_pad", "Sellar derivación ST-PAD", "oii", x + 8, "routed_st_pad_at = now_iso()", dy=A,
             parent=h)
    p.throw("throw_start_pad", "Iniciar PAD", "oii", x + 9, "msg_start_pad", dy=A, parent=h)
    p.script("stamp_procuraduria", "Sellar derivación Procuraduría", "oii", x + 8.5,
             "routed_procuraduria_at = now_iso()", dy=B, parent=h)
    p.script("stamp_oci", "Sellar derivación OCI", "oii", x + 8.5, "routed_oci_at = now_iso()", dy=C, parent=h)
    p.gateway("route_join", "", "oii", x + 10, kind="inclusive", dy=A, parent=h)
    p.script("mark_routed", "Derivada", "oii", x + 11, 'closure_reason = "routed"', dy=A, parent=h)
    p.gateway("closure_merge", "", "oii", x + 12, dy=A, parent=h)
    p.user("send_feedback", "Informar al denunciante", "oii", x + 13, dy=A, parent=h)
    p.end("handling_end", "", "oii", x + 14, dy=A, parent=h)
    p.boundary("feedback_timer", "T25 3 meses", h, sla("denuncia.retroalimentacion"), False, col=x + 14)
    p.end("feedback_overdue_end", "Retroalimentación vencida", "oii", x + 15, dy=F)
    p.chain("handling_start", "assess_admissibility", "admissibility_gateway")
    p.flow("admissibility_gateway", "request_correction", 'admissibility == "incomplete"', "incompleta")
    p.flow("admissibility_gateway", "derive_to_competent_unit", 'admissibility == "not_corruption"',
           "no es corrupción", route=("bottom", p.lane_top["oii"] + 300 + F - 10))
    p.flow("admissibility_gateway", "stamp_admitted", name="admisible", default=True)
    p.flow("request_correction", "submit_correction")
    p.flow("submit_correction", "assess_admissibility", route=("top", 80))
    p.flow("correction_timer", "mark_not_corrected")
    p.flow("mark_not_corrected", "closure_merge")
    p.chain("stamp_admitted", "classify", "classification_gateway")
    p.flow("evaluation_timer", "evaluation_overdue_end")
    p.flow("classification_gateway", "record_bad_faith", "bad_faith == True", "mala fe")
    p.flow("classification_gateway", "derive_to_competent_unit", 'bad_faith == False and classification == "other"',
           "otra materia")
    p.flow("classification_gateway", "route", name="corrupción", default=True)
    p.chain("record_bad_faith", "mark_bad_faith", "closure_merge")
    p.chain("derive_to_competent_unit", "stamp_competent_unit", "closure_merge")
    p.flow("route", "route_split")
    p.flow("routing_timer", "routing_overdue_end")
    p.flow("route_split", "stamp_st_pad", '"st_pad" in route_targets', "ST-PAD")
    p.flow("route_split", "stamp_procuraduria", '"procuraduria" in route_targets', "Procuraduría")
    p.flow("route_split", "stamp_oci", '"oci" in route_targets', "OCI")
    p.chain("stamp_st_pad", "throw_start_pad", "route_join")
    p.flow("stamp_procuraduria", "route_join")
    p.flow("stamp_oci", "route_join")
    p.chain("route_join", "mark_routed", "closure_merge", "send_feedback", "handling_end")
    p.flow("feedback_timer", "feedback_overdue_end")
    # outcome
    y = x + 15.8
    p.gateway("outcome_gateway", "¿Cierre?", "oii", y, dy=A)
    p.end("end_archived_not_corrected", "Archivada: no se subsanó", "oii", y + 1, dy=B)
    p.end("end_archived_bad_faith", "Archivada: mala fe", "oii", y + 1, dy=C)
    p.end("end_derived_competent_unit", "Derivada a la unidad competente", "oii", y + 1, dy=D)
    p.end("end_routed", "Derivada (ST-PAD / Procuraduría / OCI)", "oii", y + 1, dy=A)
    p.flow("protection_merge", h)
    p.flow(h, "outcome_gateway")
    p.flow("outcome_gateway", "end_archived_not_corrected", 'closure_reason == "not_corrected"')
    p.flow("outcome_gateway", "end_archived_bad_faith", 'closure_reason == "bad_faith"')
    p.flow("outcome_gateway", "end_derived_competent_unit", 'closure_reason == "derived_not_corruption"')
    p.flow("outcome_gateway", "end_routed", default=True)
    return p


# ──────────────────────────────────────────────────────────────────────────────────────────────
def proteccion() -> Process:
    p = Process(
        "proteccion",
        "Medidas de protección (PROCESSES.md §2)",
        [("oii", "", 260), ("hr", "", 230)],
        doc="Whistleblower protection measures: DL 1327, DS 010-2017-JUS as amended, gob.pe/14228.",
    )
    A, B = -40, 60
    p.start("protection_requested", "Solicitud de protección", "oii", 0, dy=A)
    p.user("evaluate_request", "Evaluar trascendencia, gravedad y verosimilitud", "oii", 1, dy=A)
    p.boundary("decision_timer", "T5 15 DH", "evaluate_request", sla("proteccion.decision", "request_date"), False)
    p.end("decision_overdue_end", "Decisión vencida", "oii", 1.7, dy=B)
    p.gateway("decision_gateway", "¿Decisión?", "oii", 2.3, dy=A)
    p.end("end_denied", "Protección denegada", "oii", 3.3, dy=B)
    p.user("apply_measures", "Aplicar medidas", "hr", 3.3, dy=-30)
    p.script("mark_pad_bound", "¿Medida ligada al PAD?", "hr", 4.3,
             'pad_bound_measure = "labour_transfer" in measures_granted or "paid_leave_accused" in measures_granted'
             "\npad_open = True",
             dy=-30)
    p.gateway("review_merge", "", "oii", 5.3, dy=A)
    p.user("review_measures", "Revisar medidas", "oii", 6.3, dy=A)
    p.boundary("review_timer", "Revisión periódica", "review_measures", sla("proteccion.revision"), False)
    p.end("review_due_end", "Revisión vencida", "oii", 7, dy=B)
    p.gateway("review_gateway", "¿Resultado?", "oii", 7.6, dy=A)
    p.user("suspend_protection", "Suspender protección (mala fe)", "hr", 8.6, dy=60)
    p.user("lift_measures", "Levantar medidas", "hr", 8.6, dy=-30)
    p.end("end_lifted", "Medidas levantadas", "hr", 9.6, dy=-30)
    p.end("end_suspended_bad_faith", "Suspendida por mala fe", "hr", 9.6, dy=60)
    p.chain("protection_requested", "evaluate_request", "decision_gateway")
    p.flow("decision_timer", "decision_overdue_end")
    p.flow("decision_gateway", "apply_measures", 'decision == "grant"', "otorgar")
    p.flow("decision_gateway", "end_denied", name="denegar", default=True)
    p.chain("apply_measures", "mark_pad_bound", "review_merge", "review_measures", "review_gateway")
    p.flow("review_timer", "review_due_end")
    p.flow("review_gateway", "suspend_protection", 'review_decision == "suspend_bad_faith"', "mala fe")
    p.flow("review_gateway", "lift_measures",
           'review_decision == "lift" or (pad_bound_measure == True and pad_open == False)',
           "levantar / fin del PAD")
    p.flow("review_gateway", "review_merge", name="mantener", default=True, route=("top", 75))
    p.flow("lift_measures", "end_lifted")
    p.flow("suspend_protection", "end_suspended_bad_faith")
    return p


# ──────────────────────────────────────────────────────────────────────────────────────────────
def pad() -> Process:
    p = Process(
        "pad",
        "Procedimiento administrativo disciplinario (PROCESSES.md §3)",
        [("st_pad", "", 170), ("instructing_authority", "", 330), ("deciding_authority", "", 330),
         ("appeal_body", "", 200), ("hr", "", 190), ("entity_head", "", 230)],
        doc="PAD under Ley 30057 (LSC), DS 040-2014-PCM (RGLSC), Directiva 02-2015-SERVIR/GPGSC.",
    )
    A, B, C = -95, 0, 95
    p.start("pad_started", "PAD iniciado", "st_pad", 0, dy=10)
    p.user("register_file", "Registrar expediente", "st_pad", 1, dy=10)
    # pre-opening (T7/T8/T9 run until the opening act is notified)
    pre = "pre_opening"
    p.subprocess(pre, "Precalificación e inicio (prescripción T7/T8/T9)")
    p.start("pre_opening_start", "", "st_pad", 2.2, dy=10, parent=pre)
    p.user("precalify", "Informe de precalificación", "st_pad", 3.2, dy=10, parent=pre)
    p.user("decide_opening", "Decidir inicio o archivo", "instructing_authority", 4.2, dy=A, parent=pre)
    p.gateway("opening_gateway", "¿Inicia?", "instructing_authority", 5.2, dy=A, parent=pre)
    p.user("notify_charges", "Notificar inicio e imputación", "instructing_authority", 6.2, dy=A, parent=pre)
    p.end("pre_opening_end", "", "instructing_authority", 7.2, dy=A, parent=pre)
    p.end("pre_opening_archived_end", "", "instructing_authority", 6.2, dy=B, parent=pre)
    p.chain("pre_opening_start", "precalify", "decide_opening", "opening_gateway")
    p.flow("opening_gateway", "pre_opening_archived_end", 'opening_decision == "archive"', "archivar")
    p.flow("opening_gateway", "notify_charges", name="iniciar", default=True)
    p.flow("notify_charges", "pre_opening_end")
    p.boundary("t7_timer", "T7 3 años", pre, sla("pad.prescripcion_comision", "fault_date"), False, col=3)
    p.boundary("t8_timer", "T8 1 año", pre, sla("pad.prescripcion_conocimiento", "knowledge_date"), False, col=4.4)
    p.boundary("t9_timer", "T9 2 años", pre, sla("pad.prescripcion_ex_servidor", "knowledge_date"), False, col=5.8)
    p.gateway("opened_gateway", "¿Abierto?", "instructing_authority", 8, dy=A)
    p.end("end_archived", "Archivado sin PAD", "instructing_authority", 8, dy=C)
    p.flow("pad_started", "register_file")
    p.flow("register_file", pre)
    p.flow(pre, "opened_gateway")
    p.flow("opened_gateway", "end_archived", 'opening_decision == "archive"', "archivo")
    # procedure (T10 from the opening notification to the resolution)
    pr = "procedure"
    p.subprocess(pr, "Instrucción y sanción (prescripción T10)")
    x = 9
    p.start("procedure_start", "", "instructing_authority", x, dy=A, parent=pr)
    p.user("record_defence", "Recibir descargos", "instructing_authority", x + 1, dy=A, parent=pr)
    p.boundary("defence_timer", "T12 5 DH", "record_defence", sla("pad.descargos", "opening_notified_on"), True)
    p.gateway("defence_gateway", "¿Prórroga?", "instructing_authority", x + 2, dy=A, parent=pr)
    p.user("answer_extension", "Responder prórroga", "instructing_authority", x + 2, dy=B, parent=pr)
    p.boundary("extension_answer_timer", "T13 2 DH", "answer_extension", sla("pad.prorroga"), True)
    p.script("deem_extension_granted", "Prórroga tácita", "instructing_authority", x + 2.55, "extension_granted = True",
             dy=C, parent=pr)
    p.gateway("extension_gateway", "¿Otorgada?", "instructing_authority", x + 3, dy=B, parent=pr)
    p.user("record_defence_extended", "Recibir descargos (prórroga)", "instructing_authority", x + 4, dy=B,
           parent=pr)
    p.boundary("extended_defence_timer", "+5 DH", "record_defence_extended", sla("pad.descargos"), True)
    p.gateway("defence_merge", "", "instructing_authority", x + 5, dy=A, parent=pr)
    p.user("issue_instruction_report", "Informe del órgano instructor", "instructing_authority", x + 6, dy=A,
           parent=pr)
    p.user("notify_instruction_report", "Notificar informe", "deciding_authority", x + 7, dy=A, parent=pr)
    p.boundary("notify_report_timer", "T14 2 DH", "notify_instruction_report", sla("pad.notificar_informe"), False)
    p.end("notify_report_overdue_end", "Notificación vencida", "deciding_authority", x + 7.7, dy=B, parent=pr)
    p.user("record_hearing_request", "¿Solicita informe oral?", "deciding_authority", x + 8.4, dy=A, parent=pr)
    p.boundary("hearing_request_timer", "T15 3 DH", "record_hearing_request",
               sla("pad.informe_oral", "report_notified_on"), True)
    p.gateway("hearing_gateway", "", "deciding_authority", x + 9.4, dy=A, parent=pr)
    p.user("hold_oral_hearing", "Informe oral", "deciding_authority", x + 9.4, dy=C, parent=pr)
    p.gateway("hearing_merge", "", "deciding_authority", x + 10.4, dy=A, parent=pr)
    p.user("issue_resolution", "Emitir resolución", "deciding_authority", x + 11.4, dy=A, parent=pr)
    p.boundary("resolution_timer", "T16 10 DH", "issue_resolution",
               sla("pad.resolucion", "instruction_report_date"), False)
    p.end("resolution_overdue_end", "Resolución vencida", "deciding_authority", x + 12.1, dy=B, parent=pr)
    p.end("procedure_end", "", "deciding_authority", x + 12.4, dy=A, parent=pr)
    p.chain("procedure_start", "record_defence", "defence_gateway")
    p.flow("defence_gateway", "answer_extension", 'defence_action == "extension_requested"', "pide prórroga")
    p.flow("defence_gateway", "defence_merge", name="descargos", default=True)
    p.flow("defence_timer", "defence_merge", route=("bottom", p.lane_top["instructing_authority"] + 310))
    p.flow("answer_extension", "extension_gateway")
    p.flow("extension_answer_timer", "deem_extension_granted")
    p.flow("deem_extension_granted", "record_defence_extended")
    p.flow("extension_gateway", "record_defence_extended", "extension_granted == True", "sí")
    p.flow("extension_gateway", "defence_merge", name="no", default=True,
           route=("bottom", p.lane_top["instructing_authority"] + 310))
    p.flow("record_defence_extended", "defence_merge")
    p.flow("extended_defence_timer", "defence_merge", route=("bottom", p.lane_top["instructing_authority"] + 310))
    p.chain("defence_merge", "issue_instruction_report", "notify_instruction_report", "record_hearing_request",
            "hearing_gateway")
    p.flow("notify_report_timer", "notify_report_overdue_end")
    p.flow("hearing_request_timer", "hearing_merge", route=("bottom", p.lane_top["deciding_authority"] + 318))
    p.flow("hearing_gateway", "hold_oral_hearing", "hearing_requested == True", "sí")
    p.flow("hearing_gateway", "hearing_merge", name="no", default=True)
    p.flow("hold_oral_hearing", "hearing_merge")
    p.chain("hearing_merge", "issue_resolution", "procedure_end")
    p.flow("resolution_timer", "resolution_overdue_end")
    p.boundary("t10_timer", "T10 1 año", pr, sla("pad.prescripcion_procedimiento", "opening_notified_on"), False,
               col=x + 2)
    p.boundary("t11_timer", "T11 30 DH", pr, sla("pad.resolver", "opening_notified_on"), False, col=x + 5)
    p.end("resolve_guide_overdue_end", "Plazo guía vencido", "appeal_body", x + 5.7, dy=30)
    p.flow("t11_timer", "resolve_guide_overdue_end")
    p.flow("opened_gateway", pr, name="abierto", default=True)
    # after the resolution
    y = x + 13.4
    p.user("notify_resolution", "Notificar resolución", "deciding_authority", y, dy=A)
    p.boundary("notify_resolution_timer", "T17", "notify_resolution", sla("pad.notificar_resolucion"), False)
    p.end("notify_resolution_overdue_end", "Notificación vencida", "deciding_authority", y + 0.7, dy=B)
    p.gateway("resolution_gateway", "¿Sanción?", "deciding_authority", y + 1.3, dy=A)
    p.end("end_no_sanction", "Sin sanción: archivo", "deciding_authority", y + 1.3, dy=C)
    p.user("record_challenge", "Registrar recurso", "deciding_authority", y + 2.3, dy=A)
    p.boundary("challenge_timer", "T18 15 DH", "record_challenge", sla("pad.impugnacion", "resolution_notified_on"),
               True)
    p.gateway("challenge_gateway", "¿Recurso?", "deciding_authority", y + 3.3, dy=A)
    p.user("decide_reconsideration", "Resolver reconsideración", "deciding_authority", y + 3.3, dy=C)
    p.boundary("reconsideration_timer", "15 DH", "decide_reconsideration",
               sla("pad.resolver_reconsideracion", "challenge_filed_on"), False, at=0.2)
    p.end("reconsideration_overdue_end", "Silencio negativo", "deciding_authority", y + 2.6, dy=C + 45)
    p.gateway("reconsideration_gateway", "¿Resultado?", "deciding_authority", y + 4.3, dy=C)
    p.end("end_revoked_on_reconsideration", "Sanción revocada", "deciding_authority", y + 4.3, dy=B - 20)
    p.user("record_appeal", "Registrar apelación", "deciding_authority", y + 5.3, dy=C)
    p.boundary("appeal_filing_timer", "T18 15 DH", "record_appeal",
               sla("pad.impugnacion", "reconsideration_notified_on"), True)
    p.user("decide_appeal", "Resolver apelación", "appeal_body", y + 6.3, dy=-30)
    p.boundary("appeal_timer", "T19 30 DH", "decide_appeal", sla("pad.resolver_apelacion", "challenge_filed_on"), False)
    p.end("appeal_overdue_end", "Silencio negativo", "appeal_body", y + 7, dy=55)
    p.gateway("appeal_gateway", "¿Resultado?", "appeal_body", y + 7.6, dy=-30)
    p.end("end_revoked_on_appeal", "Sanción revocada", "appeal_body", y + 8.6, dy=-30)
    p.gateway("sanction_final_merge", "", "hr", y + 8.6, dy=-20)
    p.script("stamp_final", "Sanción firme", "hr", y + 9.6, "sanction_final_on = today()", dy=-20)
    p.user("register_rnssc", "Inscribir en el RNSSC", "hr", y + 10.6, dy=-20)
    p.boundary("rnssc_timer", "T20", "register_rnssc", sla("pad.rnssc", "sanction_final_on"), False)
    p.end("rnssc_overdue_end", "Inscripción vencida", "hr", y + 11.3, dy=55)
    p.end("end_sanctioned", "Sanción firme e inscrita", "hr", y + 11.8, dy=-20)
    p.flow(pr, "notify_resolution")
    p.flow("notify_resolution", "resolution_gateway")
    p.flow("notify_resolution_timer", "notify_resolution_overdue_end")
    p.flow("resolution_gateway", "end_no_sanction", 'resolution_outcome == "no_sanction"', "no")
    p.flow("resolution_gateway", "record_challenge", name="sí", default=True)
    p.flow("challenge_timer", "sanction_final_merge")
    p.flow("record_challenge", "challenge_gateway")
    p.flow("challenge_gateway", "decide_reconsideration", 'challenge == "reconsideration"', "reconsideración")
    p.flow("challenge_gateway", "decide_appeal", name="apelación", default=True)
    p.flow("reconsideration_timer", "reconsideration_overdue_end")
    p.flow("decide_reconsideration", "reconsideration_gateway")
    p.flow("reconsideration_gateway", "end_revoked_on_reconsideration", 'reconsideration_result == "revoked"')
    p.flow("reconsideration_gateway", "record_appeal", name="confirmada", default=True)
    p.flow("record_appeal", "decide_appeal")
    p.flow("appeal_filing_timer", "sanction_final_merge")
    p.flow("decide_appeal", "appeal_gateway")
    p.flow("appeal_timer", "appeal_overdue_end")
    p.flow("appeal_gateway", "end_revoked_on_appeal", 'appeal_result == "revoked"', "revocada")
    p.flow("appeal_gateway", "sanction_final_merge", name="confirmada", default=True)
    p.chain("sanction_final_merge", "stamp_final", "register_rnssc", "end_sanctioned")
    p.flow("rnssc_timer", "rnssc_overdue_end")
    # prescription: the entity head declares it (RGLSC 97; IT 097-2021)
    EA, EB = -60, 20
    bus = p.lane_top["entity_head"] + 200
    p.script("clock_t7", "T7", "entity_head", 3, 'prescription_clock = "T7"', dy=EB)
    p.gateway("t8_applies", "¿Ex servidor?", "entity_head", 4.4, dy=EA)
    p.end("t8_not_applicable_end", "Rige T9", "entity_head", 5.1, dy=EA)
    p.script("clock_t8", "T8", "entity_head", 4.4, 'prescription_clock = "T8"', dy=EB + 20)
    p.gateway("t9_applies", "¿Ex servidor?", "entity_head", 5.8, dy=EA)
    p.end("t9_not_applicable_end", "Rige T8", "entity_head", 6.5, dy=EA)
    p.script("clock_t9", "T9", "entity_head", 5.8, 'prescription_clock = "T9"', dy=EB + 20)
    p.script("clock_t10", "T10", "entity_head", x + 2, 'prescription_clock = "T10"', dy=EB)
    p.gateway("prescription_merge", "", "entity_head", x + 4, dy=EB)
    p.user("declare_prescription", "Declarar prescripción", "entity_head", x + 5, dy=EB)
    p.gateway("prescription_gateway", "¿Declarada?", "entity_head", x + 6, dy=EB)
    p.end("end_prescribed", "Prescrito", "entity_head", x + 7, dy=EB, terminate=True)
    p.end("end_prescription_not_declared", "No declarada: continúa", "entity_head", x + 7, dy=EA)
    p.flow("t7_timer", "clock_t7")
    p.flow("t8_timer", "t8_applies")
    p.flow("t8_applies", "t8_not_applicable_end", "former_servant == True", "sí")
    p.flow("t8_applies", "clock_t8", name="no", default=True)
    p.flow("t9_timer", "t9_applies")
    p.flow("t9_applies", "clock_t9", "former_servant == True", "sí")
    p.flow("t9_applies", "t9_not_applicable_end", name="no", default=True)
    p.flow("t10_timer", "clock_t10")
    for src in ("clock_t7", "clock_t8", "clock_t9"):
        p.flow(src, "prescription_merge", route=("bottom", bus))
    p.flow("clock_t10", "prescription_merge")
    p.chain("prescription_merge", "declare_prescription", "prescription_gateway")
    p.flow("prescription_gateway", "end_prescribed", "prescription_declared == True", "sí")
    p.flow("prescription_gateway", "end_prescription_not_declared", name="no", default=True)
    return p


# ──────────────────────────────────────────────────────────────────────────────────────────────
def control_concurrente() -> Process:
    p = Process(
        "control_concurrente",
        "Control concurrente (PROCESSES.md §4)",
        [("oci", "", 370), ("entity_head", "", 170)],
        doc="Servicio de control simultáneo, modalidad control concurrente: Ley 27785, Directiva 013-2022-CG/NORM.",
    )
    A, B, C = -80, 20, 105
    p.start("service_assigned", "Servicio asignado", "oci", 0, dy=A)
    p.user("approve_plan", "Aprobar plan de control concurrente", "oci", 1, dy=A)
    p.boundary("plan_timer", "Plazo del plan", "approve_plan", sla("control.plan"), False)
    p.end("plan_overdue_end", "Plan vencido", "oci", 1.7, dy=B)
    p.user("accredit_commission", "Acreditar comisión ante el titular", "oci", 2.3, dy=A)
    p.gateway("milestone_merge", "", "oci", 3.3, dy=A)
    p.user("evaluate_milestone", "Evaluar hito de control", "oci", 4.3, dy=A)
    p.gateway("adverse_gateway", "¿Situaciones adversas?", "oci", 5.3, dy=A)
    p.user("issue_milestone_report", "Emitir Informe de Hito de Control", "oci", 6.3, dy=A)
    p.boundary("milestone_report_timer", "Plazo del informe", "issue_milestone_report", sla("control.informe_hito"),
               False, at=0.2)
    p.end("milestone_report_overdue_end", "Informe vencido", "oci", 5.7, dy=B + 25)
    p.user("submit_action_plan", "Remitir plan de acción", "entity_head", 7.3, dy=-10)
    p.boundary("action_plan_timer", "T22 5 DH", "submit_action_plan", sla("control.plan_accion"), True,
               side="top", at=0.8)
    p.user("record_non_compliance", "Registrar incumplimiento", "oci", 8.3, dy=C)
    p.user("follow_up_situations", "Seguimiento de situaciones adversas", "oci", 9.3, dy=A)
    p.gateway("next_merge", "", "oci", 10.3, dy=A)
    p.gateway("more_gateway", "¿Más hitos?", "oci", 11.3, dy=A)
    p.user("issue_final_report", "Emitir informe final", "oci", 12.3, dy=A)
    p.boundary("final_report_timer", "Plazo del informe final", "issue_final_report", sla("control.informe_final"),
               False)
    p.end("final_report_overdue_end", "Informe final vencido", "oci", 13, dy=B)
    p.user("publish_report", "Publicar informe", "oci", 13.6, dy=A)
    p.gateway("publish_gateway", "¿Publicado?", "oci", 14.6, dy=A)
    p.end("end_published", "Informe publicado", "oci", 15.6, dy=A)
    p.end("end_closed_unpublished", "Cerrado sin publicar", "oci", 15.6, dy=B)
    p.chain("service_assigned", "approve_plan", "accredit_commission", "milestone_merge", "evaluate_milestone",
            "adverse_gateway")
    p.flow("plan_timer", "plan_overdue_end")
    p.flow("adverse_gateway", "issue_milestone_report", "adverse_situations_found == True", "sí")
    p.flow("adverse_gateway", "next_merge", name="no", default=True, route=("top", p.lane_top["oci"] + 22))
    p.flow("issue_milestone_report", "submit_action_plan")
    p.flow("milestone_report_timer", "milestone_report_overdue_end")
    p.flow("submit_action_plan", "follow_up_situations")
    p.flow("action_plan_timer", "record_non_compliance")
    p.flow("record_non_compliance", "follow_up_situations")
    p.chain("follow_up_situations", "next_merge", "more_gateway")
    p.flow("more_gateway", "milestone_merge", "more_milestones == True", "sí",
           route=("bottom", p.lane_top["oci"] + 355))
    p.flow("more_gateway", "issue_final_report", name="no", default=True)
    p.flow("final_report_timer", "final_report_overdue_end")
    p.chain("issue_final_report", "publish_report", "publish_gateway")
    p.flow("publish_gateway", "end_published", "published == True", "sí")
    p.flow("publish_gateway", "end_closed_unpublished", name="no", default=True)
    return p


MODELS = {"denuncia": denuncia, "proteccion": proteccion, "pad": pad, "control_concurrente": control_concurrente}


def main() -> None:
    for name, build in MODELS.items():
        (OUT / f"{name}.bpmn").write_text(build().to_xml(), encoding="utf-8")
        print(f"wrote bpmn/{name}.bpmn")


if __name__ == "__main__":
    main()
