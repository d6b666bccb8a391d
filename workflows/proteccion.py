"""Whistleblower protection measures (medidas de protección): PROCESSES.md §2, `bpmn/proteccion.bpmn`.

Legal basis: DL 1327 and DS 010-2017-JUS as amended (gob.pe/14228). The reserve of identity is
automatic and handled by the engine (§2.1); this process covers the *other* measures, which only
identified complainants and witnesses may request (§2.2). The OII weighs trascendencia, gravedad
and verosimilitud (§2.3) and decides within 15 DH of filing (T5, `proteccion.decision`).

Transfer of the complainant or the accused and paid leave last while the PAD lasts (§2.5, T6
`proteccion.medida_pad`, an event policy with no computed due date): the review task records
`pad_open`, and a PAD-bound measure is lifted when the PAD is no longer open. A bad-faith finding
(§2.6) suspends protection. The reasons on each criterion are content fields.
"""

from __future__ import annotations

from engine.domain.forms import Choice, Field, Form
from workflows.base import WorkflowDefinition, bpmn_path

REQUESTER_KINDS = (
    Choice("complainant", "Denunciante identificado", "Identified complainant"),
    Choice("witness", "Testigo", "Witness"),
)
MEASURES = (
    Choice("labour_transfer", "Traslado temporal (denunciante o denunciado)", "Temporary transfer"),
    Choice("contract_renewal", "Renovación de contrato, prácticas o voluntariado", "Contract or internship renewal"),
    Choice("paid_leave_accused", "Licencia con goce o dispensa del denunciado", "Paid leave of the accused"),
    Choice("procurement_safeguard", "Resguardo como postor o contratista", "Safeguard as bidder or contractor"),
    Choice("remove_procurement_officials", "Apartar a los funcionarios de la contratación",
           "Remove the officials running the procurement"),
    Choice("other", "Otra medida", "Other measure"),
)
DECISIONS = (
    Choice("grant", "Otorgar", "Grant"),
    Choice("deny", "Denegar", "Deny"),
)
UNITS = (
    Choice("hr", "Recursos humanos", "Human resources"),
    Choice("logistics", "Logística / abastecimiento", "Logistics / procurement"),
    Choice("other", "Otra unidad", "Other unit"),
)
REVIEW = (
    Choice("maintain", "Mantener (el riesgo persiste)", "Maintain (the risk persists)"),
    Choice("lift", "Levantar (cesó el riesgo)", "Lift (the risk ceased)"),
    Choice("suspend_bad_faith", "Suspender por mala fe", "Suspend for bad faith"),
)
BAD_FAITH_KINDS = (
    Choice("repeated", "Reitera una denuncia ya presentada", "Repeats a complaint already filed"),
    Choice("refiled_after_decision", "Reitera tras decisión firme", "Re-filed after a final decision"),
    Choice("baseless", "Sin fundamento", "Baseless"),
    Choice("false", "Falsa o fabricada", "False or fabricated"),
)


def _reason(name: str, es: str, en: str, required: bool = True) -> Field:
    return Field(name, "textarea", es, en, required=required, content=True, max_length=8000)


START = Form("proteccion_start", "Solicitar medidas de protección", "Request protection measures", (
    Field("requester_kind", "choice", "Solicitante", "Requester", choices=REQUESTER_KINDS),
    Field("identity_code", "text", "Código cifrado", "Identity code", max_length=40),
    Field("request_date", "date", "Fecha de la solicitud", "Request date"),
    Field("measures_requested", "multichoice", "Medidas solicitadas", "Measures requested", required=False,
          choices=MEASURES),
    _reason("risk_description", "Riesgo que enfrenta", "Risk faced"),
))

