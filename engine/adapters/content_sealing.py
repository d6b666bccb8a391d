"""Sealing case content and identities, and opening keyrings lazily (docs/encryption.md).

Content: a per-case content data key (DEK) wrapped by the *content* KEK with AAD
`tenant|case|content|dek|kek-version`; each object is sealed under HKDF(DEK, object type, object id)
with AAD `tenant|case|<type>:<id>|<field>|dek-generation`. Attachments use chunked streaming AEAD
with a random per-file key, itself wrapped under the object subkey.

Identity: a random identity key seals the identity; it is wrapped only to the custodian's X25519
public key (and, after a release, to one named officer). Those blobs are then sealed again under the
case's content key, so destroying the case's content key shreds the identity too.

Every keys error leaves this module as an engine error naming ids only (SECURITY.md test 4).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import AccessDenied, ConfigurationError, Conflict, DecryptionError, InvalidInput
from keys.aead import Aad, open_sealed, seal
from keys.custodian import (
    CustodianKeys,
    fingerprint,
    generate_keypair,
    unlock_private_key,
    unwrap_with_private,
    wrap_to_public,
)
from keys.envelope import new_data_key, subkey, unwrap_key, wrap_key
from keys.errors import DecryptionFailed, InvalidKeyMaterial, KeyNotFound, KeyRevoked, TooLarge
from keys.keyring import FileKeyRing, KeyRing
from keys.streaming import decrypt_bytes, encrypt_bytes

DEK_GENERATION = 1
CUSTODIAN_PUBLIC = "custodian.pub"
CUSTODIAN_LOCKED = "custodian.locked"


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Turn keys errors into a DecryptionError that names `what` (ids only)."""
    try:
        yield
    except DecryptionFailed:
        raise DecryptionError(f"{what}: decryption failed (tampered, moved or shredded)") from None
    except (KeyRevoked, KeyNotFound) as exc:
        raise DecryptionError(f"{what}: {exc}") from None


@dataclass
class ContentConfig:
    """Limits and costs of the content feature (SECURITY.md test 11: size and count limits)."""

    max_attachment_bytes: int = 20 * 1024 * 1024
    max_attachments: int = 10
    max_text_chars: int = 200_000
    argon2_fast: bool = False


class CheckedStateSealer:
    """Wraps the workflow EnvelopeSealer so tampering surfaces as DecryptionError, not a keys error."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.keyring = inner.keyring

    def seal(self, tenant_id: str, case_id: str, plaintext: bytes, wrapped: Any) -> Any:
        """Seal workflow state (see EnvelopeSealer.seal)."""
        with translated(f"case {case_id} workflow state"):
            return self.inner.seal(tenant_id, case_id, plaintext, wrapped)

    def open(self, tenant_id: str, case_id: str, blob: Any) -> bytes:
        """Open workflow state (see EnvelopeSealer.open)."""
        with translated(f"case {case_id} workflow state"):
            return self.inner.open(tenant_id, case_id, blob)

    def forget(self, case_id: str) -> None:
        """Drop the case's remembered data keys (see EnvelopeSealer.forget)."""
        forget = getattr(self.inner, "forget", None)
        if forget is not None:
            forget(case_id)

    def rewrap(self, tenant_id: str, case_id: str, blob: Any) -> Any:
        """Re-wrap the state key under the active KEK (see EnvelopeSealer.rewrap)."""
        with translated(f"case {case_id} workflow key"):
            return self.inner.rewrap(tenant_id, case_id, blob)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


