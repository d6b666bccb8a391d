"""Errors raised by the ``keys`` package.

Every error is a ``KeysError``, so the engine can catch the whole family in
one place and turn it into an alert without leaking detail::

    KeysError(Exception)
    ├── DecryptionFailed          always the bare message "decryption failed"
    ├── KeyNotFound               no such key version in the keyring
    ├── KeyRevoked                the version was retired (crypto-shredded)
    ├── UsageLimitExceeded        per-key encryption counter alarm (NIST SP 800-38D)
    ├── InvalidKeyMaterial        wrong length, unsafe permissions, corrupt keyring
    ├── KeyRingExists(FileExistsError)   create() refuses to overwrite keys
    ├── KeyInUse(ValueError)      retire() refuses the active version
    └── TooLarge(ValueError)      a stream exceeded its ``max_bytes`` limit

``DecryptionFailed`` deliberately carries no detail whatever it is given:
a wrong key, a flipped bit, a wrong AAD and a truncated blob all look the
same to the caller and to any log or error tracker (SECURITY.md test 4).
"""

from __future__ import annotations

_DECRYPTION_FAILED = "decryption failed"


class KeysError(Exception):
    """Root of every error raised by ``keys``."""


class DecryptionFailed(KeysError):
    """Authentication or parsing of a ciphertext failed; no detail is kept."""

    def __init__(self, *_ignored: object) -> None:
        """Drop any argument so no detail can ever reach a log."""
        super().__init__(_DECRYPTION_FAILED)

    def __str__(self) -> str:
        """Return the fixed, detail-free message."""
        return _DECRYPTION_FAILED

    def __repr__(self) -> str:
        """Return a detail-free representation."""
        return "DecryptionFailed()"


class KeyNotFound(KeysError):
    """The requested key version does not exist in the keyring."""


class KeyRevoked(KeysError):
    """The requested key version was retired and its material destroyed."""


class UsageLimitExceeded(KeysError):
    """A key reached its encryption-count limit and must be rotated."""


class InvalidKeyMaterial(KeysError):
    """Key material is malformed or stored unsafely (length, permissions, format)."""


class KeyRingExists(KeysError, FileExistsError):
    """A keyring already exists where a new one was to be created."""


class KeyInUse(KeysError, ValueError):
    """The operation would destroy a key that is still active."""


class TooLarge(KeysError, ValueError):
    """A stream exceeded its configured size limit."""
