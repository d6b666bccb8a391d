"""Complaint intake (denuncia): PROCESSES.md §1, model `bpmn/denuncia.bpmn`.

Legal basis: DL 1327 and its Reglamento DS 010-2017-JUS (as amended by DS 002-2020-JUS);
Directiva 002-2023-PCM-SIP (PDUDC); LPAG 132 as fallback; EU Directive 2019/1937 art. 9 for the
acknowledgement (7 DC) and feedback (3 months) good-practice deadlines.

The identity of the complainant is sealed by the engine (reserva de identidad, DL 1327 art. 7): the
workflow only carries `anonymous` and the `identity_code` (código cifrado). Narrative, accused
persons, evidence and contact details are content fields, stored encrypted, never in task data.
"""

from __future__ import annotations

from engine.domain.forms import Choice, Field, Form
from workflows.base import WorkflowDefinition, bpmn_path

CHANNELS = (
    Choice("web", "Plataforma digital (PDUDC)", "Online platform (PDUDC)"),
    Choice("mesa_de_partes", "Mesa de partes", "Registry desk"),
    Choice("verbal", "Verbal (acta)", "Verbal (written record)"),
)
REASONS = (
    Choice("abuse_of_authority", "Abuso de autoridad", "Abuse of authority"),
    Choice("bribery", "Cohecho / soborno", "Bribery"),
    Choice("embezzlement", "Peculado / malversación", "Embezzlement"),
    Choice("collusion", "Colusión", "Collusion"),
    Choice("influence_peddling", "Tráfico de influencias", "Influence peddling"),
    Choice("conflict_of_interest", "Conflicto de intereses", "Conflict of interest"),
    Choice("nepotism", "Nepotismo", "Nepotism"),
    Choice("procurement_irregularity", "Irregularidad en contrataciones", "Procurement irregularity"),
    Choice("ethics_breach", "Infracción al Código de Ética", "Breach of the ethics code"),
    Choice("other", "Otro", "Other"),
)
ADMISSIBILITY = (
    Choice("admissible", "Admisible", "Admissible"),
    Choice("incomplete", "Incompleta: requiere subsanación", "Incomplete: needs correction"),
    Choice("not_corruption", "No es materia de corrupción", "Not a corruption matter"),
)
CLASSIFICATION = (
    Choice("corruption", "Presunto acto de corrupción", "Alleged act of corruption"),
    Choice("other", "Queja, reclamo u otra materia", "Grievance, claim or other matter"),
)
CORRUPTION_KINDS = (
    Choice("administrative_fault", "Falta administrativa", "Administrative fault"),
    Choice("ethics_breach", "Inconducta funcional / ética", "Ethics breach"),
    Choice("crime", "Presunto delito", "Alleged crime"),
)
BAD_FAITH_KINDS = (
    Choice("repeated", "Reitera una denuncia ya presentada", "Repeats a complaint already filed"),
    Choice("refiled_after_decision", "Reitera tras decisión firme", "Re-filed after a final decision"),
    Choice("baseless", "Sin fundamento (hechos falsos a sabiendas)", "Baseless (facts known to be untrue)"),
    Choice("false", "Falsa o fabricada", "False or fabricated"),
)
ROUTE_TARGETS = (
    Choice("st_pad", "Secretaría Técnica del PAD", "Disciplinary technical secretariat"),
    Choice("procuraduria", "Procuraduría Pública", "State attorney (Procuraduría)"),
    Choice("oci", "Órgano de Control Institucional", "Internal control office (OCI)"),
)
ACK_METHODS = (
    Choice("platform", "Plataforma / código de seguimiento", "Platform / tracking code"),
    Choice("email", "Correo electrónico", "E-mail"),
    Choice("sms", "SMS", "SMS"),
    Choice("in_person", "En persona / cargo", "In person / stamped copy"),
)


def _notes(name: str = "notes", es: str = "Observaciones", en: str = "Notes") -> Field:
    return Field(name, "textarea", es, en, required=False, content=True, max_length=20000)


START = Form(
    "denuncia_start",
    "Presentar una denuncia",
    "File a complaint",
    (
        Field("channel", "choice", "Canal", "Channel", choices=CHANNELS),
        Field("anonymous", "bool", "Denuncia anónima", "Anonymous complaint", required=False),
        Field("reason_categories", "multichoice", "Motivos (hasta 2)", "Reasons (up to 2)",
              choices=REASONS, max_choices=2),
        Field("unit_code", "text", "Unidad orgánica (código)", "Unit (code)", required=False, max_length=40),
        Field("fact_date", "date", "Fecha de los hechos (aproximada)", "Date of the facts (approximate)"),
        Field("protection_requested", "bool", "Solicito medidas de protección", "I request protection measures",
              required=False, help_es="Solo para denuncias identificadas.", help_en="Identified complaints only."),
        Field("narrative", "textarea", "Hechos", "Facts", content=True, max_length=20000),
        Field("accused", "textarea", "Personas denunciadas (nombre, cargo)", "Accused persons (name, role)",
              required=False, content=True, max_length=4000),
        Field("evidence", "textarea", "Pruebas o dónde se encuentran", "Evidence or where it is held",
              required=False, content=True, max_length=8000),
        Field("identity", "textarea", "Nombre y documento (reservados)", "Name and ID document (sealed)",
              required=False, content=True, max_length=400),
        Field("contact", "text", "Correo o teléfono (reservado)", "E-mail or phone (sealed)",
              required=False, content=True, max_length=200),
    ),
)

