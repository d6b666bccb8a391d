"""Engine API methods for the content feature (a mixin of engine.facade.Engine).

Encrypted content (narrative, comments, officer notes, attachments), the sealed identity and its
release by the custodian, KEK rotation and crypto-shredding. See docs/encryption.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.services import content as svc
from engine.services import identity as ids
from engine.services import keys_admin, shred
from engine.services.commands import StartCase

SYSTEM = "system"


class ContentApi:
    """Mixin: content operations of the Engine. Uses self.rt (Runtime) and self.default_tenant."""

    rt: Any
    default_tenant: str

    # -- content -----------------------------------------------------------------------------
    def put_content(self, case_id: str, field: str, text: str, actor: str) -> None:
        """Seal one content field (e.g. `narrative`, `officer_note`) of a case (audited)."""
        svc.put_content(self.rt, self.rt.uow_factory, case_id, field, text, actor)

    def content(self, case_id: str, actor: str) -> dict[str, str]:
        """Every content field of a case, decrypted (audited)."""
        return svc.read_content(self.rt, self.rt.uow_factory, case_id, actor)

    def add_comment(self, case_id: str, text: str, actor: str, author_kind: str = "officer") -> str:
        """Add a sealed comment; author_kind is officer, complainant or system. Returns its id."""
        return svc.add_comment(self.rt, self.rt.uow_factory, case_id, text, actor, author_kind)

    def comments(self, case_id: str, actor: str) -> list[svc.Comment]:
        """A case's comments, decrypted, oldest first (audited)."""
        return svc.read_comments(self.rt, self.rt.uow_factory, case_id, actor)

    def add_attachment(self, case_id: str, filename: str, data: bytes, content_type: str, actor: str) -> str:
        """Seal an attachment in memory (size and count limits); return its id (audited)."""
        return svc.add_attachment(self.rt, self.rt.uow_factory, case_id, filename, data, content_type, actor)

    def attachment(self, case_id: str, attachment_id: str, actor: str) -> tuple[str, str, bytes]:
        """(filename, content_type, bytes) of an attachment (audited)."""
        return svc.read_attachment(self.rt, self.rt.uow_factory, case_id, attachment_id, actor)

    def attachments(self, case_id: str, actor: str | None = None) -> list[svc.AttachmentInfo]:
        """A case's attachments; names and types are decrypted (and audited) only when `actor` is given."""
        return svc.list_attachments(self.rt, self.rt.uow_factory, case_id, actor)

    def start_case_with_content(self, process_id: str, data: dict | None, content: Mapping[str, Any],
                                actor: str | None = None, tenant: str | None = None) -> str:
        """Start a case and seal its content in one unit of work (one commit); return the case id."""
        cmd = StartCase(process_id, actor or SYSTEM, tenant or self.default_tenant, dict(data or {}))
        return svc.start_case_with_content(self.rt, self.rt.uow_factory, cmd, content)

    def split_form_data(self, process_id: str, form_id: str | None,
                        raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Validate a form and split it into (workflow data, content); FormInvalid on errors."""
        return svc.split_form_data(self.rt, process_id, form_id, raw)

    # -- sealed identity ---------------------------------------------------------------------
    def init_custodian(self, passphrase: str, actor: str = SYSTEM) -> str:
        """Create the custodian key pair in the identity keyring folder; return its fingerprint."""
        return ids.init_custodian(self.rt, self.rt.uow_factory, passphrase, actor)

    def seal_identity(self, case_id: str, identity: Mapping[str, Any], actor: str) -> str:
        """Seal the complainant's identity for the custodian only; return the identity code."""
        return ids.seal_identity(self.rt, self.rt.uow_factory, case_id, identity, actor)

    def identity_code(self, case_id: str) -> str | None:
        """The código cifrado officers see instead of the identity, or None."""
        return ids.identity_code(self.rt, self.rt.uow_factory, case_id)

    def request_identity_release(self, case_id: str, officer: str, legal_basis: str, actor: str) -> str:
        """Ask the custodian to release the identity to a named officer; AccessDenied without custodian."""
        return ids.request_identity_release(self.rt, self.rt.uow_factory, case_id, officer, legal_basis, actor)

    def decide_identity_release(self, request_id: str, custodian_passphrase: str, approve: bool, actor: str,
                                exempt_notice_reason: str | None = None) -> str:
        """The custodian approves (re-wrap to the officer, audit, notice) or denies; returns the state."""
        return ids.decide_identity_release(self.rt, self.rt.uow_factory, request_id, custodian_passphrase,
                                           approve, actor, exempt_notice_reason)

    def read_identity(self, case_id: str, officer: str, passphrase: str) -> dict[str, Any]:
        """The identity, for the officer it was released to only (audited)."""
        return ids.read_identity(self.rt, self.rt.uow_factory, case_id, officer, passphrase)

    def ensure_officer_keypair(self, user: str, passphrase: str, replace: bool = False) -> str:
        """Create (or keep) an officer's passphrase-locked X25519 key pair; return its fingerprint."""
        return ids.ensure_officer_keypair(self.rt, self.rt.uow_factory, user, passphrase, replace)

    def complainant_notices(self, case_id: str) -> list[dict[str, Any]]:
        """Content-free notices queued for a case's complainant."""
        return ids.complainant_notices(self.rt, self.rt.uow_factory, case_id)

    # -- keys and shredding ------------------------------------------------------------------
    def rotate_keys(self, purpose: str = "all", actor: str = SYSTEM) -> list[keys_admin.Rotation]:
        """Rotate KEKs (workflow, content or all) and re-wrap every case key; ciphertext unchanged."""
        return keys_admin.rotate(self.rt, self.rt.uow_factory, purpose, actor)

    def retire_key(self, version: int, purpose: str, actor: str = SYSTEM) -> None:
        """Destroy an unused, non-active KEK version."""
        keys_admin.retire(self.rt, self.rt.uow_factory, version, purpose, actor)

    def shred_case(self, case_id: str, reason: str, actor: str = SYSTEM,
                   destroy_epoch: bool = True) -> shred.ShredResult:
        """Crypto-shred a case: destroy its keys and blobs, keep a tombstone (audited)."""
        return shred.shred_case(self.rt, self.rt.uow_factory, case_id, reason, actor, destroy_epoch)

    def tombstone(self, case_id: str) -> dict | None:
        """The content-free tombstone of a shredded case, or None."""
        return shred.tombstone(self.rt, self.rt.uow_factory, case_id)
