"""Retention: close, keep N years, then crypto-shred; legal holds stop the clock (SECURITY.md 6, 11).

A policy is set per entity and process (`years` after the case closed). `run` finds closed cases
past their term that carry no active legal hold and shreds each through the content feature's
`shred_case` (keys and blobs destroyed, tombstone kept, one `case.shred` entry), then drops their
case facts. The key epoch is closed once per run, not once per case. Setting a policy, putting or
lifting a hold and each run are audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from engine.errors import InvalidInput, NotFound, ProbidadError
from engine.services import audit, keys_admin, shred
from engine.services.context import Runtime

MAX_YEARS = 100


@dataclass
class RetentionRun:
    """What a run shredded (case ids), kept for legal hold, and which cases failed."""

    shredded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def cutoff(now: datetime, years: int) -> datetime:
    """The instant `years` before now (29 February falls back to 28)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def set_policy(rt: Runtime, tenant: str, process_id: str, years: int, actor: str) -> None:
    """Keep closed cases of a process for `years` years (audited)."""
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= MAX_YEARS:
        raise InvalidInput(f"retention years must be between 1 and {MAX_YEARS}")
    if process_id not in rt.definitions:
        raise NotFound(f"process '{process_id}' has no workflow definition")
    with rt.uow_factory() as uow:
        uow.retention.set_policy(tenant, process_id, years, actor, rt.now())
        audit.record(uow, rt.now(), actor, "retention.policy", None,
                     {"tenant": tenant, "process_id": process_id, "years": years})
        uow.commit()


def policies(rt: Runtime, tenant: str | None = None) -> list[dict]:
    """Retention policies as plain dicts."""
    with rt.uow_factory(readonly=True) as uow:
        rows = uow.retention.policies(tenant)
    return [{"tenant": r.tenant_id, "process_id": r.process_id, "years": r.years} for r in rows]


def hold(rt: Runtime, case_id: str, basis: str, actor: str) -> None:
    """Put a case on legal hold: retention never shreds it while the hold is active (audited)."""
    if not isinstance(basis, str) or not basis.strip() or len(basis) > 300:
        raise InvalidInput("a legal hold needs a basis (a reference, at most 300 characters)")
    with rt.uow_factory() as uow:
        if uow.cases.get(case_id) is None:
            raise NotFound(f"case {case_id} not found")
        uow.retention.add_hold(case_id, basis.strip(), actor, rt.now())
        audit.record(uow, rt.now(), actor, "retention.hold", case_id, {})
        uow.commit()


def release(rt: Runtime, case_id: str, actor: str) -> int:
    """Lift a case's legal holds (audited); how many were lifted."""
    with rt.uow_factory() as uow:
        released = uow.retention.release_hold(case_id, actor, rt.now())
        if released:
            audit.record(uow, rt.now(), actor, "retention.release", case_id, {"holds": released})
        uow.commit()
    return released


def is_held(rt: Runtime, case_id: str) -> bool:
    """True while a case has an active legal hold."""
    with rt.uow_factory(readonly=True) as uow:
        return uow.retention.held(case_id)


def due_cases(rt: Runtime, now: datetime) -> list[tuple[str, int]]:
    """(case id, years) of closed cases past their retention term and not on hold."""
    found = []
    with rt.uow_factory(readonly=True) as uow:
        for policy in uow.retention.policies():
            for case_id in uow.retention.expired_cases(policy.tenant_id, policy.process_id,
                                                       cutoff(now, policy.years)):
                found.append((case_id, policy.years))
    return found


def run(rt: Runtime, actor: str, now: datetime | None = None, destroy_epoch: bool = True) -> RetentionRun:
    """Shred every case past its retention term (audited: one `retention.run` entry)."""
    now = now or rt.now()
    result = RetentionRun()
    for case_id, years in due_cases(rt, now):
        try:
            shred.shred_case(rt, rt.uow_factory, case_id, f"retention: {years} years after closing", actor,
                             destroy_epoch=False)
        except ProbidadError:
            result.failed.append(case_id)
            continue
        with rt.uow_factory() as uow:
            uow.reports.delete_facts(case_id)
            uow.commit()
        result.shredded.append(case_id)
    if result.shredded and destroy_epoch:
        keys_admin.rotate(rt, rt.uow_factory, "all", actor)
        for purpose in keys_admin.PURPOSES:
            keys_admin.retire_unused(rt, rt.uow_factory, purpose, actor)
    with rt.uow_factory() as uow:
        audit.record(uow, rt.now(), actor, "retention.run", None,
                     {"at": now.isoformat(), "shredded": len(result.shredded), "failed": len(result.failed)})
        uow.commit()
    return result
