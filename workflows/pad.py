"""Disciplinary procedure (PAD): PROCESSES.md §3, model `bpmn/pad.bpmn`.

Legal basis: Ley 30057 (LSC) arts. 89-94, DS 040-2014-PCM (RGLSC) arts. 97-119, Directiva
02-2015-SERVIR/GPGSC, Sala Plena 001-2016 and 002-2024-SERVIR/TSC, LPAG 207.2 and 216.

Authorities depend on the likely sanction (LSC 89-90, 93). The BPMN has one lane per authority
role; `sanction_level` (set at precalification, confirmed when the PAD is opened) records which
concrete authority acts in each lane:

| sanction_level | instructing_authority | deciding_authority | appeal_body |
|---|---|---|---|
| reprimand  | direct superior | direct superior (formalised by HR) | head of HR |
| suspension | direct superior | head of HR | Tribunal del Servicio Civil |
| dismissal  | head of HR | head of the entity | Tribunal del Servicio Civil |

Prescription (LSC 94, RGLSC 97): T7 (3 years from the fault) and T8 (1 year from knowledge; T9,
2 years, for former servants) run until the opening act is notified; T10 (1 year) from that
notification to the resolution. Each is a non-interrupting boundary timer on the stage it bounds;
when it fires, the entity head declares the prescription and the case ends (terminate end event),
or records that it does not apply and the PAD goes on. Closing the stage cancels the clock.

`corruption_linked` marks the PADs reported to REPRAC (see workflows/reprac.py).
"""

from __future__ import annotations

from engine.domain.forms import Choice, Field, Form
from workflows.base import WorkflowDefinition, bpmn_path

AUTHORITIES = {
    "reprimand": {"instructing_authority": "direct_superior", "deciding_authority": "direct_superior",
                  "appeal_body": "head_of_hr"},
    "suspension": {"instructing_authority": "direct_superior", "deciding_authority": "head_of_hr",
                   "appeal_body": "tsc"},
    "dismissal": {"instructing_authority": "head_of_hr", "deciding_authority": "entity_head",
                  "appeal_body": "tsc"},
}

ORIGINS = (
    Choice("denuncia", "Denuncia", "Complaint"),
    Choice("informe_de_control", "Informe de control", "Audit report"),
    Choice("report", "Reporte de un órgano o servidor", "Report by a unit or servant"),
    Choice("de_oficio", "De oficio", "Own initiative"),
)
REGIMES = (
    Choice("dl_276", "D. Leg. 276", "DL 276"),
    Choice("dl_728", "D. Leg. 728", "DL 728"),
    Choice("dl_1057", "CAS (D. Leg. 1057)", "CAS (DL 1057)"),
    Choice("ley_30057", "Servicio civil (Ley 30057)", "Civil service (Ley 30057)"),
    Choice("other", "Otro", "Other"),
)
LEVELS = (
    Choice("reprimand", "Amonestación escrita", "Written reprimand"),
    Choice("suspension", "Suspensión sin goce", "Suspension without pay"),
    Choice("dismissal", "Destitución", "Dismissal"),
)
SANCTIONS = (Choice("none", "Ninguna", "None"), *LEVELS)
RECOMMENDATION = (
    Choice("open", "Iniciar PAD", "Open a PAD"),
    Choice("archive", "Archivar", "Archive"),
)
PRECAUTIONS = (
    Choice("none", "Ninguna", "None"),
    Choice("separation", "Separación de funciones", "Separation from duties"),
    Choice("exemption", "Exoneración de asistencia", "Exemption from attending"),
)
DEFENCE = (
    Choice("submitted", "Presentó descargos", "Defence filed"),
    Choice("extension_requested", "Solicitó prórroga", "Asked for an extension"),
)
OUTCOMES = (
    Choice("sanction", "Sanción", "Sanction"),
    Choice("no_sanction", "No ha lugar / archivo", "No sanction / archive"),
)
CHALLENGES = (
    Choice("reconsideration", "Reconsideración", "Reconsideration"),
    Choice("appeal", "Apelación", "Appeal"),
)
APPEAL_RESULTS = (
    Choice("upheld", "Infundado: se confirma", "Dismissed: sanction upheld"),
    Choice("modified", "Fundado en parte: se modifica", "Partly allowed: sanction modified"),
    Choice("revoked", "Fundado: se revoca", "Allowed: sanction revoked"),
)
CLOCKS = tuple(Choice(c, c, c) for c in ("T7", "T8", "T9", "T10"))


