"""Concurrent control (control concurrente): PROCESSES.md §4, model `bpmn/control_concurrente.bpmn`.

Legal basis: Ley 27785; Directiva 013-2022-CG/NORM "Servicio de Control Simultáneo" (RC 218-2022-CG);
follow-up procedure PR-SEIRR-03; Ley 31358. Most terms are UNKNOWN or unverified (T22, T23): the
policies `control.plan`, `control.informe_hito`, `control.plan_accion` and `control.informe_final`
hold engine defaults to be checked against the directive (PROCESSES.md §9.3).

The commission evaluates the control milestones (hitos) in order; `more_milestones` loops. Each
Informe de Hito de Control number ("N° NNN-YYYY-OCI/<code>-SCC") is an identifier, not content.
Descriptions of situaciones adversas, evidence and action owners are content fields.
"""

from __future__ import annotations

from engine.domain.forms import Choice, Field, Form
from workflows.base import WorkflowDefinition, bpmn_path

REPORT_NUMBER_PATTERN = r"^\d{3}-\d{4}-OCI/[0-9A-Z]+-SCC$"

MODALITIES = (
    Choice("control_concurrente", "Control concurrente", "Concurrent control"),
    Choice("visita_de_control", "Visita de control", "Control visit"),
    Choice("orientacion_de_oficio", "Orientación de oficio", "Ex officio guidance"),
)


def _date(name: str, es: str, en: str, required: bool = True) -> Field:
    return Field(name, "date", es, en, required=required)


def _code(name: str, es: str, en: str, required: bool = True, max_length: int = 60) -> Field:
    return Field(name, "text", es, en, required=required, max_length=max_length)


def _count(name: str, es: str, en: str, required: bool = True, minimum: int = 0) -> Field:
    return Field(name, "int", es, en, required=required, minimum=minimum, maximum=500)


def _text(name: str, es: str, en: str, required: bool = True) -> Field:
    return Field(name, "textarea", es, en, required=required, content=True, max_length=20000)


START = Form("control_start", "Registrar un servicio de control", "Register a control service", (
    _code("service_code", "Código del servicio", "Service code"),
    Field("modality", "choice", "Modalidad", "Modality", choices=MODALITIES),
    _code("investment_code", "Código único de inversión (CUI)", "Investment code (CUI)", required=False),
    _code("process_reference", "Proceso en curso (referencia)", "Process under way (reference)", required=False),
))

