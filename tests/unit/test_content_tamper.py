"""Tampering with stored ciphertext or wrapped keys surfaces as a clear engine error (SECURITY.md test 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from engine.errors import DecryptionError, StoreError
from engine.testing import FrozenClock
from tests.integration.test_content_support import build

SECRET = "relato-secreto-de-prueba"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    clock = FrozenClock()
    return build(tmp_path_factory.mktemp("tamper"), clock=clock), clock


@pytest.fixture
def env(shared):
    engine, clock = shared
    a = engine.start_case_with_content("fixture", {}, {"narrative": SECRET, "summary": "resumen"}, actor="t")
    b = engine.start_case_with_content("fixture", {}, {"narrative": "otro relato", "summary": "otro"}, actor="t")
    for case_id in (a, b):
        engine.add_comment(case_id, "comentario", "t", "officer")
        engine.add_attachment(case_id, "f.txt", b"contenido" * 100, "text/plain", "t")
    return engine, clock, a, b


def _sql(engine, sql, **params):
    with engine.db.begin() as conn:
        return conn.execute(text(sql), params)


def _flip(engine, table, column, key_column, key, index):
    row = _sql(engine, f"select {column} from {table} where {key_column} = :k", k=key).first()
    blob = bytearray(row[0])
    blob[index % len(blob)] ^= 0x01
    _sql(engine, f"update {table} set {column} = :v where {key_column} = :k", v=bytes(blob), k=key)


def _read_all(engine, case_id):
    engine.content(case_id, actor="t")
    engine.comments(case_id, actor="t")
    for info in engine.attachments(case_id, actor="t"):
        engine.attachment(case_id, info.id, actor="t")


TARGETS = [
    ("content_fields", "ciphertext"),
    ("content_keys", "wrapped_key"),
    ("content_comments", "ciphertext"),
    ("content_attachments", "body"),
    ("content_attachments", "meta_ciphertext"),
    ("content_attachments", "wrapped_file_key"),
]


@pytest.mark.parametrize("table,column", TARGETS)
@pytest.mark.parametrize("index", [0, 12, -17, -1])
def test_flipped_content_bytes_raise_decryption_error(env, table, column, index):
    engine, _, a, _ = env
    _read_all(engine, a)
    _flip(engine, table, column, "case_id", a, index)
    with pytest.raises(DecryptionError) as info:
        _read_all(engine, a)
    assert isinstance(info.value, StoreError)
    assert a in str(info.value) and SECRET not in str(info.value)


@pytest.mark.parametrize("column", ["ciphertext", "wrapped_key"])
@pytest.mark.parametrize("index", [0, 5, -1])
def test_flipped_workflow_state_bytes_raise_decryption_error(env, column, index):
    engine, _, a, _ = env
    _flip(engine, "case_states", column, "case_id", a, index)
    with pytest.raises(DecryptionError):
        engine.case(a)


def test_a_tampered_state_fails_only_its_own_case_in_the_sweep(env):
    engine, clock, a, b = env
    _flip(engine, "case_states", "ciphertext", "case_id", a, 20)
    clock.advance(timedelta(days=30))
    result = engine.sweep()
    assert a in result.failed_cases and b not in result.failed_cases
    assert result.fired >= 1
    assert engine.case(b).deadlines[0].state == "fired"


def test_swapping_ciphertext_between_cases_fails(env):
    engine, _, a, b = env
    rows = {r.case_id: r.ciphertext for r in _sql(engine, "select case_id, ciphertext from content_fields "
                                                           "where field = 'narrative'")}
    _sql(engine, "update content_fields set ciphertext = :v where case_id = :k and field = 'narrative'",
         v=rows[b], k=a)
    with pytest.raises(DecryptionError):
        engine.content(a, actor="t")


def test_swapping_ciphertext_between_fields_fails(env):
    engine, _, a, _ = env
    summary = _sql(engine, "select ciphertext from content_fields where case_id = :k and field = 'summary'",
                   k=a).scalar_one()
    _sql(engine, "update content_fields set ciphertext = :v where case_id = :k and field = 'narrative'",
         v=summary, k=a)
    with pytest.raises(DecryptionError):
        engine.content(a, actor="t")


@pytest.mark.parametrize("table", ["content_keys", "case_states"])
def test_swapping_wrapped_keys_between_cases_fails(env, table):
    engine, _, a, b = env
    keys = {r.case_id: r.wrapped_key for r in _sql(engine, f"select case_id, wrapped_key from {table}")}
    _sql(engine, f"update {table} set wrapped_key = :v where case_id = :k", v=keys[b], k=a)
    with pytest.raises(DecryptionError):
        engine.content(a, actor="t") if table == "content_keys" else engine.case(a)
    engine.content(b, actor="t")


def test_moving_an_attachment_to_another_case_fails(env):
    engine, _, a, b = env
    att_b = engine.attachments(b)[0].id
    _sql(engine, "update content_attachments set case_id = :a where id = :i", a=a, i=att_b)
    with pytest.raises(DecryptionError):
        engine.attachment(a, att_b, actor="t")


def test_changing_the_case_tenant_breaks_every_seal(env):
    engine, _, a, _ = env
    _sql(engine, "update cases set tenant_id = 'otra' where id = :k", k=a)
    with pytest.raises(DecryptionError):
        engine.content(a, actor="t")
    with pytest.raises(DecryptionError):
        engine.case(a)
