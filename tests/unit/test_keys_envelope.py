"""Data keys, key wrapping, subkeys and the usage counter (keys.envelope)."""

import sys
import threading

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keys import (
    Aad,
    DecryptionFailed,
    InvalidKeyMaterial,
    UsageCounter,
    UsageLimitExceeded,
    new_data_key,
    open_sealed,
    seal,
    subkey,
    unwrap_key,
    wrap_key,
)
from keys.envelope import DEFAULT_USAGE_LIMIT

KEK = bytes(range(32))
DEK = bytes(range(32, 64))
AAD = Aad("tenant-1", "case-1", "narrative", "text", 1)
GOLDEN_WRAP = bytes.fromhex(
    "02481743b9187692c7a31a8cb3197c66630c346696909888cb105daac1b994e077f489c7ea7044775e6e730228ebb5d1"
    "5698f3d32d53ed06de10e3859b"
)


def test_new_data_key_is_32_random_bytes():
    keys_seen = {new_data_key() for _ in range(100)}
    assert len(keys_seen) == 100
    assert all(len(k) == 32 for k in keys_seen)


def test_wrap_round_trip():
    wrapped = wrap_key(KEK, DEK, AAD)
    assert DEK not in wrapped
    assert unwrap_key(KEK, wrapped, AAD) == DEK


def test_golden_wrapped_key_unwraps():
    assert unwrap_key(KEK, GOLDEN_WRAP, AAD) == DEK
    assert AESGCM(KEK).decrypt(GOLDEN_WRAP[1:13], GOLDEN_WRAP[13:], b"\x02" + AAD.encode()) == DEK


def test_wrong_kek_fails():
    with pytest.raises(DecryptionFailed):
        unwrap_key(new_data_key(), wrap_key(KEK, DEK, AAD), AAD)


def test_wrapped_key_is_not_a_sealed_field_and_vice_versa():
    with pytest.raises(DecryptionFailed):
        open_sealed(KEK, wrap_key(KEK, DEK, AAD), AAD)
    with pytest.raises(DecryptionFailed):
        unwrap_key(KEK, seal(KEK, DEK, AAD), AAD)


@pytest.mark.parametrize("bad", [b"", b"k" * 16, b"k" * 33])
def test_wrap_rejects_bad_data_key(bad):
    with pytest.raises(InvalidKeyMaterial):
        wrap_key(KEK, bad, AAD)


def test_subkey_is_deterministic_and_32_bytes():
    assert subkey(DEK, "attachment", "42") == subkey(DEK, "attachment", "42")
    assert len(subkey(DEK, "attachment", "42")) == 32


def test_subkeys_differ_per_object_type_id_and_data_key():
    base = subkey(DEK, "attachment", "42")
    assert base != subkey(DEK, "attachment", "43")
    assert base != subkey(DEK, "comment", "42")
    assert base != subkey(KEK, "attachment", "42")
    assert base != DEK


def test_subkey_info_is_unambiguous():
    assert subkey(DEK, "a:b", "c") != subkey(DEK, "a", "b:c")
    assert subkey(DEK, "ab", "") != subkey(DEK, "a", "b")


def test_subkey_matches_reference_hkdf():
    info = b"probidad.subkey.v1" + b"\x00\x00\x00\x04file" + b"\x00\x00\x00\x017"
    expected = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(DEK)
    assert subkey(DEK, "file", "7") == expected


def test_subkey_validates_inputs():
    with pytest.raises(InvalidKeyMaterial):
        subkey(b"short", "file", "1")
    with pytest.raises(TypeError):
        subkey(DEK, "file", 1)  # type: ignore[arg-type]


def test_usage_counter_default_limit_is_far_below_2_to_32():
    counter = UsageCounter()
    assert counter.limit == DEFAULT_USAGE_LIMIT == 2**31
    assert counter.limit < 2**32


def test_usage_counter_counts_per_key():
    counter = UsageCounter(limit=10)
    assert counter.record("k1") == 1
    assert counter.record("k1", 4) == 5
    assert counter.record("k2") == 1
    assert counter.count("k1") == 5
    assert counter.count("unknown") == 0
    assert counter.remaining("k1") == 5


def test_usage_counter_enforces_limit_exactly():
    counter = UsageCounter(limit=3)
    assert counter.record("k", 3) == 3
    with pytest.raises(UsageLimitExceeded):
        counter.record("k")
    assert counter.count("k") == 3
    assert counter.record("other", 3) == 3


def test_failed_record_does_not_count():
    counter = UsageCounter(limit=5)
    counter.record("k", 4)
    with pytest.raises(UsageLimitExceeded):
        counter.record("k", 2)
    assert counter.record("k", 1) == 5


@pytest.mark.parametrize("limit", [0, -1, 2**32, True, 1.5])
def test_usage_counter_rejects_bad_limits(limit):
    with pytest.raises(ValueError):
        UsageCounter(limit=limit)


@pytest.mark.parametrize("n", [-1, True, 1.0])
def test_usage_counter_rejects_bad_increments(n):
    with pytest.raises(ValueError):
        UsageCounter().record("k", n)


def test_usage_counter_restore_never_lowers():
    counter = UsageCounter(limit=100)
    counter.record("k", 50)
    counter.restore("k", 10)
    assert counter.count("k") == 50
    counter.restore("k", 99)
    assert counter.count("k") == 99
    with pytest.raises(UsageLimitExceeded):
        counter.record("k", 2)
    with pytest.raises(ValueError):
        counter.restore("k", -1)


def test_usage_counter_is_thread_safe():
    # A tiny switch interval makes lost updates near-certain if the lock were missing.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    counter = UsageCounter(limit=10**6)

    def work():
        for _ in range(2000):
            counter.record("shared")

    threads = [threading.Thread(target=work) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)
    assert counter.count("shared") == 16000
