"""AES-256-GCM sealing of individual fields (SECURITY.md property 2).

Blob layout (``seal``)::

    format (1) | nonce (12, random) | ciphertext | tag (16)

The format byte is authenticated too: GCM's associated data is
``format || aad``.  The nonce is 96 random bits from ``os.urandom`` for every
call (NIST SP 800-38D 8.2.2); the per-key counter in ``keys.envelope`` keeps
the number of seals far below the 2**32 bound.

``Aad`` binds a ciphertext to its tenant, case, object, field and key
version, so a blob moved to another case or field, or re-labelled with an
older key version, fails to open.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys.errors import DecryptionFailed, InvalidKeyMaterial

KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
FORMAT_SEALED = 0x01
FORMAT_WRAPPED_KEY = 0x02
OVERHEAD = 1 + NONCE_SIZE + TAG_SIZE

_AAD_LABEL = b"probidad.aad.v1"
_MAX_VERSION = 2**32 - 1


@dataclass(frozen=True)
class Aad:
    """Associated data naming where a ciphertext belongs."""

    tenant: str
    case: str
    obj: str
    field: str
    key_version: int

    def __post_init__(self) -> None:
        """Reject values that could not be encoded unambiguously."""
        for name in ("tenant", "case", "obj", "field"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"Aad.{name} must be a str")
        version = self.key_version
        if isinstance(version, bool) or not isinstance(version, int):
            raise TypeError("Aad.key_version must be an int")
        if not 0 <= version <= _MAX_VERSION:
            raise ValueError("Aad.key_version out of range")

    def encode(self) -> bytes:
        """Return a length-prefixed encoding: no two distinct Aads collide."""
        parts = [_AAD_LABEL]
        for text in (self.tenant, self.case, self.obj, self.field):
            raw = text.encode("utf-8")
            parts.append(struct.pack(">I", len(raw)))
            parts.append(raw)
        parts.append(struct.pack(">I", self.key_version))
        return b"".join(parts)


def aad_bytes(aad: Aad | bytes) -> bytes:
    """Return the bytes authenticated for ``aad`` (an ``Aad`` or raw bytes)."""
    if isinstance(aad, Aad):
        return aad.encode()
    if isinstance(aad, bytes | bytearray | memoryview):
        return bytes(aad)
    raise TypeError("aad must be an Aad or bytes")


def check_key(key: bytes, size: int = KEY_SIZE) -> bytes:
    """Return ``key`` as bytes, or raise InvalidKeyMaterial if its length is wrong."""
    if not isinstance(key, bytes | bytearray | memoryview) or len(key) != size:
        raise InvalidKeyMaterial(f"key must be {size} bytes")
    return bytes(key)


def seal_with_format(key: bytes, plaintext: bytes, aad: Aad | bytes, fmt: int) -> bytes:
    """Seal ``plaintext`` under ``key`` with the given format byte (internal helper)."""
    cipher = AESGCM(check_key(key))
    header = bytes([fmt])
    nonce = os.urandom(NONCE_SIZE)
    body = cipher.encrypt(nonce, bytes(plaintext), header + aad_bytes(aad))
    return header + nonce + body


def open_with_format(key: bytes, blob: bytes, aad: Aad | bytes, fmt: int) -> bytes:
    """Open a blob sealed by ``seal_with_format``; any problem is DecryptionFailed."""
    cipher = AESGCM(check_key(key))
    associated = aad_bytes(aad)
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise DecryptionFailed()
    blob = bytes(blob)
    if len(blob) < OVERHEAD or blob[0] != fmt:
        raise DecryptionFailed()
    nonce, body = blob[1 : 1 + NONCE_SIZE], blob[1 + NONCE_SIZE :]
    try:
        return cipher.decrypt(nonce, body, blob[:1] + associated)
    except InvalidTag:
        raise DecryptionFailed() from None


def seal(key: bytes, plaintext: bytes, aad: Aad | bytes) -> bytes:
    """Encrypt ``plaintext`` with AES-256-GCM and a fresh random nonce.

    Returns ``format || nonce || ciphertext || tag``.  A key that is not 32
    bytes raises InvalidKeyMaterial.
    """
    return seal_with_format(key, plaintext, aad, FORMAT_SEALED)


def open_sealed(key: bytes, blob: bytes, aad: Aad | bytes) -> bytes:
    """Decrypt a blob from ``seal``.

    Raises DecryptionFailed, with no detail, for a wrong key, wrong AAD, a
    modified or truncated blob or an unknown format byte.
    """
    return open_with_format(key, blob, aad, FORMAT_SEALED)


def nonce_of(blob: bytes) -> bytes:
    """Return the nonce of a sealed blob (for audits and nonce-uniqueness tests)."""
    return bytes(blob[1 : 1 + NONCE_SIZE])
