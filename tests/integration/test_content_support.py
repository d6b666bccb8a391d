"""Shared builders for the content-store tests (no tests here).

An engine on a temporary SQLite file with *file* keyrings under tmp/keys, a frozen clock, the
fixture process and a WorkflowDefinition for it whose review form has a content field.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from engine import bootstrap
from engine.config import Settings
from engine.domain.forms import Choice, Field, Form
from engine.testing import FrozenClock
from keys.keyring import FileKeyRing
from workflows.base import WorkflowDefinition

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "fixture.bpmn"
PASS_CUSTODIAN = "custodian passphrase 0123"
PASS_OFFICER = "officer passphrase 4567"

REVIEW = Form("review", "Revisión", "Review", fields=(
    Field("admissible", "choice", "Admisible", "Admissible",
          choices=(Choice("yes", "Sí", "Yes"), Choice("no", "No", "No"))),
    Field("narrative", "textarea", "Relato", "Narrative", content=True, max_length=5000),
))
DEFINITION = WorkflowDefinition(
    "fixture", "Proceso de prueba", "Fixture process", (FIXTURE,),
    forms={"review": REVIEW, **{name: Form(name, name, name) for name in ("approve", "notify", "escalate")}},
    data_keys=frozenset({"admissible", "channel", "stamped_at"}),
    start_form="review",
)


def make_keys(keys_dir: Path, purposes=("workflow", "content", "identity")) -> None:
    """Create file keyrings for the given purposes."""
    for purpose in purposes:
        FileKeyRing.create(keys_dir / purpose, purpose)


def database_url(tmp_path: Path) -> str:
    """SQLite in tmp_path/instance, or the PostgreSQL database tests/pg.py gives integration tests."""
    return os.environ.get("PROBIDAD_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'instance' / 'probidad.db'}"


def build(tmp_path: Path, *, keys_dir: Path | None = None, clock: FrozenClock | None = None,
          purposes=("workflow", "content", "identity"), deploy: bool = True):
    """An engine with file keyrings in tmp_path/keys (created if missing). Returns the engine."""
    keys_dir = keys_dir or tmp_path / "keys"
    if not (keys_dir / "workflow").exists():
        make_keys(keys_dir, purposes)
    settings = Settings(instance=tmp_path / "instance", database_url=database_url(tmp_path), keys_dir=keys_dir)
    engine = bootstrap.build(settings, clock=clock or FrozenClock(), definitions=[DEFINITION])
    engine.rt.extras["content.crypto"].config.argon2_fast = True
    if deploy:
        engine.deploy_files([FIXTURE], actor="test")
    return engine


def with_custodian(engine) -> str:
    """Configure a custodian (fast Argon2id); return its fingerprint."""
    return engine.init_custodian(PASS_CUSTODIAN, actor="admin")


def copy_without(keys_dir: Path, target: Path, *purposes: str) -> Path:
    """Copy a keys folder leaving some purposes out (e.g. the timer worker's folder)."""
    shutil.copytree(keys_dir, target, ignore=shutil.ignore_patterns(*purposes))
    return target
