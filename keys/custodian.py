"""X25519 key pairs for custodians and officers (SECURITY.md properties 3 and 4).

The whistleblower identity key is wrapped only to the custodian's public key
(and the whistleblower's), never to officers or the workflow engine.  The
private key is stored locked under Argon2id(passphrase) and is unlocked only
for the request or session that needs it, as GlobaLeaks does.

Locked private key layout::

    format 0x10 (1) | memory KiB (4) | iterations (4) | lanes (4) | salt (16)
    | nonce (12) | AES-GCM(private key) + tag (16)

everything before the nonce is authenticated as AAD, so the parameters
cannot be swapped.  Wrapped-to-public layout (ECIES-style)::

    format 0x20 (1) | ephemeral X25519 public key (32) | nonce (12) | ciphertext + tag

key = HKDF-SHA256(X25519(ephemeral, recipient), info = label || ephemeral
public || recipient public); AES-GCM AAD = format || ephemeral public || aad.
"""

from __future__ import annotations

import hashlib
import os
import struct
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keys.aead import KEY_SIZE, NONCE_SIZE, TAG_SIZE, check_key
from keys.errors import DecryptionFailed, InvalidKeyMaterial

FORMAT_LOCKED = 0x10
FORMAT_WRAPPED = 0x20
SALT_SIZE = 16
# OWASP-recommended ballpark for an interactive unlock: 64 MiB, 3 passes.
DEFAULT_ARGON2 = (64 * 1024, 3, 1)
FAST_ARGON2 = (1024, 1, 1)
# Bounds checked before deriving, so a tampered blob cannot demand 100 GiB.
_MAX_MEMORY_KIB = 1024 * 1024
_MAX_ITERATIONS = 16
_MAX_LANES = 16
_LOCK_HEADER = struct.Struct(">BIII")
_ECIES_INFO = b"probidad.ecies.x25519-hkdf-sha256-aes256gcm.v1"


@dataclass(frozen=True)
class CustodianKeys:
    """A public key to wrap to, and the passphrase-locked private key."""

    public_key: bytes
    locked_private_key: bytes


def _passphrase_bytes(passphrase: str) -> bytes:
    if not isinstance(passphrase, str) or not passphrase:
        raise ValueError("passphrase must be a non-empty str")
    # NIST SP 800-63B 5.1.1.2: normalise Unicode before hashing.
    return unicodedata.normalize("NFKC", passphrase).encode("utf-8")


def _argon2(secret: bytes, salt: bytes, memory: int, iterations: int, lanes: int) -> bytes:
    kdf = Argon2id(salt=salt, length=KEY_SIZE, iterations=iterations, lanes=lanes, memory_cost=memory)
    return kdf.derive(secret)


def generate_keypair(passphrase: str, *, fast: bool = False) -> CustodianKeys:
    """Generate an X25519 key pair and lock the private key under the passphrase.

    ``fast=True`` uses tiny Argon2id parameters and is meant for tests only.
    """
    secret = _passphrase_bytes(passphrase)
    private = X25519PrivateKey.generate()
    memory, iterations, lanes = FAST_ARGON2 if fast else DEFAULT_ARGON2
    salt = os.urandom(SALT_SIZE)
    header = _LOCK_HEADER.pack(FORMAT_LOCKED, memory, iterations, lanes) + salt
    lock_key = _argon2(secret, salt, memory, iterations, lanes)
    nonce = os.urandom(NONCE_SIZE)
    sealed = AESGCM(lock_key).encrypt(nonce, private.private_bytes_raw(), header)
    return CustodianKeys(
        public_key=private.public_key().public_bytes_raw(),
        locked_private_key=header + nonce + sealed,
    )