def _date(name: str, es: str, en: str, required: bool = True) -> Field:
    return Field(name, "date", es, en, required=required)


def _text(name: str, es: str, en: str, required: bool = True) -> Field:
    return Field(name, "textarea", es, en, required=required, content=True, max_length=20000)


def _code(name: str, es: str, en: str, required: bool = True) -> Field:
    return Field(name, "text", es, en, required=required, max_length=60)


START = Form("pad_start", "Iniciar un expediente PAD", "Open a PAD file", (
    Field("origin", "choice", "Origen", "Origin", choices=ORIGINS),
    _date("knowledge_date", "Fecha de toma de conocimiento (RR. HH. / ST)", "Date HR or the ST learned of it"),
    _date("fault_date", "Fecha de comisión de la falta", "Date the fault was committed", required=False),
    Field("corruption_linked", "bool", "Vinculado a corrupción (REPRAC)", "Linked to corruption (REPRAC)",
          required=False),
    _code("origin_reference", "Referencia del documento de origen", "Reference of the source document", False),
))

FORMS = (
    START,
    Form("register_file", "Registrar el expediente", "Register the file", (
        _code("st_file_number", "N.° de expediente de la ST", "ST file number"),
        _date("knowledge_date", "Fecha de toma de conocimiento", "Knowledge date"),
        _date("fault_date", "Fecha de comisión de la falta", "Date of the fault"),
        Field("former_servant", "bool", "El denunciado ya no es servidor", "The accused is a former servant",
              required=False),
        Field("corruption_linked", "bool", "Vinculado a corrupción (REPRAC)", "Linked to corruption (REPRAC)",
              required=False),
        Field("accused_regime", "choice", "Régimen laboral del denunciado", "Accused's labour regime",
              choices=REGIMES),
        _code("accused_role_code", "Cargo (código)", "Role (code)"),
        _code("accused_unit_code", "Unidad orgánica (código)", "Unit (code)"),
        _text("accused_identity", "Nombre y DNI del servidor", "Servant's name and ID number"),
    )),
    Form("precalify", "Informe de precalificación", "Precalification report", (
        Field("precalification_result", "choice", "Recomendación", "Recommendation", choices=RECOMMENDATION),
        _code("fault_code", "Falta imputable (art. 85 LSC, literal)", "Fault charged (LSC art. 85 item)", False),
        Field("sanction_level", "choice", "Posible sanción (define autoridades)", "Likely sanction (sets authorities)",
              choices=LEVELS),
        _date("precalification_date", "Fecha del informe", "Report date"),
        _text("precalification_report", "Informe", "Report"),
    )),
    Form("decide_opening", "Decidir inicio o archivo", "Decide to open or archive", (
        Field("opening_decision", "choice", "Decisión", "Decision", choices=RECOMMENDATION),
        Field("sanction_level", "choice", "Posible sanción", "Likely sanction", choices=LEVELS),
        _code("opening_act_number", "N.° del acto de inicio", "Opening act number", False),
        _text("opening_reasons", "Fundamento (si se aparta de la ST)", "Reasons (if departing from the ST)", False),
    )),
    Form("notify_charges", "Notificar el inicio del PAD", "Notify the opening of the PAD", (
        _date("opening_notified_on", "Fecha de notificación", "Notified on"),
        Field("precautionary_measure", "choice", "Medida cautelar", "Precautionary measure", choices=PRECAUTIONS),
    )),
    Form("record_defence", "Recibir descargos", "Receive the defence", (
        Field("defence_action", "choice", "El servidor", "The servant", choices=DEFENCE),
        _date("defence_date", "Fecha de presentación", "Filed on"),
        _text("defence_summary", "Resumen de los descargos", "Summary of the defence", False),
    )),
    Form("answer_extension", "Responder la prórroga", "Answer the extension request", (
        Field("extension_granted", "bool", "Prórroga otorgada", "Extension granted", required=False),
        _date("extension_answered_on", "Fecha de respuesta", "Answered on"),
    )),
    Form("record_defence_extended", "Recibir descargos (prórroga)", "Receive the defence (extension)", (
        _date("defence_date", "Fecha de presentación", "Filed on"),
        _text("defence_summary", "Resumen de los descargos", "Summary of the defence", False),
    )),
    Form("issue_instruction_report", "Informe del órgano instructor", "Instruction report", (
        Field("sanction_proposed", "choice", "Sanción propuesta", "Sanction proposed", choices=SANCTIONS),
        Field("suspension_days_proposed", "int", "Días de suspensión propuestos", "Suspension days proposed",
              required=False, minimum=1, maximum=365),
        _date("instruction_report_date", "Fecha de recepción por el órgano sancionador",
              "Received by the deciding authority on"),
        _text("instruction_report", "Informe", "Report"),
    )),
    Form("notify_instruction_report", "Notificar el informe", "Notify the report", (
        _date("report_notified_on", "Fecha de notificación", "Notified on"),
    )),
    Form("record_hearing_request", "Solicitud de informe oral", "Oral hearing request", (
        Field("hearing_requested", "bool", "Solicitó informe oral", "Oral hearing requested", required=False),
        _date("hearing_requested_on", "Fecha de la solicitud", "Requested on", required=False),
    )),
    Form("hold_oral_hearing", "Informe oral", "Oral hearing", (
        _date("hearing_date", "Fecha del informe oral", "Hearing date"),
        _text("hearing_minutes", "Acta", "Minutes", False),
    )),
    Form("issue_resolution", "Emitir la resolución", "Issue the resolution", (
        Field("resolution_outcome", "choice", "Resultado", "Outcome", choices=OUTCOMES),
        Field("sanction_imposed", "choice", "Sanción impuesta", "Sanction imposed", choices=SANCTIONS),
        Field("suspension_days", "int", "Días de suspensión", "Suspension days", required=False, minimum=1,
              maximum=365),
        _code("resolution_number", "N.° de resolución", "Resolution number"),
        _date("resolution_date", "Fecha de la resolución", "Resolution date"),
        _text("resolution_reasons", "Fundamentos", "Grounds", False),
    )),
    Form("notify_resolution", "Notificar la resolución", "Notify the resolution", (
        _date("resolution_notified_on", "Fecha de notificación", "Notified on"),
    )),
    Form("record_challenge", "Registrar el recurso", "Record the challenge", (
        Field("challenge", "choice", "Recurso", "Challenge", choices=CHALLENGES),
        _date("challenge_filed_on", "Fecha de presentación", "Filed on"),
    )),
    Form("decide_reconsideration", "Resolver la reconsideración", "Decide the reconsideration", (
        Field("reconsideration_result", "choice", "Resultado", "Outcome", choices=APPEAL_RESULTS),
        _date("reconsideration_notified_on", "Fecha de notificación", "Notified on"),
    )),
    Form("record_appeal", "Registrar la apelación", "Record the appeal", (
        _date("challenge_filed_on", "Fecha de presentación", "Filed on"),
    )),
    Form("decide_appeal", "Resolver la apelación", "Decide the appeal", (
        Field("appeal_result", "choice", "Resultado", "Outcome", choices=APPEAL_RESULTS),
        _code("appeal_resolution_number", "N.° de resolución", "Resolution number", False),
        _date("appeal_decided_on", "Fecha de la resolución", "Decided on"),
    )),
    Form("register_rnssc", "Inscribir en el RNSSC", "Register in the RNSSC", (
        _code("rnssc_entry_id", "N.° de inscripción RNSSC", "RNSSC entry id"),
        _date("rnssc_registered_on", "Fecha de inscripción", "Registered on"),
    )),
    Form("declare_prescription", "Declarar la prescripción", "Declare prescription", (
        Field("prescription_declared", "bool", "Se declara prescrita la potestad", "Prescription declared",
              required=False),
        Field("prescription_clock", "choice", "Plazo vencido", "Clock expired", choices=CLOCKS),
        _code("prescription_resolution_number", "N.° de resolución", "Resolution number", False),
        _text("prescription_reasons", "Fundamento (y deslinde de responsabilidades)", "Reasons", False),
    )),
)

