"""SECURITY.md test 5 (nonces and crypto properties), plus key-file safety and rotation."""

import hashlib
import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keys import (
    Aad,
    DecryptionFailed,
    FileKeyRing,
    InvalidKeyMaterial,
    KeyRevoked,
    MemoryKeyRing,
    UsageCounter,
    UsageLimitExceeded,
    decrypt_bytes,
    encrypt_bytes,
    new_data_key,
    open_sealed,
    seal,
    subkey,
    unwrap_key,
    wrap_key,
    wrap_to_public,
)
from keys.aead import nonce_of

KEY = new_data_key()
FAST = settings(max_examples=150, deadline=None)

aads = st.builds(
    Aad,
    tenant=st.text(max_size=20),
    case=st.text(max_size=20),
    obj=st.text(max_size=20),
    field=st.text(max_size=20),
    key_version=st.integers(min_value=0, max_value=2**32 - 1),
)


def test_100k_seals_of_the_same_plaintext_have_distinct_nonces():
    aad = Aad("t", "c", "o", "f", 1)
    nonces = {nonce_of(seal(KEY, b"same plaintext", aad)) for _ in range(10**5)}
    assert len(nonces) == 10**5


def test_stream_prefixes_and_ephemeral_keys_are_fresh():
    prefixes = {encrypt_bytes(KEY, b"x", b"a")[5:12] for _ in range(2000)}
    assert len(prefixes) == 2000
    public = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    ephemerals = {wrap_to_public(public, b"k", b"a")[1:33] for _ in range(300)}
    assert len(ephemerals) == 300


@FAST
@given(plaintext=st.binary(max_size=4096), aad=aads)
def test_seal_round_trips(plaintext, aad):
    blob = seal(KEY, plaintext, aad)
    assert open_sealed(KEY, blob, aad) == plaintext
    assert len(blob) == len(plaintext) + 29


@FAST
@given(first=aads, second=aads)
def test_aad_encoding_is_injective(first, second):
    if first != second:
        assert first.encode() != second.encode()
        with pytest.raises(DecryptionFailed):
            open_sealed(KEY, seal(KEY, b"p", first), second)


@FAST
@given(plaintext=st.binary(max_size=256), aad=st.binary(max_size=64))
def test_raw_aad_round_trips(plaintext, aad):
    assert open_sealed(KEY, seal(KEY, plaintext, aad), aad) == plaintext


@FAST
@given(aad=aads)
def test_wrap_round_trips(aad):
    dek = new_data_key()
    assert unwrap_key(KEY, wrap_key(KEY, dek, aad), aad) == dek


@FAST
@given(
    data=st.binary(max_size=3000),
    chunk_size=st.integers(min_value=1, max_value=300),
    aad=st.binary(max_size=32),
)
def test_stream_round_trips(data, chunk_size, aad):
    blob = encrypt_bytes(KEY, data, aad, chunk_size)
    assert decrypt_bytes(KEY, blob, aad) == data


@FAST
@given(
    a=st.tuples(st.text(max_size=8), st.text(max_size=8)),
    b=st.tuples(st.text(max_size=8), st.text(max_size=8)),
)
def test_subkeys_are_distinct_per_object(a, b):
    if a != b:
        assert subkey(KEY, *a) != subkey(KEY, *b)


def test_usage_counter_limit_is_enforced():
    counter = UsageCounter(limit=1000)
    for _ in range(1000):
        counter.record("kek:workflow:v1")
    with pytest.raises(UsageLimitExceeded):
        counter.record("kek:workflow:v1")
    assert counter.count("kek:workflow:v1") == 1000
    assert UsageCounter().limit <= 2**31 < 2**32


def test_decryption_failed_carries_no_detail():
    assert str(DecryptionFailed("tag mismatch for case 123")) == "decryption failed"
    assert "123" not in repr(DecryptionFailed("tag mismatch for case 123"))
    assert DecryptionFailed("x", "y").args == ("decryption failed",)
    with pytest.raises(DecryptionFailed) as info:
        open_sealed(KEY, seal(KEY, b"secret narrative", b"a"), b"b")
    assert str(info.value) == "decryption failed"
    assert info.value.args == ("decryption failed",)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_key_files_are_0600_and_directory_0700(tmp_path):
    path = tmp_path / "keys" / "workflow"
    ring = FileKeyRing.create(path, "workflow")
    ring.rotate()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    for entry in path.iterdir():
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600, entry.name


def test_key_files_are_0600_even_with_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        ring = FileKeyRing.create(tmp_path / "ring", "workflow")
        ring.rotate()
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "ring").st_mode) == 0o700
    for entry in (tmp_path / "ring").iterdir():
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600, entry.name


@pytest.mark.parametrize("unsafe", [0o644, 0o604, 0o606, 0o660])
def test_file_keyring_refuses_a_world_or_group_readable_key(tmp_path, unsafe):
    ring = FileKeyRing.create(tmp_path / "ring", "workflow")
    os.chmod(tmp_path / "ring" / "v0001.key", unsafe)
    with pytest.raises(InvalidKeyMaterial, match="group or others"):
        ring.get(1)
    with pytest.raises(InvalidKeyMaterial):
        FileKeyRing(tmp_path / "ring", "workflow").get(1)


def test_rotation_rewraps_keys_and_leaves_content_unchanged():
    """SECURITY.md test 6 at the key layer: rotate, re-wrap, content bytes identical."""
    ring = MemoryKeyRing("workflow")
    cases = {}
    for case in ("c1", "c2", "c3"):
        dek = new_data_key()
        v = ring.active_version()
        content = seal(
            subkey(dek, "narrative", case), case.encode() * 10, Aad("t", case, "narrative", "text", 0)
        )
        cases[case] = (wrap_key(ring.get(v), dek, Aad("t", case, "dek", "case", v)), v, content)
    before = {case: hashlib.sha256(c[2]).hexdigest() for case, c in cases.items()}
    new_v = ring.rotate()
    rewrapped = {}
    for case, (wrapped, v, content) in cases.items():
        dek = unwrap_key(ring.get(v), wrapped, Aad("t", case, "dek", "case", v))
        rewrapped[case] = (wrap_key(ring.get(new_v), dek, Aad("t", case, "dek", "case", new_v)), content)
    ring.retire(1)
    for case, (wrapped, content) in rewrapped.items():
        assert hashlib.sha256(content).hexdigest() == before[case]
        dek = unwrap_key(ring.get(new_v), wrapped, Aad("t", case, "dek", "case", new_v))
        narrative = open_sealed(
            subkey(dek, "narrative", case), content, Aad("t", case, "narrative", "text", 0)
        )
        assert narrative == case.encode() * 10
    with pytest.raises(KeyRevoked):
        ring.get(1)


def test_retired_file_kek_makes_old_wrapped_keys_unreadable(tmp_path):
    """SECURITY.md test 7 at the key layer: once the KEK is shredded, old backups are dead."""
    ring = FileKeyRing.create(tmp_path / "backup-epoch", "backup-epoch")
    dek = new_data_key()
    aad = Aad("t", "case-1", "dek", "case", 1)
    old_backup = wrap_key(ring.get(1), dek, aad)
    old_kek = ring.get(1)
    ring.rotate()
    ring.retire(1)
    with pytest.raises(KeyRevoked):
        ring.get(1)
    for remaining in ring.versions():
        with pytest.raises(DecryptionFailed):
            unwrap_key(ring.get(remaining), old_backup, aad)
    assert not any(old_kek in p.read_bytes() for p in (tmp_path / "backup-epoch").iterdir())
