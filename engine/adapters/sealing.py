"""Sealing workflow state: a per-case data key wrapped by the workflow KEK (ARCHITECTURE §2.2).

The wrapped data key's AAD binds `tenant|case|workflow|dek|kek-version`; the state's AAD binds
`tenant|case|workflow|state|dek-generation`. A blob or wrapped key moved to another case, object or
key version fails to open, and KEK rotation re-wraps keys without touching the state ciphertext.
"""

from __future__ import annotations

from engine.domain.model import SealedBlob
from keys.aead import Aad, open_sealed, seal
from keys.envelope import new_data_key, unwrap_key, wrap_key
from keys.keyring import KeyRing

DEK_GENERATION = 1


class EnvelopeSealer:
    """Seals state under the workflow keyring. Holds no content keys."""

    def __init__(self, keyring: KeyRing, obj: str = "workflow"):
        self.keyring = keyring
        self.obj = obj

    def _aad(self, tenant_id: str, case_id: str, field: str, version: int) -> Aad:
        return Aad(tenant=tenant_id, case=case_id, obj=self.obj, field=field, key_version=version)

    def _data_key(self, tenant_id: str, case_id: str, wrapped: SealedBlob | None) -> tuple[bytes, bytes, int]:
        if wrapped is None:
            version = self.keyring.active_version()
            data_key = new_data_key()
            wrapped_key = wrap_key(self.keyring.get(version), data_key, self._aad(tenant_id, case_id, "dek", version))
            return data_key, wrapped_key, version
        key = unwrap_key(self.keyring.get(wrapped.kek_version), wrapped.wrapped_key,
                         self._aad(tenant_id, case_id, "dek", wrapped.kek_version))
        return key, wrapped.wrapped_key, wrapped.kek_version

    def seal(self, tenant_id: str, case_id: str, plaintext: bytes, wrapped: SealedBlob | None) -> SealedBlob:
        """Seal state, reusing the case's data key when the case already has one."""
        data_key, wrapped_key, version = self._data_key(tenant_id, case_id, wrapped)
        ciphertext = seal(data_key, plaintext, self._aad(tenant_id, case_id, "state", DEK_GENERATION))
        return SealedBlob(ciphertext, wrapped_key, version)

    def open(self, tenant_id: str, case_id: str, blob: SealedBlob) -> bytes:
        """Open sealed state; raises keys.errors.DecryptionFailed on any tampering."""
        data_key, _, _ = self._data_key(tenant_id, case_id, blob)
        return open_sealed(data_key, blob.ciphertext, self._aad(tenant_id, case_id, "state", DEK_GENERATION))

    def rewrap(self, tenant_id: str, case_id: str, blob: SealedBlob) -> SealedBlob:
        """Re-wrap the data key under the active KEK version; the ciphertext is untouched."""
        data_key, _, _ = self._data_key(tenant_id, case_id, blob)
        active = self.keyring.active_version()
        wrapped_key = wrap_key(self.keyring.get(active), data_key, self._aad(tenant_id, case_id, "dek", active))
        return SealedBlob(blob.ciphertext, wrapped_key, active)
