"""KEK rotation and retirement (SECURITY.md property 5, NIST SP 800-57 cryptoperiods).

Rotation creates a new KEK version and re-wraps every case data key under it: the workflow state
keys (`case_states.wrapped_key`) and the content keys (`content_keys.wrapped_key`). No ciphertext
changes, byte for byte. A version can be retired (its material destroyed) once no wrapped key uses
it; from then on any copy wrapped under it, in a backup or a stolen dump, is undecryptable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.errors import Conflict, InvalidInput, NotFound
from engine.services import audit
from engine.services.content import UowFactory, crypto
from engine.services.context import Runtime
from engine.services.identity import key_access

PURPOSES = ("workflow", "content")


@dataclass(frozen=True)
class Rotation:
    """One rotation: the purpose, the old and new active versions, how many keys were re-wrapped."""

    purpose: str
    from_version: int
    to_version: int
    rewrapped: int


def purposes_of(purpose: str) -> tuple[str, ...]:
    """The keyring purposes named by a CLI choice (workflow, content or all)."""
    if purpose == "all":
        return PURPOSES
    if purpose not in PURPOSES:
        raise InvalidInput(f"unknown key purpose '{purpose}' (workflow, content or all)")
    return (purpose,)


def _rewrap_workflow(rt: Runtime, uow: Any) -> int:
    count = 0
    for case_id, blob in uow.states.all_wrapped():
        case = uow.cases.get(case_id)
        fresh = rt.sealer.rewrap(case.tenant_id, case_id, blob)
        uow.states.rewrap(case_id, fresh.wrapped_key, fresh.kek_version)
        count += 1
    return count


def _rewrap_content(rt: Runtime, uow: Any) -> int:
    count = 0
    for row in uow.content.all_keys():
        case = uow.cases.get(row.case_id)
        wrapped, version = crypto(rt).rewrap(case.tenant_id, case.id, row.wrapped_key, row.kek_version)
        uow.content.rewrap_key(case.id, wrapped, version)
        count += 1
    return count


def rotate(rt: Runtime, uow_factory: UowFactory, purpose: str, actor: str) -> list[Rotation]:
    """Rotate the KEKs of a purpose (or all) and re-wrap every case key; one audit entry per rotation."""
    rings = {p: key_access(rt).keyring(p) for p in purposes_of(purpose)}
    results = []
    for name, ring in rings.items():
        old = ring.active_version()
        new = ring.rotate()
        with uow_factory() as uow:
            count = _rewrap_workflow(rt, uow) if name == "workflow" else _rewrap_content(rt, uow)
            audit.record(uow, rt.now(), actor, "keys.rotate", None,
                         {"purpose": name, "from_version": old, "to_version": new, "rewrapped": count})
            uow.commit()
        results.append(Rotation(name, old, new, count))
    return results


def usage(uow: Any, purpose: str, version: int) -> int:
    """How many case keys are still wrapped under a KEK version."""
    if purpose == "workflow":
        return sum(1 for _, blob in uow.states.all_wrapped() if blob.kek_version == version)
    return uow.content.count_key_version(version)


def retire(rt: Runtime, uow_factory: UowFactory, version: int, purpose: str, actor: str) -> None:
    """Destroy a KEK version's material; refused while it is active or any case key still uses it."""
    if purpose not in PURPOSES:
        raise InvalidInput("retire one purpose at a time: workflow or content")
    name = purpose
    ring = key_access(rt).keyring(name)
    if version == ring.active_version():
        raise Conflict(f"{name} key version {version} is active: rotate first")
    if version not in ring.versions():
        raise NotFound(f"no usable {name} key version {version}")
    with uow_factory() as uow:
        used = usage(uow, name, version)
        if used:
            raise Conflict(f"{used} case keys still use {name} key version {version}: "
                           f"run 'probidad keys rotate --purpose {name}' first")
        ring.retire(version)
        audit.record(uow, rt.now(), actor, "keys.retire", None, {"purpose": name, "version": version})
        uow.commit()


def retire_unused(rt: Runtime, uow_factory: UowFactory, purpose: str, actor: str) -> list[int]:
    """Retire every non-active version of a purpose that no case key uses; return them."""
    ring = key_access(rt).keyring(purpose)
    retired = []
    for version in ring.versions():
        if version == ring.active_version():
            continue
        with uow_factory(readonly=True) as uow:
            used = usage(uow, purpose, version)
        if not used:
            retire(rt, uow_factory, version, purpose, actor)
            retired.append(version)
    return retired