FORMS = (
    START,
    Form("approve_plan", "Aprobar el plan de control", "Approve the control plan", (
        _count("milestone_count", "N.° de hitos de control", "Number of control milestones", minimum=1),
        _date("plan_approved_on", "Fecha de aprobación", "Approved on"),
        _date("service_end_date", "Término previsto del servicio", "Planned end of the service", required=False),
        _text("plan_scope", "Alcance, objetivos, cronograma y procedimientos", "Scope, objectives, schedule"),
    )),
    Form("accredit_commission", "Acreditar la comisión", "Accredit the commission", (
        _code("accreditation_letter_number", "N.° de oficio de acreditación", "Accreditation letter number"),
        _date("accredited_on", "Recibido por el titular el", "Received by the entity head on"),
    )),
    Form("evaluate_milestone", "Evaluar el hito de control", "Evaluate the control milestone", (
        _count("milestone_number", "N.° de hito", "Milestone number", minimum=1),
        _date("milestone_date", "Fecha real del hito", "Actual milestone date"),
        Field("adverse_situations_found", "bool", "Se identificaron situaciones adversas",
              "Adverse situations were found", required=False),
        _count("adverse_situation_count", "N.° de situaciones adversas", "Number of adverse situations",
               required=False),
        Field("more_milestones", "bool", "Quedan hitos por evaluar después de este",
              "More milestones to evaluate after this one", required=False),
        _text("working_papers", "Situaciones adversas: descripción, riesgo y evidencia",
              "Adverse situations: description, risk, evidence", required=False),
    )),
    Form("issue_milestone_report", "Emitir el Informe de Hito de Control", "Issue the milestone report", (
        _code("milestone_report_number", "N.° de informe (NNN-AAAA-OCI/código-SCC)",
              "Report number (NNN-YYYY-OCI/code-SCC)", max_length=40),
        _date("milestone_report_date", "Fecha del informe", "Report date"),
        _code("milestone_letter_number", "N.° de oficio al titular", "Letter number to the entity head"),
    )),
    Form("submit_action_plan", "Remitir el plan de acción", "Submit the action plan", (
        _date("action_plan_submitted_on", "Fecha de remisión", "Submitted on"),
        _count("planned_action_count", "N.° de acciones", "Number of actions", minimum=1),
        _text("action_plan", "Acciones, responsables y plazos por situación", "Actions, owners and due dates"),
    )),
    Form("record_non_compliance", "Registrar el incumplimiento", "Record non-compliance", (
        _date("non_compliance_recorded_on", "Fecha", "Date"),
        Field("action_plan_overdue", "bool", "Plan de acción no remitido en plazo", "Action plan not sent in time",
              required=False),
    )),
    Form("follow_up_situations", "Seguimiento de situaciones adversas", "Follow up adverse situations", (
        _count("corrected_count", "Corregidas", "Corrected"),
        _count("in_progress_count", "En proceso", "In progress"),
        _count("not_addressed_count", "No atendidas", "Not addressed"),
        Field("more_time_requested", "bool", "La entidad pidió más plazo", "The entity asked for more time",
              required=False),
        _text("follow_up_notes", "Detalle por situación", "Detail per situation", required=False),
    )),
    Form("issue_final_report", "Emitir el informe final", "Issue the final report", (
        _code("final_report_number", "N.° de informe final", "Final report number", max_length=40),
        _date("final_report_date", "Fecha", "Date"),
        Field("refer_to_control_posterior", "bool", "Derivar situaciones no atendidas a control posterior",
              "Refer unaddressed situations to a later audit", required=False),
    )),
    Form("publish_report", "Publicar el informe", "Publish the report", (
        Field("published", "bool", "Publicado en el portal de la CGR", "Published on the CGR portal",
              required=False),
        _code("publication_url", "Dirección (URL) de la publicación", "Publication URL", required=False,
              max_length=300),
        _date("published_on", "Fecha de publicación", "Published on", required=False),
    )),
)

STATUS_LABELS = {
    "approve_plan": ("Plan de control en elaboración", "Control plan being drafted"),
    "accredit_commission": ("Acreditación de la comisión", "Accrediting the commission"),
    "evaluate_milestone": ("Evaluación del hito de control", "Evaluating the control milestone"),
    "issue_milestone_report": ("Informe de Hito de Control en emisión", "Milestone report being issued"),
    "submit_action_plan": ("Plan de acción pendiente de la entidad", "Action plan due from the entity"),
    "record_non_compliance": ("Plan de acción no remitido", "Action plan not sent"),
    "follow_up_situations": ("Seguimiento de situaciones adversas", "Following up adverse situations"),
    "issue_final_report": ("Informe final en emisión", "Final report being issued"),
    "publish_report": ("Por publicar", "To be published"),
    "end_published": ("Informe publicado", "Report published"),
    "end_closed_unpublished": ("Concluido sin publicar", "Closed, not published"),
}

DATA_KEYS = frozenset().union(*(f.workflow_keys() for f in FORMS))

DEFINITION = WorkflowDefinition(
    process_id="control_concurrente",
    title_es="Control concurrente",
    title_en="Concurrent control",
    bpmn_files=(bpmn_path("control_concurrente.bpmn"),),
    forms={f.id: f for f in FORMS},
    data_keys=DATA_KEYS,
    policies=("control.plan", "control.informe_hito", "control.plan_accion", "control.informe_final"),
    start_form="control_start",
    status_labels=STATUS_LABELS,
)