_STEP = {
    "register_file": ("En la Secretaría Técnica", "At the technical secretariat"),
    "precalify": ("En precalificación", "Being precalified"),
    "decide_opening": ("Por decidir el inicio", "Awaiting the opening decision"),
    "notify_charges": ("Por notificar el inicio", "Opening to be notified"),
    "record_defence": ("Plazo de descargos", "Defence period"),
    "answer_extension": ("Prórroga solicitada", "Extension requested"),
    "record_defence_extended": ("Plazo de descargos (prórroga)", "Defence period (extended)"),
    "issue_instruction_report": ("En instrucción", "Instruction phase"),
    "notify_instruction_report": ("Informe de instrucción emitido", "Instruction report issued"),
    "record_hearing_request": ("Plazo para pedir informe oral", "Period to request a hearing"),
    "hold_oral_hearing": ("Informe oral programado", "Oral hearing scheduled"),
    "issue_resolution": ("Por resolver", "Awaiting the resolution"),
    "notify_resolution": ("Resolución emitida", "Resolution issued"),
    "record_challenge": ("Plazo para impugnar", "Period to challenge"),
    "decide_reconsideration": ("Reconsideración en trámite", "Reconsideration pending"),
    "record_appeal": ("Plazo para apelar", "Period to appeal"),
    "decide_appeal": ("Apelación en trámite", "Appeal pending"),
    "register_rnssc": ("Sanción firme: por inscribir", "Final sanction: to be registered"),
    "declare_prescription": ("Prescripción por declarar", "Prescription to be declared"),
}
_ENDS = {
    "end_archived": ("Archivado sin iniciar PAD", "Archived without opening a PAD"),
    "end_no_sanction": ("Concluido sin sanción", "Closed without sanction"),
    "end_revoked_on_reconsideration": ("Sanción revocada en reconsideración", "Sanction revoked on reconsideration"),
    "end_revoked_on_appeal": ("Sanción revocada en apelación", "Sanction revoked on appeal"),
    "end_sanctioned": ("Sanción firme inscrita en el RNSSC", "Final sanction registered in the RNSSC"),
    "end_prescribed": ("Declarado prescrito", "Declared time-barred"),
}
STATUS_LABELS = {**_STEP, **_ENDS}

SCRIPT_KEYS = frozenset({"extension_granted", "sanction_final_on", "prescription_clock"})
DATA_KEYS = SCRIPT_KEYS | frozenset().union(*(f.workflow_keys() for f in FORMS))

DEFINITION = WorkflowDefinition(
    process_id="pad",
    title_es="Procedimiento administrativo disciplinario",
    title_en="Disciplinary procedure",
    bpmn_files=(bpmn_path("pad.bpmn"),),
    forms={f.id: f for f in FORMS},
    data_keys=DATA_KEYS,
    policies=(
        "pad.prescripcion_comision", "pad.prescripcion_conocimiento", "pad.prescripcion_ex_servidor",
        "pad.prescripcion_procedimiento", "pad.resolver", "pad.descargos", "pad.prorroga",
        "pad.notificar_informe", "pad.informe_oral", "pad.resolucion", "pad.notificar_resolucion",
        "pad.impugnacion", "pad.resolver_apelacion", "pad.resolver_reconsideracion", "pad.rnssc", "pad.reprac",
    ),
    start_form="pad_start",
    status_labels=STATUS_LABELS,
)
