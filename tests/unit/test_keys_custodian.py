"""Custodian key pairs: Argon2id locking, X25519 wrapping, fingerprints (keys.custodian)."""

import hashlib
import struct

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keys import (
    CustodianKeys,
    DecryptionFailed,
    InvalidKeyMaterial,
    fingerprint,
    generate_keypair,
    public_key_from_private,
    unlock_private_key,
    unwrap_with_private,
    wrap_to_public,
)

# RFC 7748 section 6.1 (Alice).
RFC_PRIVATE = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
RFC_PUBLIC = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")

# Frozen vectors: blobs already stored must stay readable.
GOLDEN_PRIVATE = bytes(range(64, 96))
GOLDEN_PUBLIC = bytes.fromhex("79a631eede1bf9c98f12032cdeadd0e7a079398fc786b88cc846ec89af85a51a")
GOLDEN_WRAPPED = bytes.fromhex(
    "20ee02a5420205870fd1b59ff1263561012e00148f27c84d33377c2b0d7a116c469866b886c91dc1f21546194289c70b"
    "73e9156c8d8d1cf046ecfb7ee74b5ba921844665ed9b485bf1"
)
GOLDEN_LOCKED = bytes.fromhex(
    "1000000400000000010000000116bd999a9e6f74f1c4c882f84cad529435ed922c81876a12181526bbce15dcce0de140"
    "1308a25cc5c2c768a2afda3742510d8e427e2f46a95c3436dff0965cda3e2656ea24e38206a309494a"
)
GOLDEN_LOCKED_PUBLIC = bytes.fromhex("c5c5c6627428b05c1459047ad3a43d830f76f1c9b2916e715f1382474b1e2665")


@pytest.fixture(scope="module")
def custodian():
    return generate_keypair("correct horse battery staple", fast=True)


def test_generate_keypair_shape(custodian):
    assert isinstance(custodian, CustodianKeys)
    assert len(custodian.public_key) == 32
    assert len(custodian.locked_private_key) == 1 + 12 + 16 + 12 + 32 + 16
    assert custodian.locked_private_key[0] == 0x10


def test_unlock_returns_the_matching_private_key(custodian):
    private = unlock_private_key(custodian.locked_private_key, "correct horse battery staple")
    assert len(private) == 32
    assert public_key_from_private(private) == custodian.public_key
    assert private not in custodian.locked_private_key


def test_wrong_passphrase_fails(custodian):
    with pytest.raises(DecryptionFailed):
        unlock_private_key(custodian.locked_private_key, "correct horse battery stapl")


def test_passphrase_is_unicode_normalised():
    keys_ = generate_keypair("contrase\u00f1a", fast=True)
    private = unlock_private_key(keys_.locked_private_key, "contrasen\u0303a")
    assert public_key_from_private(private) == keys_.public_key


@pytest.mark.parametrize("bad", ["", None, b"bytes"])
def test_passphrase_must_be_non_empty_text(bad):
    with pytest.raises(ValueError):
        generate_keypair(bad, fast=True)  # type: ignore[arg-type]


def test_default_parameters_are_stored_in_the_blob():
    keys_ = generate_keypair("pw")
    _, memory, iterations, lanes = struct.unpack_from(">BIII", keys_.locked_private_key)
    assert (memory, iterations, lanes) == (64 * 1024, 3, 1)
    private = unlock_private_key(keys_.locked_private_key, "pw")
    assert public_key_from_private(private) == keys_.public_key


def test_fast_parameters_are_stored_in_the_blob(custodian):
    _, memory, iterations, lanes = struct.unpack_from(">BIII", custodian.locked_private_key)
    assert (memory, iterations, lanes) == (1024, 1, 1)


def test_locked_layout_matches_raw_argon2id_and_aes_gcm():
    header, salt = GOLDEN_LOCKED[:29], GOLDEN_LOCKED[13:29]
    key = Argon2id(salt=salt, length=32, iterations=1, lanes=1, memory_cost=1024).derive(b"correct horse")
    private = AESGCM(key).decrypt(GOLDEN_LOCKED[29:41], GOLDEN_LOCKED[41:], header)
    assert public_key_from_private(private) == GOLDEN_LOCKED_PUBLIC


def test_golden_locked_key_unlocks():
    private = unlock_private_key(GOLDEN_LOCKED, "correct horse")
    assert public_key_from_private(private) == GOLDEN_LOCKED_PUBLIC