FORMS = (
    START,
    Form("evaluate_request", "Evaluar la solicitud", "Evaluate the request", (
        Field("trascendencia_met", "bool", "Trascendencia: riesgo real e inminente", "Real and imminent risk",
              required=False),
        _reason("trascendencia_reasons", "Fundamento (trascendencia)", "Reasons (risk)"),
        Field("gravedad_met", "bool", "Gravedad del posible daño", "Seriousness of the possible harm",
              required=False),
        _reason("gravedad_reasons", "Fundamento (gravedad)", "Reasons (seriousness)"),
        Field("verosimilitud_met", "bool", "Verosimilitud de los hechos", "Likelihood of the facts",
              required=False),
        _reason("verosimilitud_reasons", "Fundamento (verosimilitud)", "Reasons (likelihood)"),
        Field("hierarchical_relation", "bool", "Existe relación de subordinación o jerarquía",
              "There is a subordinate or hierarchical relation", required=False,
              help_es="Requisito de las medidas laborales.", help_en="Required for labour measures."),
        Field("decision", "choice", "Decisión", "Decision", choices=DECISIONS),
        Field("measures_granted", "multichoice", "Medidas otorgadas", "Measures granted", required=False,
              choices=MEASURES),
        Field("implementing_unit", "choice", "Unidad que ejecuta", "Implementing unit", required=False,
              choices=UNITS),
        Field("decision_date", "date", "Fecha de la decisión", "Decision date"),
    )),
    Form("apply_measures", "Aplicar las medidas", "Apply the measures", (
        Field("measures_start_date", "date", "Inicio de las medidas", "Measures start on"),
        _reason("application_notes", "Detalle de la ejecución", "How they were applied", required=False),
    )),
    Form("review_measures", "Revisar las medidas", "Review the measures", (
        Field("review_date", "date", "Fecha de revisión", "Review date"),
        Field("pad_open", "bool", "El PAD vinculado sigue abierto", "The linked PAD is still open", required=False),
        Field("retaliation_reported", "bool", "Se reportaron represalias", "Retaliation was reported",
              required=False),
        Field("review_decision", "choice", "Resultado", "Outcome", choices=REVIEW),
        Field("bad_faith_kind", "choice", "Supuesto de mala fe", "Kind of bad faith", required=False,
              choices=BAD_FAITH_KINDS),
        _reason("review_reasons", "Fundamento", "Reasons"),
    )),
    Form("lift_measures", "Levantar las medidas", "Lift the measures", (
        Field("measures_end_date", "date", "Fin de las medidas", "Measures end on"),
    )),
    Form("suspend_protection", "Suspender la protección", "Suspend protection", (
        Field("measures_end_date", "date", "Fin de las medidas", "Measures end on"),
        Field("referred_for_sanction", "bool", "Derivado para sanción (mala fe)", "Referred for sanction",
              required=False),
    )),
)

STATUS_LABELS = {
    "evaluate_request": ("Solicitud en evaluación", "Request under evaluation"),
    "apply_measures": ("Medidas otorgadas, en ejecución", "Measures granted, being applied"),
    "review_measures": ("Medidas vigentes", "Measures in force"),
    "lift_measures": ("Medidas por levantar", "Measures being lifted"),
    "suspend_protection": ("Protección en suspensión", "Protection being suspended"),
    "end_denied": ("Solicitud denegada", "Request denied"),
    "end_lifted": ("Medidas levantadas", "Measures lifted"),
    "end_suspended_bad_faith": ("Protección suspendida por mala fe", "Protection suspended for bad faith"),
}

SCRIPT_KEYS = frozenset({"pad_bound_measure", "origin"})
DATA_KEYS = SCRIPT_KEYS | frozenset().union(*(f.workflow_keys() for f in FORMS))

DEFINITION = WorkflowDefinition(
    process_id="proteccion",
    title_es="Medidas de protección",
    title_en="Protection measures",
    bpmn_files=(bpmn_path("proteccion.bpmn"),),
    forms={f.id: f for f in FORMS},
    data_keys=DATA_KEYS,
    policies=("proteccion.decision", "proteccion.medida_pad", "proteccion.revision"),
    start_form="proteccion_start",
    status_labels=STATUS_LABELS,
)
