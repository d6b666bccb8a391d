"""Shared test helpers: the fixture process definition and engine builders."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from engine.domain.forms import Choice, Field, Form
from engine.testing import make_engine
from workflows.base import WorkflowDefinition

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_BPMN = FIXTURES / "fixture.bpmn"
# Monday 3 March 2025, 10:00 in Lima.
MONDAY = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)

FIXTURE_DEFINITION = WorkflowDefinition(
    process_id="fixture",
    title_es="Proceso de prueba",
    title_en="Fixture process",
    bpmn_files=(FIXTURE_BPMN,),
    data_keys=frozenset({"admissible", "channel", "stamped_at"}),
    forms={
        "review": Form("review", "Revisar", "Review", (
            Field("admissible", "choice", "¿Admisible?", "Admissible?",
                  choices=(Choice("yes", "Sí", "Yes"), Choice("no", "No", "No"))),
        )),
        "escalate": Form("escalate", "Atender escalamiento", "Handle escalation"),
        "approve": Form("approve", "Aprobar", "Approve"),
        "notify": Form("notify", "Notificar", "Notify"),
    },
)


def fixture_engine(tmp_path: Path, start: datetime = MONDAY, database_url: str | None = None):
    """An engine with only the fixture process deployed."""
    return make_engine(tmp_path, start=start, definitions=[FIXTURE_DEFINITION], deploy=[FIXTURE_BPMN],
                       database_url=database_url)


def memory_fixture_engine(start: datetime = MONDAY):
    """The fixture process on the in-memory fakes (no database)."""
    from engine.bootstrap import build_in_memory
    from engine.testing import FrozenClock

    clock = FrozenClock(start)
    engine = build_in_memory(clock, definitions=[FIXTURE_DEFINITION])
    engine.deploy_files([FIXTURE_BPMN], actor="test")
    return engine, clock
