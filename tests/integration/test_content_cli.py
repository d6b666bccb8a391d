"""CLI: custodian init, keys rotate/retire, case shred, and production refusal without keys."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from engine import bootstrap
from engine.cli import main
from engine.config import Settings
from tests.integration.test_content_support import FIXTURE, database_url, make_keys


@pytest.fixture
def env(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    keys = tmp_path / "keys"
    make_keys(keys)
    for name, value in {"PROBIDAD_INSTANCE": str(instance), "PROBIDAD_KEYS_DIR": str(keys),
                        "PROBIDAD_DATABASE_URL": database_url(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PROBIDAD_ENV", raising=False)
    return tmp_path


def _run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def _engine():
    engine = bootstrap.build(Settings.from_env(), definitions=[])
    engine.rt.extras["content.crypto"].config.argon2_fast = True
    return engine


def test_custodian_init_from_a_passphrase_file(env):
    secret = env / "pass.txt"
    secret.write_text("a long custodian passphrase\n")
    result = _run("custodian", "init", "--passphrase-file", str(secret))
    assert result.exit_code == 0, result.output
    assert "fingerprint" in result.output
    assert (env / "keys" / "identity" / "custodian.locked").stat().st_mode & 0o077 == 0
    again = _run("custodian", "init", "--passphrase-file", str(secret))
    assert again.exit_code == 1 and "already exists" in again.output


def test_custodian_init_refuses_a_short_passphrase(env):
    result = _run("custodian", "init", input="short\nshort\n")
    assert result.exit_code == 1 and "at least 12" in result.output
    assert not (env / "keys" / "identity" / "custodian.locked").exists()


def test_rotate_retire_and_shred(env):
    engine = _engine()
    engine.deploy_files([FIXTURE])
    keep = engine.start_case("fixture")
    engine.put_content(keep, "narrative", "relato", actor="t")
    gone = engine.start_case("fixture")
    engine.put_content(gone, "narrative", "otro", actor="t")

    result = _run("keys", "rotate", "--purpose", "content")
    assert result.exit_code == 0 and "content v1 -> v2: 2 case keys re-wrapped" in result.output
    refused = _run("keys", "retire", "1", "--purpose", "workflow")
    assert refused.exit_code == 1 and "error:" in refused.output and "Traceback" not in refused.output
    assert _run("keys", "retire", "1", "--purpose", "content").exit_code == 0

    shred = _run("case", "shred", gone, "--reason", "solicitud del titular")
    assert shred.exit_code == 0 and f"case {gone} shredded" in shred.output
    missing = _run("case", "shred", gone)
    assert missing.exit_code != 0
    engine = _engine()
    assert engine.tombstone(gone)["reason"] == "solicitud del titular"
    assert engine.content(keep, actor="t") == {"narrative": "relato"}
    with engine.db.connect() as conn:
        actions = [r[0] for r in conn.execute(text("select action from audit_log order by seq"))]
    assert actions.count("case.shred") == 1 and actions.count("keys.rotate") == 3


@pytest.mark.parametrize("command", [["timers", "tick"], ["web"]])
def test_production_refuses_to_start_without_explicit_keys(env, monkeypatch, command):
    monkeypatch.setenv("PROBIDAD_ENV", "production")
    monkeypatch.delenv("PROBIDAD_KEYS_DIR")
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines and all(line.startswith("error:") for line in lines)
    assert "PROBIDAD_KEYS_DIR must be set explicitly in production" in result.output
    assert "Traceback" not in result.output