@pytest.mark.parametrize(
    "params",
    [(2**31, 1, 1), (1024, 10**6, 1), (1024, 1, 0), (1024, 0, 1), (4, 1, 1), (2048, 1, 1)],
)
def test_tampered_or_absurd_parameters_fail_fast(custodian, params):
    blob = custodian.locked_private_key
    forged = struct.pack(">BIII", 0x10, *params) + blob[13:]
    with pytest.raises(DecryptionFailed):
        unlock_private_key(forged, "correct horse battery staple")


@pytest.mark.parametrize("cut", [0, 1, 28, 40, 80])
def test_truncated_locked_key_fails(custodian, cut):
    with pytest.raises(DecryptionFailed):
        unlock_private_key(custodian.locked_private_key[:cut], "correct horse battery staple")


def test_rfc7748_public_key_vector():
    assert public_key_from_private(RFC_PRIVATE) == RFC_PUBLIC


def test_wrap_round_trip(custodian):
    private = unlock_private_key(custodian.locked_private_key, "correct horse battery staple")
    wrapped = wrap_to_public(custodian.public_key, b"identity key 32 bytes long......", b"case-9")
    assert unwrap_with_private(private, wrapped, b"case-9") == b"identity key 32 bytes long......"


def test_wrap_output_carries_a_fresh_ephemeral_key():
    first = wrap_to_public(RFC_PUBLIC, b"secret", b"aad")
    second = wrap_to_public(RFC_PUBLIC, b"secret", b"aad")
    assert first[0] == 0x20
    assert len(first) == 1 + 32 + 12 + 6 + 16
    assert first[1:33] != second[1:33]
    assert first[1:33] != RFC_PUBLIC
    X25519PublicKey.from_public_bytes(first[1:33])
    assert b"secret" not in first


def test_golden_wrapped_vector():
    assert public_key_from_private(GOLDEN_PRIVATE) == GOLDEN_PUBLIC
    assert unwrap_with_private(GOLDEN_PRIVATE, GOLDEN_WRAPPED, b"case-1") == b"identity key"


def test_wrapped_layout_matches_raw_primitives():
    ephemeral = GOLDEN_WRAPPED[1:33]
    shared = X25519PrivateKey.from_private_bytes(GOLDEN_PRIVATE).exchange(
        X25519PublicKey.from_public_bytes(ephemeral)
    )
    info = b"probidad.ecies.x25519-hkdf-sha256-aes256gcm.v1" + ephemeral + GOLDEN_PUBLIC
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)
    nonce, body = GOLDEN_WRAPPED[33:45], GOLDEN_WRAPPED[45:]
    assert AESGCM(key).decrypt(nonce, body, GOLDEN_WRAPPED[:33] + b"case-1") == b"identity key"


def test_unwrap_with_wrong_private_key_or_aad_fails():
    with pytest.raises(DecryptionFailed):
        unwrap_with_private(RFC_PRIVATE, GOLDEN_WRAPPED, b"case-1")
    with pytest.raises(DecryptionFailed):
        unwrap_with_private(GOLDEN_PRIVATE, GOLDEN_WRAPPED, b"case-2")


def test_unwrap_with_low_order_ephemeral_fails():
    forged = GOLDEN_WRAPPED[:1] + bytes(32) + GOLDEN_WRAPPED[33:]
    with pytest.raises(DecryptionFailed):
        unwrap_with_private(GOLDEN_PRIVATE, forged, b"case-1")


@pytest.mark.parametrize("cut", [0, 1, 33, 45, 60])
def test_unwrap_truncated_fails(cut):
    with pytest.raises(DecryptionFailed):
        unwrap_with_private(GOLDEN_PRIVATE, GOLDEN_WRAPPED[:cut], b"case-1")


def test_wrap_to_unusable_public_key_is_refused():
    with pytest.raises(InvalidKeyMaterial):
        wrap_to_public(bytes(32), b"secret", b"aad")
    with pytest.raises(InvalidKeyMaterial):
        wrap_to_public(b"short", b"secret", b"aad")
    with pytest.raises(InvalidKeyMaterial):
        unwrap_with_private(b"short", GOLDEN_WRAPPED, b"case-1")


def test_fingerprint():
    assert fingerprint(RFC_PUBLIC) == hashlib.sha256(RFC_PUBLIC).hexdigest()[:16]
    assert len(fingerprint(GOLDEN_PUBLIC)) == 16
    assert fingerprint(GOLDEN_PUBLIC) == "67ca2ffd6fe9efab"
    assert fingerprint(GOLDEN_PUBLIC) != fingerprint(RFC_PUBLIC)
    with pytest.raises(InvalidKeyMaterial):
        fingerprint(b"short")