class KeyAccess:
    """Keyrings opened on first use, so the timer worker runs without content or identity keys."""

    def __init__(self, keys_path: Path, workflow_keyring: KeyRing):
        self.keys_path = Path(keys_path)
        self._rings: dict[str, KeyRing] = {"workflow": workflow_keyring}

    def keyring(self, purpose: str) -> KeyRing:
        """The keyring of a purpose; ConfigurationError if it is not provisioned."""
        if purpose not in self._rings:
            path = self.keys_path / purpose
            if not FileKeyRing.exists(path):
                raise ConfigurationError(f"no {purpose} keyring at {path}: content operations need it "
                                         "(run 'probidad init' in development or provision keys)")
            self._rings[purpose] = FileKeyRing(path, purpose)
        return self._rings[purpose]

    def use(self, purpose: str, keyring: KeyRing) -> None:
        """Install a keyring (tests and tools)."""
        self._rings[purpose] = keyring

    @property
    def identity_dir(self) -> Path:
        """The identity keyring folder, where the custodian key pair lives (never in the DB)."""
        return self.keys_path / "identity"

    def custodian(self) -> CustodianKeys | None:
        """The custodian key pair, or None when no custodian is configured."""
        public, locked = self.identity_dir / CUSTODIAN_PUBLIC, self.identity_dir / CUSTODIAN_LOCKED
        if not public.is_file() or not locked.is_file():
            return None
        if stat.S_IMODE(locked.stat().st_mode) & 0o077:
            raise ConfigurationError(f"refusing to use {locked}: run 'chmod 600 {locked}'")
        return CustodianKeys(public.read_bytes(), locked.read_bytes())

    def init_custodian(self, passphrase: str, fast: bool = False) -> str:
        """Create the custodian key pair (private key locked by Argon2id); return its fingerprint."""
        if self.custodian() is not None:
            raise Conflict(f"a custodian key already exists in {self.identity_dir}")
        self.identity_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        pair = generate_keypair(passphrase, fast=fast)
        _write_private(self.identity_dir / CUSTODIAN_LOCKED, pair.locked_private_key)
        _write_private(self.identity_dir / CUSTODIAN_PUBLIC, pair.public_key)
        return fingerprint(pair.public_key)


def _aad(tenant: str, case: str, obj: str, field: str, version: int = DEK_GENERATION) -> Aad:
    return Aad(tenant=tenant, case=case, obj=obj, field=field, key_version=version)


