"""probidad key management: AEAD, envelope keys, keyrings, custodian keys, shredding.

A leaf package: it imports only the standard library and ``cryptography``.
Everything public is listed in ``__all__``; other modules are private by
convention.  See SECURITY.md properties 1-7.
"""

from keys.aead import Aad, open_sealed, seal
from keys.custodian import (
    CustodianKeys,
    fingerprint,
    generate_keypair,
    public_key_from_private,
    unlock_private_key,
    unwrap_with_private,
    wrap_to_public,
)
from keys.envelope import UsageCounter, new_data_key, subkey, unwrap_key, wrap_key
from keys.errors import (
    DecryptionFailed,
    InvalidKeyMaterial,
    KeyInUse,
    KeyNotFound,
    KeyRevoked,
    KeyRingExists,
    KeysError,
    TooLarge,
    UsageLimitExceeded,
)
from keys.keyring import FileKeyRing, KeyRing, MemoryKeyRing
from keys.shred import destroy_file, wipe
from keys.streaming import decrypt_bytes, decrypt_stream, encrypt_bytes, encrypt_stream, sealed_size

__all__ = [
    "Aad",
    "CustodianKeys",
    "DecryptionFailed",
    "FileKeyRing",
    "InvalidKeyMaterial",
    "KeyInUse",
    "KeyNotFound",
    "KeyRevoked",
    "KeyRing",
    "KeyRingExists",
    "KeysError",
    "MemoryKeyRing",
    "TooLarge",
    "UsageCounter",
    "UsageLimitExceeded",
    "decrypt_bytes",
    "decrypt_stream",
    "destroy_file",
    "encrypt_bytes",
    "encrypt_stream",
    "fingerprint",
    "generate_keypair",
    "new_data_key",
    "open_sealed",
    "public_key_from_private",
    "seal",
    "sealed_size",
    "subkey",
    "unlock_private_key",
    "unwrap_key",
    "unwrap_with_private",
    "wipe",
    "wrap_key",
    "wrap_to_public",
]
