"""Sealing workflow state: a per-case data key wrapped by the workflow KEK (ARCHITECTURE §2.2).

The wrapped data key's AAD binds `tenant|case|workflow|dek|kek-version`; the state's AAD binds
`tenant|case|workflow|state|dek-generation`. A blob or wrapped key moved to another case, object or
key version fails to open, and KEK rotation re-wraps keys without touching the state ciphertext.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from engine.domain.model import SealedBlob
from keys.aead import Aad, open_sealed, seal
from keys.envelope import new_data_key, unwrap_key, wrap_key
from keys.keyring import KeyRing

DEK_GENERATION = 1
DEK_CACHE_SIZE = 256


class EnvelopeSealer:
    """Seals state under the workflow keyring. Holds no content keys."""

    def __init__(self, keyring: KeyRing, obj: str = "workflow", remember: int = DEK_CACHE_SIZE):
        self.keyring = keyring
        self.obj = obj
        # Data keys this process unwrapped or made lately, by (tenant, case, wrapped key, KEK version): the
        # next seal of the same case reuses its key without reading the KEK file and unwrapping (issue 10).
        # A changed or tampered wrapped key, version or context is another entry, so it is unwrapped (and
        # checked) as before. Shredding forgets the case. Same residency as engine/services/live_cache.py.
        self._deks: OrderedDict[tuple[str, str, bytes, int], bytes] = OrderedDict()
        self._remember = remember
        self._lock = threading.Lock()

    def _recall(self, key: tuple[str, str, bytes, int]) -> bytes | None:
        with self._lock:
            data_key = self._deks.get(key)
            if data_key is not None:
                self._deks.move_to_end(key)
            return data_key

    def _keep(self, key: tuple[str, str, bytes, int], data_key: bytes) -> None:
        if self._remember <= 0:
            return
        with self._lock:
            self._deks[key] = data_key
            while len(self._deks) > self._remember:
                self._deks.popitem(last=False)

    def forget(self, case_id: str) -> None:
        """Drop every data key this process remembers for a case (shredding)."""
        with self._lock:
            for key in [k for k in self._deks if k[1] == case_id]:
                del self._deks[key]

    def _aad(self, tenant_id: str, case_id: str, field: str, version: int) -> Aad:
        return Aad(tenant=tenant_id, case=case_id, obj=self.obj, field=field, key_version=version)

    def _data_key(self, tenant_id: str, case_id: str, wrapped: SealedBlob | None) -> tuple[bytes, bytes, int]:
        if wrapped is None:
            version = self.keyring.active_version()
            data_key = new_data_key()
            wrapped_key = wrap_key(self.keyring.get(version), data_key, self._aad(tenant_id, case_id, "dek", version))
            self._keep((tenant_id, case_id, wrapped_key, version), data_key)
            return data_key, wrapped_key, version
        remembered = (tenant_id, case_id, wrapped.wrapped_key, wrapped.kek_version)
        key = self._recall(remembered)
        if key is None:
            key = unwrap_key(self.keyring.get(wrapped.kek_version), wrapped.wrapped_key,
                             self._aad(tenant_id, case_id, "dek", wrapped.kek_version))
            self._keep(remembered, key)
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