class ContentCrypto:
    """Seals and opens content objects, attachments and identity blobs under a case's content key."""

    def __init__(self, keys: KeyAccess, config: ContentConfig):
        self.keys = keys
        self.config = config

    # -- case content keys ---------------------------------------------------------------------
    def new_case_key(self, tenant: str, case: str) -> tuple[bytes, bytes, int]:
        """A fresh content DEK, its wrapped form and the content KEK version that wrapped it."""
        ring = self.keys.keyring("content")
        version = ring.active_version()
        dek = new_data_key()
        return dek, wrap_key(ring.get(version), dek, _aad(tenant, case, "content", "dek", version)), version

    def case_key(self, tenant: str, case: str, wrapped: bytes, version: int) -> bytes:
        """Unwrap a case's content DEK."""
        ring = self.keys.keyring("content")
        with translated(f"case {case} content key"):
            return unwrap_key(ring.get(version), wrapped, _aad(tenant, case, "content", "dek", version))

    def rewrap(self, tenant: str, case: str, wrapped: bytes, version: int) -> tuple[bytes, int]:
        """Re-wrap a case's content DEK under the active content KEK; ciphertext is untouched."""
        dek = self.case_key(tenant, case, wrapped, version)
        ring = self.keys.keyring("content")
        active = ring.active_version()
        return wrap_key(ring.get(active), dek, _aad(tenant, case, "content", "dek", active)), active

    # -- objects -------------------------------------------------------------------------------
    def seal_object(self, dek: bytes, tenant: str, case: str, kind: str, obj_id: str, field: str,
                    plaintext: bytes) -> bytes:
        """Seal one object's field under HKDF(DEK, kind, id)."""
        key = subkey(dek, kind, obj_id)
        return seal(key, plaintext, _aad(tenant, case, f"{kind}:{obj_id}", field))

    def open_object(self, dek: bytes, tenant: str, case: str, kind: str, obj_id: str, field: str,
                    blob: bytes) -> bytes:
        """Open one object's field; DecryptionError on tampering or a moved blob."""
        with translated(f"case {case} {kind} {obj_id}"):
            return open_sealed(subkey(dek, kind, obj_id), blob, _aad(tenant, case, f"{kind}:{obj_id}", field))

    # -- attachments ---------------------------------------------------------------------------
    def seal_file(self, dek: bytes, tenant: str, case: str, att_id: str, data: bytes) -> tuple[bytes, bytes]:
        """Encrypt a file in chunks under a random per-file key; return (wrapped file key, body)."""
        file_key = new_data_key()
        obj = f"attachment:{att_id}"
        wrapped = wrap_key(subkey(dek, "attachment", att_id), file_key, _aad(tenant, case, obj, "file-key"))
        try:
            body = encrypt_bytes(file_key, data, _aad(tenant, case, obj, "body"),
                                 max_bytes=self.config.max_attachment_bytes)
        except TooLarge:
            raise InvalidInput(f"attachment larger than {self.config.max_attachment_bytes} bytes") from None
        return wrapped, body

    def open_file(self, dek: bytes, tenant: str, case: str, att_id: str, wrapped: bytes, body: bytes) -> bytes:
        """Decrypt a whole attachment; only returns if every chunk is authentic."""
        obj = f"attachment:{att_id}"
        with translated(f"case {case} attachment {att_id}"):
            file_key = unwrap_key(subkey(dek, "attachment", att_id), wrapped, _aad(tenant, case, obj, "file-key"))
            return decrypt_bytes(file_key, body, _aad(tenant, case, obj, "body"))

    # -- identity ------------------------------------------------------------------------------
    def seal_identity(self, dek: bytes, tenant: str, case: str, code: str, custodian_public: bytes,
                      payload: bytes) -> tuple[bytes, bytes]:
        """Seal an identity under a fresh identity key wrapped only to the custodian; both sealed again
        under the case content key. Returns (ciphertext, custodian_wrapped)."""
        identity_key = new_data_key()
        obj = f"identity:{code}"
        inner = seal(identity_key, payload, _aad(tenant, case, obj, "data"))
        to_custodian = wrap_to_public(custodian_public, identity_key, _aad(tenant, case, obj, "custodian").encode())
        return (self.seal_object(dek, tenant, case, "identity", code, "data", inner),
                self.seal_object(dek, tenant, case, "identity", code, "custodian", to_custodian))

    @staticmethod
    def unlock(locked: bytes, passphrase: str, who: str) -> bytes:
        """Unlock a private key with its passphrase; AccessDenied when it is wrong."""
        try:
            return unlock_private_key(locked, passphrase)
        except (DecryptionFailed, ValueError, InvalidKeyMaterial):
            raise AccessDenied(f"the {who} passphrase was rejected") from None

    def identity_key(self, dek: bytes, tenant: str, case: str, code: str, private_key: bytes, field: str,
                     blob: bytes) -> bytes:
        """Recover the identity key from the custodian's (field 'custodian') or an officer's wrap."""
        wrapped = self.open_object(dek, tenant, case, "identity", code, field, blob)
        with translated(f"case {case} identity key"):
            return unwrap_with_private(private_key, wrapped, _aad(tenant, case, f"identity:{code}", field).encode())

    def wrap_identity_for(self, dek: bytes, tenant: str, case: str, code: str, identity_key: bytes,
                          public_key: bytes, officer: str) -> bytes:
        """Re-wrap the identity key to one named officer (then seal under the case content key)."""
        field = f"officer:{officer}"
        wrapped = wrap_to_public(public_key, identity_key, _aad(tenant, case, f"identity:{code}", field).encode())
        return self.seal_object(dek, tenant, case, "identity", code, field, wrapped)

    def open_identity(self, dek: bytes, tenant: str, case: str, code: str, identity_key: bytes,
                      ciphertext: bytes) -> bytes:
        """Open the identity payload with the recovered identity key."""
        inner = self.open_object(dek, tenant, case, "identity", code, "data", ciphertext)
        with translated(f"case {case} identity"):
            return open_sealed(identity_key, inner, _aad(tenant, case, f"identity:{code}", "data"))

    def new_officer_keypair(self, passphrase: str) -> tuple[CustodianKeys, str]:
        """An X25519 key pair locked by the officer's passphrase, and its fingerprint."""
        pair = generate_keypair(passphrase, fast=self.config.argon2_fast)
        return pair, fingerprint(pair.public_key)
