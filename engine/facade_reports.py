"""Engine API methods for the reports feature (a mixin of engine.facade.Engine).

Dashboards, integrity indicators, the public transparency page, exports (CSV, XLSX, REPRAC, case
file PDF), API tokens and retention. The web layer and the CLI call only these methods.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.services import api_tokens, exports, indicators, reports, retention


class ReportsApi:
    """Mixin: reports operations of the Engine. Uses self.rt (Runtime) and self.default_tenant."""

    # -- dashboards and indicators -----------------------------------------------------------
    def dashboard(self, tenant: str | None = None, now: datetime | None = None) -> list[reports.Figure]:
        """Every dashboard figure (chart + table rows) for one entity, or overall when tenant is None."""
        with self.rt.uow_factory(readonly=True) as uow:
            return reports.dashboard(self.rt, uow, tenant, now or self.rt.now())

    def indicators(self, tenant: str | None = None, now: datetime | None = None) -> list[indicators.Indicator]:
        """The integrity-model indicator panel of an entity (overall when tenant is None)."""
        with self.rt.uow_factory(readonly=True) as uow:
            return indicators.panel(self.rt, uow, tenant, now or self.rt.now())

    def report_tenants(self) -> list[str]:
        """Entities that have cases."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.reports.tenants()

    def transparency(self) -> dict[str, Any]:
        """The public page's data: suppressed per-entity counts (k >= 5) and published control reports."""
        with self.rt.uow_factory(readonly=True) as uow:
            return indicators.transparency(uow)

    def case_facts(self, case_id: str) -> list[tuple[str, str]]:
        """A case's plaintext facts (allow-listed workflow variables)."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.reports.facts(case_id)

    def deadline_report(self, tenant: str | None = None, process_id: str | None = None,
                        now: datetime | None = None) -> list[dict[str, Any]]:
        """Every office deadline with its SLA outcome (on_time, late, running) and business days late."""
        now = now or self.rt.now()
        with self.rt.uow_factory(readonly=True) as uow:
            return reports.deadline_list(self.rt, uow, tenant, process_id, now)

    # -- exports -----------------------------------------------------------------------------
    export_fields = exports.EXPORT_FIELDS

    def export_cases(self, actor: str, fmt: str = "csv", fields: list[str] | None = None,
                     tenant: str | None = None, process_id: str | None = None, status: str | None = None) -> bytes:
        """A case list as CSV or XLSX with the chosen fields (audited)."""
        return exports.export_cases(self.rt, actor, fmt, fields, tenant, process_id, status)

    def export_reprac(self, actor: str, year: int, quarter: int, fmt: str = "csv", tenant: str | None = None) -> bytes:
        """The quarterly REPRAC export as CSV or XLSX (audited)."""
        return exports.export_reprac(self.rt, actor, fmt, year, quarter, tenant)

    def case_file(self, case_id: str, actor: str, passphrase: str | None = None) -> exports.CaseFile:
        """The case file PDF with its hash manifest; identity redacted unless released to `actor` (audited)."""
        return exports.case_file(self.rt, case_id, actor, passphrase)

    # -- API tokens --------------------------------------------------------------------------
    def create_api_token(self, entity: str, role: str, name: str, actor: str = "system") -> tuple[str, str]:
        """(token_id, token): the token is shown once; only its HMAC is stored (audited)."""
        return api_tokens.create(self.rt, entity, role, name, actor)

    def revoke_api_token(self, token_id: str, actor: str = "system") -> None:
        """Revoke an API token (audited)."""
        api_tokens.revoke(self.rt, token_id, actor)

    def api_tokens(self) -> list[dict[str, Any]]:
        """Every API token without its hash."""
        return api_tokens.listing(self.rt)

    def authenticate_api_token(self, token: str | None) -> api_tokens.ApiClient:
        """The API client of a bearer token; AccessDenied when unknown or revoked."""
        return api_tokens.authenticate(self.rt, token)

    # -- retention ---------------------------------------------------------------------------
    def set_retention(self, process_id: str, years: int, actor: str = "system", tenant: str | None = None) -> None:
        """Keep an entity's closed cases of a process for `years` years, then crypto-shred (audited)."""
        retention.set_policy(self.rt, tenant or self.default_tenant, process_id, years, actor)

    def retention_policies(self, tenant: str | None = None) -> list[dict]:
        """Retention policies."""
        return retention.policies(self.rt, tenant)

    def legal_hold(self, case_id: str, basis: str, actor: str = "system") -> None:
        """Put a case on legal hold (audited)."""
        retention.hold(self.rt, case_id, basis, actor)

    def release_legal_hold(self, case_id: str, actor: str = "system") -> int:
        """Lift a case's legal holds (audited)."""
        return retention.release(self.rt, case_id, actor)

    def on_legal_hold(self, case_id: str) -> bool:
        """True while a case has an active legal hold."""
        return retention.is_held(self.rt, case_id)

    def run_retention(self, actor: str = "system:retention", now: datetime | None = None,
                      destroy_epoch: bool = True) -> retention.RetentionRun:
        """Crypto-shred every case past its retention term and not on hold (audited)."""
        return retention.run(self.rt, actor, now, destroy_epoch)
