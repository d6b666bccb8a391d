"""Appending to and verifying the hash-chained audit log (ARCHITECTURE §2.8)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.audit import GENESIS, ChainReport, entry_hash, verify_chain
from engine.domain.model import AuditEntry
from engine.ports import UnitOfWork


def record(uow: UnitOfWork, at: datetime, actor: str, action: str, case_id: str | None,
           details: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry, chained to the previous one, inside the caller's transaction."""
    details = dict(details or {})
    tail = uow.audit.tail()
    seq = (tail[0] + 1) if tail else 1
    prev = tail[1] if tail else GENESIS
    digest = entry_hash(prev, seq, at, actor, action, case_id, details)
    entry = AuditEntry(seq, at, actor, action, case_id, details, prev, digest)
    uow.audit.append(entry)
    return entry


def verify(uow: UnitOfWork) -> ChainReport:
    """Verify the whole chain; report the first broken link."""
    return verify_chain(uow.audit.all())
