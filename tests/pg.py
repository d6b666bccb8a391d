"""A throwaway PostgreSQL server for the test suite (issue 9), as a pytest plugin.

Load it with `pytest_plugins = ["tests.pg"]` (tests/conftest.py does). It gives:

- `pg_server` (session): initdb into a temporary folder, `pg_ctl start` on a free 127.0.0.1 port with the
  unix socket in that folder, stopped at the end of the session. Skipped, with the reason, only when no
  `initdb` binary exists (CI installs PostgreSQL from Debian packages: `.ci/system-deps`).
- `pg_url` (session): the URL of a database `probidad` on that server (empty; tests own its content).
- `pg_database` (function): a factory `pg_database(name=None) -> url` of fresh empty databases, dropped
  at the end of the test.
- `pg_engine_url` (function): a fresh database whose schema is already created, for `make_engine(...,
  database_url=...)`.
- Integration tests run on both backends: every test under tests/integration/ is parametrized with
  `db_backend` = sqlite | postgres. On postgres, `PROBIDAD_TEST_DATABASE_URL` points to a fresh database
  for that test, and `engine.testing.make_engine` uses it when no database_url is given. A test or module
  marked `sqlite_only` runs once, on SQLite (say why); one marked `postgres` runs only on PostgreSQL.

When run as root (containers, CI), the server runs as the `postgres` (or `nobody`) user, since
PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "probidad"
_COUNTER = itertools.count(1)


def find_pg_bin() -> Path | None:
    """The folder holding initdb/pg_ctl: PATH first, then Debian's /usr/lib/postgresql/<ver>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as() -> dict:
    """subprocess keyword arguments that drop root to an unprivileged user (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": entry.pw_uid, "group": entry.pw_gid}
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


@dataclass
class PgServer:
    """A running PostgreSQL server in a temporary folder."""

    bindir: Path
    root: Path
    port: int
    started: bool = False

    @property
    def datadir(self) -> Path:
        """The cluster's data folder."""
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3) for a database of this server over TCP on 127.0.0.1."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def env(self) -> dict:
        """Environment for libpq tools (psql, pg_dump, pg_restore) talking to this server."""
        return {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": str(self.port), "PGUSER": SUPERUSER}

    def tool(self, name: str) -> str:
        """The path of a client tool of the server's version (pg_dump must not be older than the server)."""
        candidate = self.bindir / name
        return str(candidate) if candidate.exists() else (shutil.which(name) or name)

    def start(self) -> None:
        """initdb (trust auth, local only) and start the server."""
        owner = _run_as()
        self.root.mkdir(parents=True, exist_ok=True)
        if owner:
            os.chown(self.root, owner["user"], owner["group"])
        subprocess.run([str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", SUPERUSER, "-A", "trust",
                        "-E", "UTF8", "--locale=C", "--no-sync"], check=True, capture_output=True, **owner)
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "
                   "-c shared_buffers=64MB -c log_min_messages=warning")
        subprocess.run([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", options, "-w", "-t", "60",
                        "-l", str(self.root / "server.log"), "start"], check=True, capture_output=True, **owner)
        self.started = True

    def stop(self) -> None:
        """Stop the server (fast) and remove its folder."""
        if self.started:
            subprocess.run([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop"],
                           check=False, capture_output=True, **_run_as())
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run one statement in autocommit (CREATE/DROP DATABASE)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=database,
                             autocommit=True) as conn:
            conn.execute(statement)

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create an empty database (or a copy of a template); return its URL."""
        suffix = f" TEMPLATE {template}" if template else ""
        self.sql(f'CREATE DATABASE "{name}"{suffix}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever connections remain."""
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server() -> PgServer:
    """Start a throwaway server (also used by bench/load.py); the caller must stop() it."""
    bindir = find_pg_bin()
    if bindir is None:
        raise FileNotFoundError("no initdb binary: install PostgreSQL (bash .ci/system-deps)")
    server = PgServer(bindir, Path(tempfile.mkdtemp(prefix="probidad-pg-")), _free_port())
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


def wait_ready(server: PgServer, seconds: float = 30) -> None:
    """Wait until the server accepts connections (after a restart)."""
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(host="127.0.0.1", port=server.port, user=SUPERUSER, dbname="postgres").close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the whole session (skipped only when PostgreSQL is not installed)."""
    if find_pg_bin() is None:
        pytest.skip("PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin); "
                    "run `bash .ci/system-deps` as root")
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server) -> str:
    """The URL of an empty database `probidad` on the session's server."""
    return pg_server.create_database("probidad")


@pytest.fixture(scope="session")
def _pg_template(pg_server) -> str:
    """A template database holding the models' schema, stamped at the Alembic head."""
    name = "probidad_template"
    url = pg_server.create_database(name)
    from engine.adapters import db

    engine = db.make_engine(url)
    try:
        db.metadata.create_all(engine)
        db.stamp_head(engine)
    finally:
        engine.dispose()
    return name


@pytest.fixture
def pg_database(pg_server):
    """A factory of fresh empty databases, dropped after the test: `pg_database(name=None) -> url`."""
    created: list[str] = []

    def factory(name: str | None = None, template: str | None = None) -> str:
        name = name or f"t{os.getpid()}_{next(_COUNTER)}"
        url = pg_server.create_database(name, template)
        created.append(name)
        return url

    yield factory
    for name in created:
        pg_server.drop_database(name)


@pytest.fixture
def pg_engine_url(pg_database, _pg_template) -> str:
    """A fresh database with the schema in place (copied from a template: fast)."""
    return pg_database(template=_pg_template)


def pytest_configure(config) -> None:
    """Declare the opt-out marker."""
    config.addinivalue_line("markers", "sqlite_only: an integration test that runs once, on SQLite only")


# Integration modules not yet ported to PostgreSQL, with the reason. Port them (use engine.db instead of
# sqlite3, or the `db_backend` fixture) and delete their line: the acceptance is the whole suite on both.
SQLITE_ONLY_MODULES = {
}


def _is_integration(metafunc) -> bool:
    path = Path(str(metafunc.definition.path))
    return "integration" in path.parts and path.name.startswith("test_")


def pytest_generate_tests(metafunc) -> None:
    """Run every integration test on SQLite and on PostgreSQL."""
    if "db_backend" not in metafunc.fixturenames or not _is_integration(metafunc):
        return
    if metafunc.definition.get_closest_marker("sqlite_only") or metafunc.definition.path.name in SQLITE_ONLY_MODULES:
        return
    if any("db_backend" in m.args for m in metafunc.definition.iter_markers("parametrize")):
        return
    only_pg = metafunc.definition.get_closest_marker("postgres") is not None
    metafunc.parametrize("db_backend", ["postgres"] if only_pg else ["sqlite", "postgres"], indirect=True)


@pytest.fixture(autouse=True)
def db_backend(request, monkeypatch) -> str:
    """The backend this test runs on; on postgres, make_engine() defaults to a fresh database."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgres":
        url = request.getfixturevalue("pg_engine_url")
        monkeypatch.setenv("PROBIDAD_TEST_DATABASE_URL", url)
    return backend
