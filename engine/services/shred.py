"""Crypto-shredding a case (SECURITY.md property 6).

Shredding destroys, in one transaction, every wrapped key and blob of the case: workflow state,
content fields, comments, attachments, the sealed identity, officer grants, release requests and
queued notices. Waiting timers and ready tasks are cancelled, the case's status becomes `shredded`
and a content-free tombstone (case id, dates, reason) remains; one `case.shred` audit entry.

Deleting rows does not reach copies in backups, WAL frames or free pages. So by default the shred
closes the key *epoch*: the workflow and content KEKs rotate, every remaining case key is
re-wrapped, and the old versions are retired (destroyed). Any earlier copy of the shredded case's
wrapped keys is then undecryptable with every remaining key. `destroy_epoch=False` defers that to
`probidad keys retire` after the backup retention window (docs/encryption.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.errors import Conflict, InvalidInput, NotFound
from engine.services import audit, keys_admin
from engine.services.content import UowFactory
from engine.services.context import Runtime
from engine.services.identity import key_access

MAX_REASON = 500


@dataclass(frozen=True)
class ShredResult:
    """What a shred destroyed (row counts per table) and which KEK versions it retired."""

    case_id: str
    destroyed: dict[str, int]
    retired: dict[str, list[int]] = field(default_factory=dict)


def shred_case(rt: Runtime, uow_factory: UowFactory, case_id: str, reason: str, actor: str,
               destroy_epoch: bool = True) -> ShredResult:
    """Destroy every key and blob of a case and keep a tombstone (audited)."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise InvalidInput(f"shredding needs a reason (at most {MAX_REASON} characters)")
    if destroy_epoch:
        for purpose in keys_admin.PURPOSES:
            key_access(rt).keyring(purpose)
    with uow_factory() as uow:
        case = uow.cases.get(case_id)
        if case is None:
            raise NotFound(f"case {case_id} not found")
        if case.status == "shredded":
            raise Conflict(f"case {case_id} is already shredded")
        now = rt.now()
        destroyed = uow.content.destroy_case(case.id, now)
        uow.content.add_tombstone(case_id=case.id, tenant_id=case.tenant_id, process_id=case.process_id,
                                  created_at=case.created_at, closed_at=case.closed_at, shredded_at=now,
                                  shredded_by=actor, reason=reason.strip())
        case.status, case.stage, case.next_due_at = "shredded", None, None
        case.closed_at = case.closed_at or now
        case.updated_at = now
        uow.cases.save(case, case.version)
        audit.record(uow, now, actor, "case.shred", case.id,
                     {"destroyed": {k: v for k, v in destroyed.items() if v}, "epoch": destroy_epoch})
        uow.commit()
    rt.live.discard(case_id)  # no plaintext workflow of a shredded case stays in this process
    forget = getattr(rt.sealer, "forget", None)
    if forget is not None:  # nor its data key
        forget(case_id)
    retired: dict[str, list[int]] = {}
    if destroy_epoch:
        keys_admin.rotate(rt, uow_factory, "all", actor)
        for purpose in keys_admin.PURPOSES:
            retired[purpose] = keys_admin.retire_unused(rt, uow_factory, purpose, actor)
    return ShredResult(case_id, destroyed, retired)


def tombstone(rt: Runtime, uow_factory: UowFactory, case_id: str) -> dict | None:
    """The content-free tombstone of a shredded case, or None."""
    with uow_factory(readonly=True) as uow:
        row = uow.content.tombstone(case_id)
    return None if row is None else dict(vars(row))
