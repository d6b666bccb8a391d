"""SLA policies (workflows/policies.toml) and due-date computation.

Expected dates are worked out by hand from LPAG 133-134/140.1 and a printed calendar; see the
holiday list in test_business_days.py. Lima is UTC-5: the end of day D in Lima is 05:00 UTC of D+1.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.business_days import BusinessCalendar
from engine.domain.sla import (
    LIMA,
    InvalidPolicies,
    PolicySet,
    SlaPolicy,
    Unit,
    WorkingCalendar,
    compute_due,
    reminder_instants,
)
from engine.errors import InvalidInput, NotFound

POLICY_FILE = Path(__file__).resolve().parents[2] / "workflows" / "policies.toml"

UNKNOWN_DEFAULTS = [
    "denuncia.subsanacion",  # T3
    "denuncia.evaluacion",  # T4
    "proteccion.revision",
    "pad.notificar_resolucion",  # T17
    "control.plan_accion",  # T22 (figure not verified)
    "control.plan",  # T23
    "control.informe_hito",  # T23
    "control.informe_final",  # T23
]

REQUIRED_IDS = [
    "denuncia.registro",
    "denuncia.subsanacion",
    "denuncia.evaluacion",
    "denuncia.acuse",
    "denuncia.retroalimentacion",
    "denuncia.canal_externo",
    "proteccion.decision",
    "proteccion.medida_pad",
    "proteccion.revision",
    "pad.prescripcion_comision",
    "pad.prescripcion_conocimiento",
    "pad.prescripcion_ex_servidor",
    "pad.prescripcion_procedimiento",
    "pad.resolver",
    "pad.descargos",
    "pad.prorroga",
    "pad.notificar_informe",
    "pad.informe_oral",
    "pad.resolucion",
    "pad.notificar_resolucion",
    "pad.impugnacion",
    "pad.resolver_apelacion",
    "pad.resolver_reconsideracion",
    "pad.rnssc",
    "pad.reprac",
    "control.plan_accion",
    "control.plan",
    "control.informe_hito",
    "control.informe_final",
]


def lima(*args: int) -> datetime:
    return datetime(*args, tzinfo=LIMA)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return PolicySet.from_toml(POLICY_FILE)


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar()


# ─── the shipped file ──────────────────────────────────────────────────────────────────────────


def test_every_timer_of_the_table_is_present(policies):
    assert policies.timers() == {f"T{i}" for i in range(1, 27)}


def test_the_ids_the_bpmn_calls_are_present(policies):
    missing = [i for i in REQUIRED_IDS if i not in policies]
    assert missing == []


@pytest.mark.parametrize("policy_id", UNKNOWN_DEFAULTS)
def test_unknown_defaults_are_not_verified(policies, policy_id):
    assert policies.get(policy_id).verified is False


def test_low_confidence_figures_are_never_verified(policies):
    assert [p.id for p in policies if p.confidence == "L" and p.verified] == []


@pytest.mark.parametrize(
    ("policy_id", "timer", "length", "unit"),
    [
        ("denuncia.registro", "T1", 0, Unit.BUSINESS_DAYS),
        ("denuncia.codigo_seguimiento", "T2", 0, Unit.IMMEDIATE),
        ("denuncia.subsanacion", "T3", 3, Unit.BUSINESS_DAYS),
        ("denuncia.evaluacion", "T4", 3, Unit.BUSINESS_DAYS),
        ("proteccion.decision", "T5", 15, Unit.BUSINESS_DAYS),
        ("proteccion.medida_pad", "T6", 0, Unit.EVENT),
        ("pad.prescripcion_comision", "T7", 3, Unit.YEARS),
        ("pad.prescripcion_conocimiento", "T8", 1, Unit.YEARS),
        ("pad.prescripcion_ex_servidor", "T9", 2, Unit.YEARS),
        ("pad.prescripcion_procedimiento", "T10", 1, Unit.YEARS),
        ("pad.resolver", "T11", 30, Unit.BUSINESS_DAYS),
        ("pad.descargos", "T12", 5, Unit.BUSINESS_DAYS),
        ("pad.prorroga", "T13", 2, Unit.BUSINESS_DAYS),
        ("pad.notificar_informe", "T14", 2, Unit.BUSINESS_DAYS),
        ("pad.informe_oral", "T15", 3, Unit.BUSINESS_DAYS),
        ("pad.resolucion", "T16", 10, Unit.BUSINESS_DAYS),
        ("pad.notificar_resolucion", "T17", 5, Unit.BUSINESS_DAYS),
        ("pad.impugnacion", "T18", 15, Unit.BUSINESS_DAYS),
        ("pad.resolver_apelacion", "T19", 30, Unit.BUSINESS_DAYS),
        ("pad.resolver_reconsideracion", "T19", 15, Unit.BUSINESS_DAYS),
        ("pad.rnssc", "T20", 1, Unit.BUSINESS_DAYS),
        ("pad.reprac", "T21", 3, Unit.MONTHS),
        ("control.plan_accion", "T22", 5, Unit.BUSINESS_DAYS),
        ("denuncia.acuse", "T24", 7, Unit.CALENDAR_DAYS),
        ("denuncia.retroalimentacion", "T25", 3, Unit.MONTHS),
        ("denuncia.canal_externo", "T26", 3, Unit.MONTHS),
    ],
)
def test_default_figures_follow_processes_section_6(policies, policy_id, timer, length, unit):
    policy = policies.get(policy_id)
    assert (policy.timer, policy.length, policy.unit) == (timer, length, unit)


@pytest.mark.parametrize(
    "policy_id",
    ["pad.prescripcion_comision", "pad.prescripcion_conocimiento", "pad.prescripcion_procedimiento"],
)
def test_prescription_clocks_remind_at_60_30_10_calendar_days(policies, policy_id):
    policy = policies.get(policy_id)
    assert policy.reminders == (60, 30, 10)
    assert policy.reminder_unit is Unit.CALENDAR_DAYS


def test_every_overdue_timer_escalates_to_a_superior_or_is_the_partys_own_term(policies):
    for policy in policies:
        if policy.unit is Unit.IMMEDIATE:
            continue
        assert policy.escalation[0] == "assignee", policy.id


def test_policies_are_frozen_and_units_are_strings(policies):
    policy = policies.get("pad.descargos")
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.length = 1  # type: ignore[misc]
    assert Unit("months") == "months"


def test_unknown_policy_is_not_found(policies):
    with pytest.raises(NotFound, match="pad.nope"):
        policies.get("pad.nope")


def test_ids_keep_file_order(policies):
    assert policies.ids()[0] == "denuncia.registro"
    assert len(policies.ids()) == len(policies) == len(set(policies.ids()))


def test_business_calendar_satisfies_the_protocol():
    members = [name for name in vars(WorkingCalendar) if not name.startswith("_")]
    assert members and all(callable(getattr(BusinessCalendar, name)) for name in members)


# ─── validation ────────────────────────────────────────────────────────────────────────────────

GOOD = """
[[policy]]
id = "demo.ok"
timer = "T4"
title_es = "Demo"
title_en = "Demo"
length = 3
unit = "business_days"
starts = "now"
reminders = [1]
reminder_unit = "business_days"
escalation = ["assignee", "superior"]
on_missed = "escalate"
basis = "LPAG 132.2"
confidence = "M"
verified = true
"""


def test_a_minimal_file_loads_and_notes_default_to_empty():
    policy = PolicySet.from_text(GOOD).get("demo.ok")
    assert policy.notes == "" and policy.escalation == ("assignee", "superior")


def test_every_problem_is_listed_at_once():
    bad = (
        GOOD.replace('\nunit = "business_days"', '\nunit = "fortnights"')
        + GOOD.replace("length = 3", "length = -2")
        + GOOD.replace('id = "demo.ok"', 'id = "demo.other"').replace('basis = "LPAG 132.2"\n', "")
        + GOOD.replace('confidence = "M"', 'confidence = "L"').replace('id = "demo.ok"', 'id = "demo.low"')
    )
    with pytest.raises(InvalidPolicies) as caught:
        PolicySet.from_text(bad, source="bad.toml")
    problems = caught.value.problems
    text = str(caught.value)
    assert text.startswith("bad.toml: ")
    assert any("unknown unit 'fortnights'" in p for p in problems)
    assert any("policy #2 (demo.ok): length must not be negative" in p for p in problems)
    assert any("policy #3 (demo.other): missing field 'basis'" in p for p in problems)
    assert any("policy #4 (demo.low): a confidence-L figure cannot be verified" in p for p in problems)
    assert any("duplicate id 'demo.ok'" in p for p in problems)
    assert len(problems) == 5
    assert isinstance(caught.value, InvalidInput)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[policy]\n", "not valid TOML"),
        ("title = 'nothing'\n", r"no \[\[policy\]\] entries"),
        (GOOD.replace("length = 3", "length = true"), "'length' must be of type int"),
        (GOOD.replace("verified = true", "verified = true\ncolour = 'red'"), "unknown field 'colour'"),
        (GOOD.replace('timer = "T4"', 'timer = "4"'), "timer must be a T-number"),
        (GOOD.replace('id = "demo.ok"', 'id = "Demo"'), "id must look like 'process.name'"),
        (GOOD.replace('\nunit = "business_days"', '\nunit = "event"'), "must have length 0"),
        (GOOD.replace("reminders = [1]", "reminders = [-1]"), "non-negative"),
        (GOOD.replace('reminder_unit = "business_days"', 'reminder_unit = "years"'), "reminder_unit"),
        (GOOD.replace('starts = "now"', 'starts = " "'), "'starts' must not be empty"),
        ("extra = 1\n" + GOOD, "top-level key 'extra'"),
    ],
)
def test_invalid_entries_are_rejected_clearly(text, message):
    with pytest.raises(InvalidInput, match=message):
        PolicySet.from_text(text)


def test_missing_file_is_invalid_input(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read"):
        PolicySet.from_toml(tmp_path / "absent.toml")


# ─── compute_due ───────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("policy_id", "start", "due"),
    [
        # T12, 5 DH from Th 24 Jul 2025: F 25(1); 28-29 hol; We 30(2) Th 31(3) F 1(4) Mon 4 Aug(5)
        ("pad.descargos", lima(2025, 7, 24, 10), utc(2025, 8, 5, 5)),
        # 22:00 Lima on the 24th is already the 25th in UTC: the Lima date (24th) governs
        ("pad.descargos", utc(2025, 7, 25, 3), utc(2025, 8, 5, 5)),
        # T1 same day, received on Mon 28 Jul 2025 (holiday): 29 hol, We 30
        ("denuncia.registro", lima(2025, 7, 28, 9), utc(2025, 7, 31, 5)),
        # T24, 7 DC from Mon 21 Jul 2025 = Mon 28 hol; 29 hol; We 30
        ("denuncia.acuse", lima(2025, 7, 21, 12), utc(2025, 7, 31, 5)),
        # T25, 3 months from 30 Nov 2025: no 30 Feb 2026, Su 1 Mar, Mon 2 Mar
        ("denuncia.retroalimentacion", lima(2025, 11, 30, 16), utc(2026, 3, 3, 5)),
        # T7, 3 years from 28 Jul 2023: Tu 28 Jul 2026 hol, We 29 hol, Th 30
        ("pad.prescripcion_comision", lima(2023, 7, 28, 8), utc(2026, 7, 31, 5)),
        # T5, 15 DH from Mon 2 Jun 2025: see test_business_days (23 Jun)
        ("proteccion.decision", lima(2025, 6, 2, 11), utc(2025, 6, 24, 5)),
        # T21, 3 months from 1 Apr 2025: Tu 1 Jul 2025
        ("pad.reprac", lima(2025, 4, 1, 0), utc(2025, 7, 2, 5)),
    ],
)
def test_compute_due(policies, cal, policy_id, start, due):
    assert compute_due(policies.get(policy_id), start, cal) == due


def test_immediate_is_due_at_the_start(policies, cal):
    start = lima(2025, 3, 5, 10, 30)
    assert compute_due(policies.get("denuncia.codigo_seguimiento"), start, cal) == utc(2025, 3, 5, 15, 30)


def test_event_driven_policy_has_no_due_date(policies, cal):
    with pytest.raises(InvalidInput, match="event-driven"):
        compute_due(policies.get("proteccion.medida_pad"), lima(2025, 3, 5, 10), cal)


def test_naive_start_is_rejected(policies, cal):
    with pytest.raises(InvalidInput, match="timezone-aware"):
        compute_due(policies.get("pad.descargos"), datetime(2025, 3, 5, 10), cal)  # noqa: DTZ001


def test_entity_non_working_days_are_honoured(policies):
    cal = BusinessCalendar(extra_non_working=[datetime(2025, 8, 1).date()])
    # Th 24; F 25(1); 28-29 hol; 30(2) 31(3); F 1 Aug closed; Mon 4(4) Tu 5(5)
    assert compute_due(policies.get("pad.descargos"), lima(2025, 7, 24, 10), cal) == utc(2025, 8, 6, 5)


# ─── overrides ─────────────────────────────────────────────────────────────────────────────────


def test_overrides_return_a_new_set(policies, cal):
    custom = policies.with_overrides({"pad.descargos": 10, "denuncia.canal_externo": 6})
    assert custom.get("pad.descargos").length == 10
    assert custom.get("denuncia.canal_externo").length == 6
    assert policies.get("pad.descargos").length == 5
    assert custom.ids() == policies.ids()
    # 10 DH from Th 24 Jul 2025: ... Mon 4 Aug(5) Tu 5(6); We 6 hol; Th 7(7) F 8(8) Mon 11(9) Tu 12(10)
    assert compute_due(custom.get("pad.descargos"), lima(2025, 7, 24, 10), cal) == utc(2025, 8, 13, 5)


def test_bad_overrides_are_all_reported(policies):
    with pytest.raises(InvalidPolicies) as caught:
        policies.with_overrides(
            {"pad.nope": 3, "pad.descargos": -1, "pad.resolver": True, "proteccion.medida_pad": 5}
        )
    problems = caught.value.problems
    assert len(problems) == 4
    assert "unknown policy 'pad.nope'" in problems[0]
    assert "non-negative integer" in problems[1] and "non-negative integer" in problems[2]
    assert "has no length" in problems[3]


# ─── reminders ─────────────────────────────────────────────────────────────────────────────────


def test_t7_reminders_at_60_30_10_calendar_days(policies, cal):
    policy = policies.get("pad.prescripcion_comision")
    due = compute_due(policy, lima(2023, 7, 28, 8), cal)  # last day Th 30 Jul 2026
    assert reminder_instants(policy, due, cal) == [
        utc(2026, 5, 29, 13),  # 60 DC before = Su 31 May 2026 -> back to F 29 May, 08:00 Lima
        utc(2026, 6, 30, 13),  # 30 DC before = Tu 30 Jun 2026, 08:00 Lima
        utc(2026, 7, 20, 13),  # 10 DC before = Mon 20 Jul 2026, 08:00 Lima
    ]


def test_business_day_reminders(policies, cal):
    policy = policies.get("denuncia.evaluacion")  # 3 DH, reminders [2, 1]
    start = lima(2025, 7, 22, 10)
    due = compute_due(policy, start, cal)  # Tu 22; We 23 hol; Th 24(1) F 25(2); 28-29 hol; We 30(3)
    assert due == utc(2025, 7, 31, 5)
    # 1 DH before We 30 = F 25 (28-29 hol, weekend); 2 DH before = Th 24
    expected = [utc(2025, 7, 24, 13), utc(2025, 7, 25, 13)]
    assert reminder_instants(policy, due, cal, not_before=start) == expected
    assert reminder_instants(policy, due, cal, not_before=utc(2025, 7, 25)) == [utc(2025, 7, 25, 13)]


def test_same_day_reminder_is_dropped_when_it_is_already_past(policies, cal):
    policy = policies.get("denuncia.registro")  # T1, reminder [0] at 08:00 of the day
    start = lima(2025, 3, 5, 9)
    due = compute_due(policy, start, cal)
    assert due == utc(2025, 3, 6, 5)
    assert reminder_instants(policy, due, cal) == [utc(2025, 3, 5, 13)]
    assert reminder_instants(policy, due, cal, not_before=start) == []


def test_reminders_are_before_the_due_instant(policies, cal):
    start = lima(2025, 12, 1, 9)
    for policy in policies:
        if policy.unit in (Unit.EVENT, Unit.IMMEDIATE):
            continue
        due = compute_due(policy, start, cal)
        instants = reminder_instants(policy, due, cal)
        assert instants == sorted(instants)
        assert all(moment < due and moment.tzinfo is not None for moment in instants), policy.id
        assert due - start < timedelta(days=3 * 366 + 10)


def test_slapolicy_is_constructible_directly():
    policy = SlaPolicy(
        id="x.y",
        timer="",
        title_es="x",
        title_en="x",
        length=2,
        unit=Unit.CALENDAR_DAYS,
        starts="x",
        reminders=(),
        reminder_unit=Unit.CALENDAR_DAYS,
        escalation=(),
        on_missed="x",
        basis="x",
        confidence="L",
        verified=False,
    )
    assert policy.computable
