"""Envelope encryption: data keys, key wrapping, subkeys, usage counting.

A random 256-bit data key (DEK) per case is wrapped by a key-encryption key
(KEK) from a keyring, with AAD naming tenant, case and KEK version, so a
wrapped key copied to another case fails to unwrap (SECURITY.md property 2).
Rotating the KEK re-wraps DEKs and leaves content ciphertext unchanged
(property 5).  Per-object subkeys come from HKDF-SHA256 over the DEK.
"""

from __future__ import annotations

import os
import struct
import threading

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keys.aead import FORMAT_WRAPPED_KEY, KEY_SIZE, Aad, check_key, open_with_format, seal_with_format
from keys.errors import DecryptionFailed, UsageLimitExceeded

DEFAULT_USAGE_LIMIT = 2**31
_HARD_LIMIT = 2**32
_SUBKEY_LABEL = b"probidad.subkey.v1"


def new_data_key() -> bytes:
    """Return 32 fresh random bytes from the OS CSPRNG."""
    return os.urandom(KEY_SIZE)


def wrap_key(kek: bytes, data_key: bytes, aad: Aad | bytes) -> bytes:
    """Wrap ``data_key`` under ``kek`` with AES-256-GCM bound to ``aad``.

    The blob uses its own format byte, so a wrapped key can never be opened
    as a sealed field and vice versa.
    """
    check_key(data_key)
    return seal_with_format(kek, data_key, aad, FORMAT_WRAPPED_KEY)


def unwrap_key(kek: bytes, wrapped: bytes, aad: Aad | bytes) -> bytes:
    """Unwrap a key from ``wrap_key``; raises DecryptionFailed on any mismatch."""
    data_key = open_with_format(kek, wrapped, aad, FORMAT_WRAPPED_KEY)
    if len(data_key) != KEY_SIZE:
        raise DecryptionFailed()
    return data_key


def _lp(raw: bytes) -> bytes:
    return struct.pack(">I", len(raw)) + raw


def subkey(data_key: bytes, object_type: str, object_id: str) -> bytes:
    """Derive the 32-byte key of one object: HKDF-SHA256(DEK, type and id).

    The info string is length-prefixed, so ("a:b", "c") and ("a", "b:c")
    give different keys.
    """
    if not isinstance(object_type, str) or not isinstance(object_id, str):
        raise TypeError("object_type and object_id must be str")
    info = _SUBKEY_LABEL + _lp(object_type.encode("utf-8")) + _lp(object_id.encode("utf-8"))
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=info)
    return hkdf.derive(check_key(data_key))


class UsageCounter:
    """Counts encryptions per key id and alarms far below the GCM 2**32 bound.

    ``record`` raises UsageLimitExceeded instead of counting past ``limit``;
    the caller then rotates the key.  Thread-safe.  The engine may persist
    counts and restore them with ``restore``.
    """

    def __init__(self, limit: int = DEFAULT_USAGE_LIMIT) -> None:
        """Create a counter that allows at most ``limit`` encryptions per key."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit < _HARD_LIMIT:
            raise ValueError("limit must be an int in 1 .. 2**32 - 1")
        self.limit = limit
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def record(self, key_id: str, n: int = 1) -> int:
        """Count ``n`` more encryptions under ``key_id`` and return the new total."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError("n must be a non-negative int")
        with self._lock:
            total = self._counts.get(key_id, 0) + n
            if total > self.limit:
                raise UsageLimitExceeded(f"key {key_id!r} reached its limit of {self.limit} encryptions")
            self._counts[key_id] = total
            return total

    def count(self, key_id: str) -> int:
        """Return how many encryptions were recorded under ``key_id``."""
        with self._lock:
            return self._counts.get(key_id, 0)

    def remaining(self, key_id: str) -> int:
        """Return how many more encryptions ``key_id`` may perform."""
        return self.limit - self.count(key_id)

    def restore(self, key_id: str, count: int) -> None:
        """Set a persisted count (never lowers an existing count)."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError("count must be a non-negative int")
        with self._lock:
            self._counts[key_id] = max(count, self._counts.get(key_id, 0))
