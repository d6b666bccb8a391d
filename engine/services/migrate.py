"""Case migration: move chosen running cases to another deployed version of their process.

A case moves only when SpiffWorkflow can map its state onto the new version (see
engine.workflow.migration); otherwise it is refused with the reason. Each case moves in its own
transaction, with an audit entry `case.migrate`. Running deadlines keep their due instants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from engine.errors import ProbidadError
from engine.ports import UnitOfWork
from engine.services import audit
from engine.services.context import Runtime, script_engine
from engine.services.persist import bundle_for, load_case, store_case
from engine.workflow import migration, runner


@dataclass(frozen=True)
class MigrationResult:
    """What happened to one case: moved (ok) or refused with a reason."""

    case_id: str
    ok: bool
    from_version: int | None = None
    to_version: int | None = None
    reason: str | None = None


def migrate_cases(rt: Runtime, uow_factory: Callable[..., UnitOfWork], case_ids: Iterable[str], to_version: int,
                  actor: str) -> list[MigrationResult]:
    """Migrate each case to `to_version`; one result per case, in order."""
    results = []
    for case_id in case_ids:
        try:
            results.append(_migrate_one(rt, uow_factory, case_id, to_version, actor))
        except ProbidadError as exc:
            results.append(MigrationResult(case_id, False, to_version=to_version, reason=str(exc)))
    return results


def _migrate_one(rt: Runtime, uow_factory: Callable[..., UnitOfWork], case_id: str, to_version: int,
                 actor: str) -> MigrationResult:
    with uow_factory() as uow:
        loaded = load_case(rt, uow, case_id)
        case = loaded.case
        if case.status != "open":
            raise migration.CannotMigrate(f"the case is {case.status}: only open cases can be migrated")
        if case.process_version == to_version:
            raise migration.CannotMigrate(f"the case already runs on version {to_version}")
        bundle, version = bundle_for(rt, uow, case.process_id, to_version)
        workflow = migration.migrate(loaded.workflow, bundle)
        runner.attach(workflow, script_engine(rt, loaded.rules, case.id))
        from_version = case.process_version
        loaded.workflow, loaded.bundle = workflow, bundle
        case.process_version = version
        store_case(rt, uow, loaded, actor)
        audit.record(uow, rt.now(), actor, "case.migrate", case.id,
                     {"process_id": case.process_id, "from_version": from_version, "to_version": version})
        uow.commit()
    return MigrationResult(case_id, True, from_version, version)
