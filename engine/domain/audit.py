"""The hash chain of the audit log (SECURITY.md 8): each entry hashes the previous one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.domain.model import AuditEntry

GENESIS = "0" * 64
_FORBIDDEN_DETAIL_KEYS = frozenset({"narrative", "identity", "name", "email", "phone", "receipt", "password"})


def canonical_details(details: dict[str, Any]) -> str:
    """Details as canonical JSON; refuses keys that would carry content."""
    bad = _FORBIDDEN_DETAIL_KEYS.intersection(details)
    if bad:
        raise ValueError(f"audit details may not carry content keys: {sorted(bad)}")
    return json.dumps(details, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str,
               case_id: str | None, details: dict[str, Any]) -> str:
    """The sha256 that chains an entry to its predecessor."""
    material = "\x1f".join(
        [prev_hash, str(seq), at.isoformat(), actor, action, case_id or "", canonical_details(details)]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying the chain: ok, entries checked, and the first broken link."""

    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def verify_chain(entries: Iterable[AuditEntry]) -> ChainReport:
    """Check sequence numbers and hashes in order; report the first broken link."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainReport(False, checked, entry.seq, f"expected entry {expected_seq}, found {entry.seq}")
        # nosemgrep: probidad-secret-compared-with-eq - chain hashes are public, not secrets
        if entry.prev_hash != prev_hash:
            return ChainReport(False, checked, entry.seq, "previous-hash link does not match")
        recomputed = entry_hash(entry.prev_hash, entry.seq, entry.at, entry.actor, entry.action,
                                entry.case_id, entry.details)
        # nosemgrep: probidad-secret-compared-with-eq - chain hashes are public, not secrets
        if recomputed != entry.hash:
            return ChainReport(False, checked, entry.seq, "entry content does not match its hash")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    return ChainReport(True, checked)
