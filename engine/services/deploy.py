"""Versioned deployment: validate, then store version n+1; the same sha256 creates nothing new."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.model import ProcessDefinition
from engine.errors import InvalidBpmn
from engine.ports import UnitOfWork
from engine.services import audit
from engine.services.commands import Deploy
from engine.services.context import Runtime
from engine.workflow.parser import parse_bpmn, sha256_of
from engine.workflow.validate import ValidationContext, validate_bpmn


@dataclass(frozen=True)
class Deployed:
    """One process of a deployed document: its id, version, sha256 and whether it is new."""

    process_id: str
    version: int
    sha256: str
    created: bool


def validation_context(rt: Runtime, roles: frozenset[str]) -> ValidationContext:
    """The probidad rules in force: known roles, forms, policies and allow-lists."""
    forms = {pid: frozenset(d.forms) for pid, d in rt.definitions.items()}
    keys = {pid: d.data_keys for pid, d in rt.definitions.items()}
    return ValidationContext(roles=roles, forms=forms, policies=frozenset(rt.policies.ids()), data_keys=keys)


def deploy(cmd: Deploy, uow: UnitOfWork, rt: Runtime, ctx: ValidationContext) -> list[Deployed]:
    """Validate a BPMN document and store a new version of each process it declares."""
    problems = [p for p in validate_bpmn(cmd.xml, cmd.filename, ctx) if p.severity == "error"]
    if problems:
        raise InvalidBpmn(problems)
    bundles = parse_bpmn(cmd.xml, cmd.filename)
    digest = sha256_of(cmd.xml)
    results = []
    with uow:
        now = rt.now()
        for pid, bundle in bundles.items():
            existing = uow.definitions.by_sha(pid, digest)
            if existing is not None:
                results.append(Deployed(pid, existing.version, digest, False))
                continue
            latest = uow.definitions.latest(pid)
            version = (latest.version + 1) if latest else 1
            uow.definitions.add(ProcessDefinition(pid, version, digest, cmd.xml, cmd.filename, cmd.actor, now,
                                                  bundle.name))
            audit.record(uow, now, cmd.actor, "process.deploy", None,
                         {"process_id": pid, "version": version, "sha256": digest})
            results.append(Deployed(pid, version, digest, True))
        uow.commit()
    return results
