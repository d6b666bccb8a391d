"""Tables of the encrypted content store, sealed identities and crypto-shredding (docs/encryption.md).

Every column that could carry content is ciphertext (LargeBinary). Plaintext columns hold ids,
dates, sizes, versions and states only (SECURITY.md property 1).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text, UniqueConstraint

from engine.adapters.schema import TS, metadata

# The per-case content data key, wrapped by the content KEK (AAD tenant|case|content|dek|kek-version).
content_keys = Table(
    "content_keys", metadata,
    Column("case_id", String(32), ForeignKey("cases.id"), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("kek_version", Integer, nullable=False),
    Index("ix_content_keys_version", "kek_version"),
)

content_fields = Table(
    "content_fields", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("field", String(64), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("updated_by", String(100), nullable=False),
    UniqueConstraint("case_id", "field", name="uq_content_field"),
)

content_comments = Table(
    "content_comments", metadata,
    Column("id", String(32), primary_key=True),
    Column("case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("author", String(100), nullable=False),
    Column("author_kind", String(20), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("position", Integer, nullable=False, default=0),
    Column("ciphertext", LargeBinary, nullable=False),
    Index("ix_content_comments_case", "case_id", "created_at"),
)

content_attachments = Table(
    "content_attachments", metadata,
    Column("id", String(32), primary_key=True),
    Column("case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("meta_ciphertext", LargeBinary, nullable=False),
    Column("wrapped_file_key", LargeBinary, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Index("ix_content_attachments_case", "case_id"),
)

# Identity: inner layer wrapped only to the custodian; outer layer under the case's content key.
case_identities = Table(
    "case_identities", metadata,
    Column("case_id", String(32), ForeignKey("cases.id"), primary_key=True),
    Column("identity_code", String(16), nullable=False, unique=True),
    Column("custodian_fingerprint", String(16), nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("custodian_wrapped", LargeBinary, nullable=False),
    Column("created_at", TS, nullable=False),
)

identity_release_requests = Table(
    "identity_release_requests", metadata,
    Column("id", String(32), primary_key=True),
    Column("case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("officer", String(100), nullable=False),
    Column("legal_basis", String(500), nullable=False),
    Column("requested_by", String(100), nullable=False),
    Column("requested_at", TS, nullable=False),
    Column("state", String(20), nullable=False),
    Column("decided_by", String(100)),
    Column("decided_at", TS),
    Column("notice_exemption", String(500)),
    Index("ix_release_case", "case_id"),
)

identity_grants = Table(
    "identity_grants", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("officer", String(100), nullable=False),
    Column("request_id", String(32), nullable=False),
    Column("officer_wrapped", LargeBinary, nullable=False),
    Column("granted_at", TS, nullable=False),
    UniqueConstraint("case_id", "officer", name="uq_identity_grant"),
)

officer_keys = Table(
    "officer_keys", metadata,
    Column("user", String(100), primary_key=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("locked_private_key", LargeBinary, nullable=False),
    Column("fingerprint", String(16), nullable=False),
    Column("created_at", TS, nullable=False),
)

# Queued notices to the complainant (Directive 2019/1937 Art 16(3)); content-free by construction.
complainant_notices = Table(
    "complainant_notices", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("cases.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("reference", String(32)),
    Column("created_at", TS, nullable=False),
    Column("sent_at", TS),
    Index("ix_notices_pending", "sent_at"),
)

case_tombstones = Table(
    "case_tombstones", metadata,
    Column("case_id", String(32), ForeignKey("cases.id"), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("process_id", String(100), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("closed_at", TS),
    Column("shredded_at", TS, nullable=False),
    Column("shredded_by", String(100), nullable=False),
    Column("reason", Text, nullable=False),
)
