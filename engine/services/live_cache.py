"""Restored workflows kept in memory between commands (issue 10).

Opening, decompressing and deserializing a case's sealed state is the largest part of a command after
SpiffWorkflow itself. A process that just stored a case keeps the live workflow object here, keyed by
case id and tied to the exact sealed row it wrote. The next command on that case still reads the
sealed row (so the database stays the only source of truth), and reuses the object only when the
stored ciphertext, wrapped key and key version are byte-for-byte the ones this process wrote, for the
same entity (the authenticated context of the seal): a fresh
random nonce makes every seal unique, so any write by another worker, a rollback, a rotation, a shred
or a tampered byte simply misses the cache (and tampering is then caught when the row is opened).

Entries are taken, not shared: `take` removes the entry, so two threads never work on one object, and a
command that fails never puts back a half-advanced workflow. The cache is a bounded LRU; size 0
turns it off. Workflow state holds no content or identity (those have their own keys), and the process
that holds an entry has just had the plaintext anyway.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

DEFAULT_SIZE = 256


class LiveWorkflows:
    """A thread-safe LRU of (sealed row, workflow, bundle) by case id."""

    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = max(0, int(size))
        self._items: OrderedDict[str, tuple[Any, Any, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def take(self, tenant_id: str, case_id: str, sealed: Any, bundle: Any) -> Any | None:
        """The workflow stored for `case_id` if it was sealed as exactly `sealed` (a SealedBlob: every
        field compared) for the same entity (the sealing context) on `bundle`; the entry is removed
        either way."""
        with self._lock:
            entry = self._items.pop(case_id, None)
            if entry is not None and entry[0] == (tenant_id, sealed) and entry[2] is bundle:
                self.hits += 1
                return entry[1]
            self.misses += 1
            return None

    def put(self, tenant_id: str, case_id: str, sealed: Any, workflow: Any, bundle: Any) -> None:
        """Remember the workflow just sealed as `sealed` (dropping the oldest entries beyond size)."""
        if self.size == 0:
            return
        with self._lock:
            self._items[case_id] = ((tenant_id, sealed), workflow, bundle)
            self._items.move_to_end(case_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def discard(self, case_id: str) -> None:
        """Forget a case (shredding, or a command that failed)."""
        with self._lock:
            self._items.pop(case_id, None)

    def clear(self) -> None:
        """Forget every case (key rotation)."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
