"""Engine API methods for the BPMN designer (a mixin of engine.facade.Engine), issue 8.

What the auditor's designer needs besides validate/deploy: the lists it offers (roles, forms,
SLA policies), deployed versions with their running cases, drafts, a dry run, the diff against
the running version, and case migration between versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from engine.domain.roles import LANE_ROLES, ROLES
from engine.errors import NotFound
from engine.services import bpmn_diff, drafts, dryrun, migrate
from engine.services.migrate import MigrationResult

SYSTEM = "system"
_UNITS = {
    "business_days": ("días hábiles", "business days"), "calendar_days": ("días calendario", "calendar days"),
    "months": ("meses", "months"), "years": ("años", "years"), "event": ("evento", "event"),
    "immediate": ("inmediato", "immediate"),
}


class DesignerApi:
    """Mixin: designer operations of the Engine. Uses self.rt (Runtime) and self.default_tenant."""

    rt: Any
    default_tenant: str

    def designer_meta(self, lang: str = "es") -> dict[str, list[dict[str, Any]]]:
        """Roles (lanes), forms and SLA policies the designer offers, with labels in `lang`."""
        en = lang == "en"
        roles = [{"id": r.code, "label": r.label_en if en else r.label_es} for r in ROLES if r.code in LANE_ROLES]
        forms, seen = [], set()
        for definition in self.rt.definitions.values():
            for form in definition.forms.values():
                if form.id not in seen:
                    seen.add(form.id)
                    forms.append({"id": form.id, "label": form.title(lang), "process_id": definition.process_id})
        policies = []
        for policy_id in self.rt.policies.ids():
            policy = self.rt.policies.get(policy_id)
            unit = _UNITS.get(str(policy.unit), (str(policy.unit), str(policy.unit)))[1 if en else 0]
            policies.append({"id": policy.id, "label": policy.title_en if en else policy.title_es,
                             "unit": unit, "length": policy.length})
        return {"roles": roles, "forms": sorted(forms, key=lambda f: f["id"]), "policies": policies}

    def cases_by_version(self) -> dict[str, dict[int, int]]:
        """{process_id: {version: open cases}}: which running cases are on which version."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.designer.open_case_counts()

    def process_versions(self) -> list[dict[str, Any]]:
        """Every deployed process with its versions (sha256, deployed_at, running cases)."""
        counts = self.cases_by_version()
        with self.rt.uow_factory(readonly=True) as uow:
            definitions = uow.definitions.list_all()
        result: dict[str, dict[str, Any]] = {}
        for d in definitions:
            entry = result.setdefault(d.process_id, {"process_id": d.process_id, "versions": []})
            entry["versions"].append({"version": d.version, "sha256": d.sha256, "deployed_at": d.deployed_at,
                                      "running_cases": counts.get(d.process_id, {}).get(d.version, 0)})
        return list(result.values())

    def process_xml(self, process_id: str, version: int) -> bytes:
        """The BPMN XML of one deployed version."""
        with self.rt.uow_factory(readonly=True) as uow:
            definition = uow.definitions.get(process_id, int(version))
        if definition is None:
            raise NotFound(f"process '{process_id}' has no version {version}")
        return definition.xml

    def save_draft(self, xml: bytes, process_id: str | None, author: str, tenant: str | None = None) -> str:
        """Store a designer draft; return its id."""
        return drafts.save_draft(self.rt, self.rt.uow_factory, xml, process_id, author,
                                 tenant or self.default_tenant)

    def list_drafts(self, tenant: str | None = None) -> list[dict[str, Any]]:
        """Drafts of an entity, newest first (id, process_id, saved_at, author)."""
        return drafts.list_drafts(self.rt.uow_factory, tenant or self.default_tenant)

    def get_draft(self, draft_id: str, tenant: str | None = None) -> dict[str, Any]:
        """One draft with its XML (NotFound otherwise)."""
        return drafts.get_draft(self.rt.uow_factory, draft_id, tenant or self.default_tenant)

    def dry_run(self, xml: bytes, start_date: date, decisions: dict[str, Any] | None = None,
                tenant: str | None = None) -> dict[str, Any]:
        """Simulate a diagram in memory: {path, tasks, problems}. Nothing is persisted."""
        return dryrun.dry_run(self.rt, xml, start_date, dict(decisions or {}), tenant or self.default_tenant)

    def diff_against_running(self, xml: bytes) -> dict[str, Any]:
        """Elements added, removed and changed, and deadlines changed, against the newest deployed version."""
        with self.rt.uow_factory(readonly=True) as uow:
            return bpmn_diff.diff_against_running(xml, uow)

    def migrate_cases(self, case_ids: Iterable[str], to_version: int, actor: str = SYSTEM) -> list[MigrationResult]:
        """Move running cases to another version when their state maps onto it (audited `case.migrate`)."""
        return migrate.migrate_cases(self.rt, self.rt.uow_factory, list(case_ids), int(to_version), actor)
