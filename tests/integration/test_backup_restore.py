"""Backup and restore round trip on PostgreSQL (issue 9, docs/operations.md "Backup and restore").

pg_dump (custom format) of the database, the keys copied apart; drop the database; restore both; every
case decrypts through the engine and `probidad audit verify` passes. Without the keys the restored
database is unreadable: the dump alone discloses no workflow state.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bench import load
from engine.adapters import schema as t
from engine.testing import FrozenClock

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # three `probidad init`s and a dozen processes


def _probidad(env, *args):
    return subprocess.run([str(Path(sys.executable).with_name("probidad")), *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_dump_drop_restore_decrypts_every_case_and_verifies_the_audit(pg_server, pg_database, tmp_path):
    name = "backup_source"
    url = pg_database(name)
    env = load.prepare_instance(url, tmp_path)
    engine = load.open_engine(env, tmp_path, clock=FrozenClock(load.PAST))
    cases = [engine.start_case("load_review", {}, actor="test") for _ in range(5)]
    cases += load.seed_due(engine, 20)
    engine.complete_task(engine.tasks(case_id=cases[0])[0].id, {}, actor="test")
    engine.rt.clock.advance(days=30)
    assert engine.tick() == 20 + 4  # the clones' deadlines and the four open reviews' timers
    before = {cid: engine.case(cid) for cid in cases}
    audit_before = engine.audit_verify()
    engine.db.dispose()

    dump = tmp_path / "backup" / "probidad.dump"
    dump.parent.mkdir()
    subprocess.run([pg_server.tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), name],
                   env=pg_server.env(), check=True, capture_output=True, timeout=300)
    keys_backup = tmp_path / "keys-backup"  # stored apart from the dump
    shutil.copytree(Path(env["PROBIDAD_INSTANCE"]) / "keys", keys_backup)

    pg_server.drop_database(name)
    shutil.rmtree(Path(env["PROBIDAD_INSTANCE"]) / "keys")
    assert _probidad(env, "audit", "verify").returncode == 1  # nothing left to run on

    pg_server.create_database(name)
    subprocess.run([pg_server.tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", name, str(dump)],
                   env=pg_server.env(), check=True, capture_output=True, timeout=300)
    shutil.copytree(keys_backup, Path(env["PROBIDAD_INSTANCE"]) / "keys")
    for keyfile in (Path(env["PROBIDAD_INSTANCE"]) / "keys").rglob("*"):
        if keyfile.is_file():
            os.chmod(keyfile, 0o600)

    verify = _probidad(env, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.strip() == f"audit chain ok: {audit_before.checked} entries"
    assert _probidad(env, "db", "check").returncode == 0
    restored = load.open_engine(env, tmp_path)
    try:
        for cid in cases:
            view = restored.case(cid)  # opens the sealed state with the restored keys
            assert (view.status, view.outcome, view.version) == (
                before[cid].status, before[cid].outcome, before[cid].version)
            assert view.data == before[cid].data
    finally:
        restored.db.dispose()


def test_a_restored_database_without_its_keys_decrypts_nothing(pg_server, pg_database, tmp_path):
    url = pg_database("backup_nokeys")
    env = load.prepare_instance(url, tmp_path / "a")
    engine = load.open_engine(env, tmp_path / "a")
    case_id = engine.start_case("load_review", {}, actor="test")
    engine.db.dispose()
    other = load.prepare_instance(pg_database("backup_other"), tmp_path / "b")  # different dev keys
    other["PROBIDAD_DATABASE_URL"] = url
    stranger = load.open_engine(other, tmp_path / "b")
    try:
        with stranger.db.connect() as conn:
            assert conn.execute(select(t.case_states.c.case_id)).scalars().all() == [case_id]
        with pytest.raises(Exception) as failure:
            stranger.case(case_id)
        assert type(failure.value).__module__.startswith(("keys", "engine"))
    finally:
        stranger.db.dispose()
