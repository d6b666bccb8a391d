"""Alembic migrations produce exactly the models' schema, on SQLite and on PostgreSQL (issue 9).

When this fails after adding a table or column: run `make migration` (migrations/regenerate.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from engine.adapters import db
from engine.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_url(request, db_backend, tmp_path):
    """An empty database of the backend under test."""
    if db_backend == "postgres":
        return request.getfixturevalue("pg_database")()
    return f"sqlite:///{tmp_path / 'm.db'}"


def _engine(url):
    engine = db.make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_db(empty_url):
    yield from _engine(empty_url)


def test_migrations_produce_exactly_the_models_schema(empty_db):
    before, after = db.upgrade_schema(empty_db)
    assert before is None
    assert after == db.head_revision()
    assert db.schema_drift(empty_db) == [], "run `make migration`: the migrations and the models differ"
    db.load_all_schemas()
    assert set(inspect(empty_db).get_table_names()) == set(db.metadata.tables) | {"alembic_version"}


def test_drift_is_detected(empty_db):
    db.upgrade_schema(empty_db)
    with empty_db.begin() as conn:
        conn.execute(text("ALTER TABLE cases ADD COLUMN stray INTEGER"))
    assert db.schema_drift(empty_db), "a column the models do not know must be reported"


def test_one_head_and_a_downgrade_path(empty_db):
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config())
    assert len(script.get_heads()) == 1
    db.upgrade_schema(empty_db)
    from alembic import command

    with empty_db.begin() as conn:
        command.downgrade(db.alembic_config(conn), "base")
    assert set(inspect(empty_db).get_table_names()) <= {"alembic_version"}


def test_upgrade_is_idempotent_and_serialized(empty_db):
    db.upgrade_schema(empty_db)
    assert db.upgrade_schema(empty_db) == (db.head_revision(), db.head_revision())


def test_create_schema_migrates_an_empty_postgres_and_refuses_one_behind(db_backend, empty_db):
    if db_backend == "sqlite":
        db.create_schema(empty_db)  # development: tables from the models, no migration history
        assert db.current_revision(empty_db) is None
        assert db.schema_drift(empty_db) == []
        # `db upgrade` adopts such a database when it matches the head exactly.
        assert db.upgrade_schema(empty_db) == (None, db.head_revision())
        return
    db.create_schema(empty_db)
    assert db.current_revision(empty_db) == db.head_revision()
    with empty_db.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    with pytest.raises(ConfigurationError, match="probidad db upgrade"):
        db.create_schema(empty_db)


def test_adopting_a_different_database_is_refused(empty_db):
    db.load_all_schemas()
    db.metadata.create_all(empty_db)
    with empty_db.begin() as conn:
        conn.execute(text("ALTER TABLE cases ADD COLUMN stray INTEGER"))
    with pytest.raises(ConfigurationError, match="differ"):
        db.upgrade_schema(empty_db)


def test_cli_db_upgrade_current_and_check(empty_url, tmp_path):
    env = {**os.environ, "PROBIDAD_DATABASE_URL": empty_url, "PROBIDAD_INSTANCE": str(tmp_path / "inst")}
    probidad = str(Path(sys.executable).with_name("probidad"))

    def run(*args):
        return subprocess.run([probidad, "db", *args], env=env, capture_output=True, text=True, timeout=120,
                              check=False)

    first = run("upgrade")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"schema empty -> {db.head_revision()}"
    current = run("current")
    assert current.stdout.split() == ["database", db.head_revision(), "code", db.head_revision()]
    assert run("check").returncode == 0
    engine = db.make_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_tasks_case"))
    finally:
        engine.dispose()
    check = run("check")
    assert check.returncode == 1
    assert "ix_tasks_case" in check.stderr and "Traceback" not in check.stderr


@pytest.mark.sqlite_only  # no database involved: runs once
def test_offline_sql_for_dbas_renders(tmp_path):
    result = subprocess.run([str(Path(sys.executable).with_name("alembic")), "upgrade", "head", "--sql"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
                            env={**os.environ, "PROBIDAD_DATABASE_URL": "postgresql+psycopg://x@127.0.0.1/x"})
    assert result.returncode == 0, result.stderr
    assert "CREATE TABLE cases" in result.stdout and "BYTEA" in result.stdout