def _parse_locked(locked: bytes) -> tuple[bytes, bytes, bytes, bytes, tuple[int, int, int]]:
    fixed = _LOCK_HEADER.size + SALT_SIZE
    if not isinstance(locked, bytes | bytearray) or len(locked) != fixed + NONCE_SIZE + KEY_SIZE + TAG_SIZE:
        raise DecryptionFailed()
    locked = bytes(locked)
    fmt, memory, iterations, lanes = _LOCK_HEADER.unpack_from(locked)
    plausible = (
        fmt == FORMAT_LOCKED
        and 1 <= lanes <= _MAX_LANES
        and 8 * lanes <= memory <= _MAX_MEMORY_KIB
        and 1 <= iterations <= _MAX_ITERATIONS
    )
    if not plausible:
        raise DecryptionFailed()
    header = locked[:fixed]
    salt = locked[_LOCK_HEADER.size : fixed]
    nonce = locked[fixed : fixed + NONCE_SIZE]
    return header, salt, nonce, locked[fixed + NONCE_SIZE :], (memory, iterations, lanes)


def unlock_private_key(locked: bytes, passphrase: str) -> bytes:
    """Return the raw 32-byte private key; raise DecryptionFailed on a wrong passphrase.

    Argon2id runs in full before any failure, so a wrong passphrase costs the
    same time as a right one.
    """
    secret = _passphrase_bytes(passphrase)
    header, salt, nonce, sealed, params = _parse_locked(locked)
    lock_key = _argon2(secret, salt, *params)
    try:
        return AESGCM(lock_key).decrypt(nonce, sealed, header)
    except InvalidTag:
        raise DecryptionFailed() from None


def public_key_from_private(private_key: bytes) -> bytes:
    """Return the raw X25519 public key that belongs to ``private_key``."""
    private = X25519PrivateKey.from_private_bytes(check_key(private_key))
    return private.public_key().public_bytes_raw()


def _ecies_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_SIZE,
        salt=None,
        info=_ECIES_INFO + ephemeral_public + recipient_public,
    )
    return hkdf.derive(shared)


def wrap_to_public(public_key: bytes, secret: bytes, aad: bytes) -> bytes:
    """Encrypt ``secret`` so only the holder of the matching private key can read it.

    Ephemeral X25519, HKDF-SHA256 and AES-256-GCM; the output starts with a
    format byte and the ephemeral public key.
    """
    recipient_public = check_key(public_key)
    try:
        recipient = X25519PublicKey.from_public_bytes(recipient_public)
        ephemeral = X25519PrivateKey.generate()
        shared = ephemeral.exchange(recipient)
    except ValueError:
        raise InvalidKeyMaterial("unusable X25519 public key") from None
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    key = _ecies_key(shared, ephemeral_public, recipient_public)
    header = bytes([FORMAT_WRAPPED]) + ephemeral_public
    nonce = os.urandom(NONCE_SIZE)
    return header + nonce + AESGCM(key).encrypt(nonce, bytes(secret), header + bytes(aad))


def unwrap_with_private(private_key: bytes, wrapped: bytes, aad: bytes) -> bytes:
    """Decrypt a blob from ``wrap_to_public``; raise DecryptionFailed on any problem."""
    private = X25519PrivateKey.from_private_bytes(check_key(private_key))
    head = 1 + KEY_SIZE
    if not isinstance(wrapped, bytes | bytearray) or len(wrapped) < head + NONCE_SIZE + TAG_SIZE:
        raise DecryptionFailed()
    wrapped = bytes(wrapped)
    if wrapped[0] != FORMAT_WRAPPED:
        raise DecryptionFailed()
    ephemeral_public = wrapped[1:head]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        key = _ecies_key(shared, ephemeral_public, private.public_key().public_bytes_raw())
        nonce = wrapped[head : head + NONCE_SIZE]
        return AESGCM(key).decrypt(nonce, wrapped[head + NONCE_SIZE :], wrapped[:head] + bytes(aad))
    except (InvalidTag, ValueError):
        raise DecryptionFailed() from None


def fingerprint(public_key: bytes) -> str:
    """Return the first 16 hex digits of SHA-256(public key), for audit entries."""
    return hashlib.sha256(check_key(public_key)).hexdigest()[:16]