FORMS = (
    START,
    Form("register_complaint", "Registrar la denuncia", "Register the complaint", (
        Field("registry_number", "text", "N.° de registro de mesa de partes", "Registry number", max_length=40),
        Field("verbal_record", "bool", "Denuncia verbal recogida en acta", "Verbal complaint put in writing",
              required=False),
        _notes(),
    )),
    Form("acknowledge_receipt", "Acusar recibo", "Acknowledge receipt", (
        Field("ack_method", "choice", "Medio del acuse", "Acknowledgement method", choices=ACK_METHODS),
        Field("ack_date", "date", "Fecha del acuse", "Acknowledgement date"),
    )),
    Form("assess_admissibility", "Evaluar la admisibilidad", "Assess admissibility", (
        Field("admissibility", "choice", "Resultado", "Outcome", choices=ADMISSIBILITY),
        _notes("admissibility_reasons", "Fundamento", "Reasons"),
    )),
    Form("request_correction", "Pedir subsanación", "Request a correction", (
        Field("correction_requested_on", "date", "Fecha de notificación del pedido", "Request notified on"),
        Field("missing_items", "textarea", "Qué debe subsanarse", "What must be corrected", content=True,
              max_length=4000),
    )),
    Form("submit_correction", "Subsanar la denuncia", "Correct the complaint", (
        Field("corrected_on", "date", "Fecha de subsanación", "Corrected on"),
        Field("correction", "textarea", "Información adicional", "Additional information", content=True,
              max_length=20000),
    )),
    Form("classify", "Calificar la denuncia", "Classify the complaint", (
        Field("classification", "choice", "Calificación", "Classification", choices=CLASSIFICATION),
        Field("corruption_kinds", "multichoice", "Tipo (Anexo C)", "Kind (Annex C)", required=False,
              choices=CORRUPTION_KINDS),
        Field("bad_faith", "bool", "Denuncia de mala fe", "Bad-faith complaint", required=False),
        Field("bad_faith_kind", "choice", "Supuesto de mala fe", "Kind of bad faith", required=False,
              choices=BAD_FAITH_KINDS),
        _notes("classification_reasons", "Fundamento y materialidad", "Grounds and materiality"),
    )),
    Form("record_bad_faith", "Registrar la mala fe", "Record the bad-faith finding", (
        Field("bad_faith_referred_on", "date", "Derivada al órgano competente el", "Referred to the competent body on"),
        _notes("bad_faith_reasons", "Fundamento", "Reasons"),
    )),
    Form("derive_to_competent_unit", "Derivar a la unidad competente", "Derive to the competent unit", (
        Field("competent_unit_code", "text", "Unidad competente (código)", "Competent unit (code)", max_length=40),
        _notes("derivation_reason", "Motivo (se registra en la PDUDC)", "Reason (recorded on the PDUDC)"),
    )),
    Form("route", "Derivar la denuncia", "Route the complaint", (
        Field("route_targets", "multichoice", "Derivar a", "Route to", choices=ROUTE_TARGETS),
        _notes("routing_reasons", "Fundamento por materia", "Reasons by subject"),
    )),
    Form("send_feedback", "Informar al denunciante", "Give feedback to the complainant", (
        Field("feedback_sent_on", "date", "Fecha", "Date"),
        Field("feedback_message", "textarea", "Mensaje al denunciante", "Message to the complainant",
              content=True, max_length=8000),
    )),
)

STATUS_LABELS = {
    "register_complaint": ("Recibida en mesa de partes", "Received at the registry desk"),
    "acknowledge_receipt": ("Recibida", "Received"),
    "assess_admissibility": ("En evaluación", "Under assessment"),
    "request_correction": ("En evaluación", "Under assessment"),
    "submit_correction": ("Debe subsanar la denuncia", "You must correct the complaint"),
    "classify": ("En evaluación", "Under assessment"),
    "record_bad_faith": ("En evaluación", "Under assessment"),
    "derive_to_competent_unit": ("En derivación", "Being routed"),
    "route": ("En derivación", "Being routed"),
    "send_feedback": ("Derivada; se le informará", "Routed; you will be informed"),
    "end_archived_not_corrected": ("Archivada: no se subsanó", "Closed: not corrected"),
    "end_archived_bad_faith": ("Archivada: denuncia de mala fe", "Closed: bad-faith complaint"),
    "end_derived_competent_unit": ("Derivada a la unidad competente", "Sent to the competent unit"),
    "end_routed": ("Derivada a los órganos competentes (ST-PAD, Procuraduría u OCI)",
                   "Routed to the competent bodies (disciplinary secretariat, state attorney or OCI)"),
}

ENGINE_KEYS = frozenset({"tracking_code", "identity_code"})
SCRIPT_KEYS = frozenset({
    "received_on", "received_at", "admitted_on", "closure_reason", "routed_st_pad_at",
    "routed_procuraduria_at", "routed_oci_at", "routed_competent_unit_at",
})
DATA_KEYS = ENGINE_KEYS | SCRIPT_KEYS | frozenset().union(*(f.workflow_keys() for f in FORMS))

DEFINITION = WorkflowDefinition(
    process_id="denuncia",
    title_es="Denuncia",
    title_en="Complaint",
    bpmn_files=(bpmn_path("denuncia.bpmn"),),
    forms={f.id: f for f in FORMS},
    data_keys=DATA_KEYS,
    policies=(
        "denuncia.registro", "denuncia.subsanacion", "denuncia.evaluacion", "denuncia.acuse",
        "denuncia.retroalimentacion",
    ),
    start_form="denuncia_start",
    start_messages={"start_pad": "pad", "start_proteccion": "proteccion"},
    status_labels=STATUS_LABELS,
)
