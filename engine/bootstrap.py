"""The composition root: the only module that imports adapters and workflows."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from engine.adapters.db import create_schema, make_engine
from engine.adapters.sealing import EnvelopeSealer
from engine.adapters.sql_uow import SqlUnitOfWork
from engine.bootstrap_users import seed_demo_users  # noqa: F401 - `probidad init` seeds demo users
from engine.business_days import CalendarCache
from engine.clock import SystemClock
from engine.config import Settings
from engine.domain.sla import PolicySet
from engine.errors import ConfigurationError
from engine.facade import Engine
from engine.services.context import Runtime
from engine.services.live_cache import DEFAULT_SIZE, LiveWorkflows
from keys.keyring import FileKeyRing, KeyRing
from workflows.base import BPMN_DIR, POLICY_FILE
from workflows.registry import bundled_definitions

KEYRING_PURPOSES = ("workflow", "content", "identity")


def _feature_wiring() -> list:
    """Composition of feature packages (each `engine/bootstrap_<feature>.py` wires its adapters)."""
    from engine import bootstrap_content, bootstrap_designer, bootstrap_notify, bootstrap_reports, bootstrap_users

    return [bootstrap_content.wire, bootstrap_notify.wire, bootstrap_users.wire, bootstrap_reports.wire,
            bootstrap_designer.wire]


def bundled_bpmn_files() -> list[Path]:
    """The BPMN files shipped in bpmn/."""
    return sorted(BPMN_DIR.glob("*.bpmn"))


def open_keyring(settings: Settings, purpose: str) -> KeyRing:
    """Open a keyring from the keys folder, with a clear error when it is missing."""
    path = settings.keys_path / purpose
    if not FileKeyRing.exists(path):
        raise ConfigurationError(f"no {purpose} keyring at {path}: run 'probidad init' (development) "
                                 "or provision keys (production)")
    return FileKeyRing(path, purpose)


def create_dev_keys(settings: Settings) -> list[str]:
    """Generate development keyrings that do not exist yet; never in production."""
    if settings.production:
        raise ConfigurationError("development keys are never generated in production")
    created = []
    for purpose in KEYRING_PURPOSES:
        path = settings.keys_path / purpose
        if not FileKeyRing.exists(path):
            FileKeyRing.create(path, purpose)
            created.append(purpose)
    return created


def _runtime(clock: Any, sealer: Any, uow_factory: Any, defs: list, settings: Settings | None) -> Runtime:
    """The runtime shared by every engine: clock, policies, the Peruvian calendar, sealer, definitions."""
    return Runtime(
        clock=clock or SystemClock(),
        policies=PolicySet.from_toml(POLICY_FILE),
        calendar_factory=CalendarCache("PE"),
        sealer=sealer,
        uow_factory=uow_factory,
        definitions={d.process_id: d for d in defs},
        settings=settings,
        live=LiveWorkflows(settings.state_cache_size if settings is not None else DEFAULT_SIZE),
    )


def build(settings: Settings | None = None, *, clock: Any = None, workflow_keyring: KeyRing | None = None,
          definitions: list | None = None, create_tables: bool = True) -> Engine:
    """Assemble an Engine from settings: database, keys, policies, calendar, workflow definitions."""
    settings = settings or Settings.from_env()
    db = make_engine(settings.database)
    if create_tables:
        create_schema(db)
    keyring = workflow_keyring or open_keyring(settings, "workflow")
    defs = definitions if definitions is not None else bundled_definitions()
    sealer = EnvelopeSealer(keyring, remember=settings.state_cache_size)  # PROBIDAD_STATE_CACHE=0: no key memory
    runtime = _runtime(clock, sealer, functools.partial(SqlUnitOfWork, db), defs, settings)
    engine = Engine(runtime, settings)
    engine.db = db
    for wire in _feature_wiring():
        wire(engine, settings, db)
    return engine


def build_in_memory(clock: Any = None, definitions: list | None = None) -> Engine:
    """An Engine on the in-memory fakes (engine.memory) with real sealing under a memory keyring.

    No database and no feature wiring: for service and scenario tests of the core.
    """
    from engine.memory import MemoryStore
    from keys.keyring import MemoryKeyRing

    store = MemoryStore()
    defs = definitions if definitions is not None else bundled_definitions()
    runtime = _runtime(clock, EnvelopeSealer(MemoryKeyRing("workflow")), store.unit_of_work, defs, None)
    engine = Engine(runtime, None)
    engine.memory_store = store
    return engine
