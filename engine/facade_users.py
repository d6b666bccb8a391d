"""Engine API methods for the users feature (a mixin of engine.facade.Engine).

Users, entities, passwords and TOTP, receipts, conflict markers, access decisions, task claims,
and the form and role metadata the web layer renders (it may not import engine.domain).
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.clock import to_lima
from engine.domain.roles import ROLES
from engine.errors import NotFound
from engine.services import access, queries, users
from engine.services.context import tenant_rules


class UsersApi:
    """Mixin: users operations of the Engine. Uses self.rt (Runtime) and self.default_tenant."""

    # -- configuration ---------------------------------------------------------------------
    def configure_password_hashing(self, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4) -> None:
        """Set Argon2id costs for passwords and receipts (lower only in tests)."""
        users.configure_hashing(self.rt, time_cost, memory_cost, parallelism)

    # -- entities and users ----------------------------------------------------------------
    def create_entity(self, entity_id: str, name: str, actor: str = "system"):
        """Create an entity (tenant)."""

        return users.create_entity(self.rt, entity_id, name, actor)

    def entity(self, entity_id: str):
        """An entity or None."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.users.entity(entity_id)

    def entities(self) -> list:
        """Every entity."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.users.entities()

    def create_user(self, username: str, password: str, full_name: str, roles: Iterable[str],
                    tenant: str | None = None, superior: str | None = None, actor: str = "system"):
        """Create a user with an Argon2id password hash."""

        return users.create_user(self.rt, username, password, full_name, roles, tenant or self.default_tenant,
                                 superior, actor)

    def authenticate(self, username: str, password: str):
        """The active user with this password, or None (Argon2 always runs)."""

        return users.authenticate(self.rt, username, password)

    def user(self, user_id: str):
        """A user by id, or None."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.users.get(user_id) if user_id else None

    def user_by_username(self, username: str):
        """A user by username, or None."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.users.by_username((username or "").strip().lower())

    def users(self, tenant: str | None = None) -> list:
        """Users (of one entity when given)."""
        with self.rt.uow_factory(readonly=True) as uow:
            return uow.users.list(tenant)

    def set_roles(self, user_id: str, roles: Iterable[str], actor: str) -> None:
        """Replace a user's roles (audited)."""
        self.update_user(user_id, actor, roles=tuple(roles))

    def update_user(self, user_id: str, actor: str, **changes) -> None:
        """Change roles, tenant_id, superior_id, full_name or active (audited)."""

        users.update_user(self.rt, user_id, actor, **changes)

    def reset_password(self, user_id: str, password: str, actor: str) -> None:
        """Set a new password; grants no access to any content key (SECURITY.md property 4)."""

        users.set_password(self.rt, user_id, password, actor)

    # -- TOTP ------------------------------------------------------------------------------
    def enroll_totp(self, user_id: str, actor: str, confirmed: bool = False) -> str:
        """Generate a new sealed TOTP secret for a user and return it (for the QR code)."""

        return users.enroll_totp(self.rt, user_id, actor, confirmed)

    def totp_secret(self, user_id: str) -> str | None:
        """The user's TOTP secret while enrolment is pending (None once confirmed)."""

        user = self.user(user_id)
        if user is None or user.totp_enrolled:
            return None
        return users.totp_secret(self.rt, user_id)

    def totp_uri(self, user_id: str, issuer: str = "probidad") -> str | None:
        """The otpauth:// URI of a pending enrolment (drawn as a QR code)."""
        import pyotp

        secret = self.totp_secret(user_id)
        user = self.user(user_id)
        if secret is None or user is None:
            return None
        return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)

    def verify_totp(self, user_id: str, code: str) -> bool:
        """Check a TOTP code; a code already used in its window is refused."""

        return users.verify_totp(self.rt, user_id, code)

    # -- receipts and conflicts ------------------------------------------------------------
    def issue_receipt(self, case_id: str) -> str:
        """Create the complainant's receipt for a case (shown once; only its hash is kept)."""

        return users.issue_receipt(self.rt, case_id)

    def check_receipt(self, receipt: str) -> str | None:
        """The case id a receipt opens, or None (constant work)."""

        return users.check_receipt(self.rt, receipt)

    def mark_accused(self, case_id: str, names: Iterable[str], actor: str = "system") -> int:
        """Store content-free conflict markers for the accused names of a case."""

        return access.mark_accused(self.rt, case_id, names, actor)

    def exclude_user(self, case_id: str, user_id: str, actor: str) -> None:
        """Exclude a user from a case (declared conflict of interest)."""

        access.exclude_user(self.rt, case_id, user_id, actor)

    # -- access and tasks ------------------------------------------------------------------
    def case_access(self, user, case_id: str):
        """What `user` may do with a case: view, content, identity_panel, conflicted."""

        return access.case_access(self.rt, user, case_id)

    def task_for(self, user, task_id: str):
        """A task `user` may work; AccessDenied or NotFound otherwise."""

        return queries.task_view(access.task_access(self.rt, user, task_id))

    def claim_task(self, user, task_id: str) -> None:
        """Take a task of one's lane."""

        access.claim(self.rt, user, task_id)

    def release_task(self, user, task_id: str) -> None:
        """Give a task back to the lane."""

        access.release(self.rt, user, task_id)

    def reassign_task(self, chief, task_id: str, target_user_id: str) -> None:
        """A chief reassigns a task to an officer of the lane."""

        access.reassign(self.rt, chief, task_id, self.user(target_user_id))

    def inbox(self, user, process_id: str | None = None, mine_only: bool = False, limit: int = 25,
              offset: int = 0) -> tuple[list, int]:
        """(tasks, total) for a user: their lanes in their entity, overdue first, no conflicts."""

        lanes = None if user.has_role("chief") else list(user.roles)
        with self.rt.uow_factory(readonly=True) as uow:
            rows = uow.tasks.query(lanes=lanes, tenant_id=user.tenant_id, process_id=process_id, limit=5000)
            blocked = uow.users.conflicted_cases(user.id, self._name_marker(user.full_name))
        chief = user.has_role("chief")
        visible = [r for r in rows if r.case_id not in blocked and (chief or r.assignee in (None, user.id))]
        if mine_only:
            visible = [r for r in visible if r.assignee == user.id]
        return [queries.task_view(r) for r in visible[offset:offset + limit]], len(visible)

    def _name_marker(self, name: str) -> str | None:

        return access.name_marker(self.rt, name)

    # -- sessions --------------------------------------------------------------------------
    def start_session(self, kind: str, subject: str) -> str:
        """Open a server-side session ('officer' user id or 'complainant' case id); return its token."""
        return users.start_session(self.rt, kind, subject)

    def resolve_session(self, token: str, idle_seconds: int = 900) -> tuple[str, str] | None:
        """(kind, subject) of a live session; expired or unknown sessions give None."""
        return users.resolve_session(self.rt, token, idle_seconds)

    def end_session(self, token: str) -> None:
        """Logout: the session token stops working at once."""
        users.end_session(self.rt, token)

    def now(self):
        """The current instant from the engine's clock (aware UTC)."""
        return self.rt.now()

    def business_days_left(self, due_at, tenant: str | None = None) -> int | None:
        """Business days from today (Lima) to a due instant; negative when overdue."""
        if due_at is None:
            return None
        with self.rt.uow_factory(readonly=True) as uow:
            calendar = tenant_rules(self.rt, uow, tenant or self.default_tenant).calendar
        today = to_lima(self.rt.now()).date()
        return calendar.business_days_between(today, to_lima(due_at).date())

    # -- metadata for the web layer --------------------------------------------------------
    def roles(self) -> tuple:
        """Every role (code, label_es, label_en, internal)."""
        return ROLES

    def process_info(self, process_id: str):
        """The WorkflowDefinition of a process (forms, start form, status labels), or None."""
        return self.rt.definition(process_id)

    def form(self, process_id: str, form_id: str):
        """A task or start form of a process; NotFound when missing."""
        definition = self.rt.definition(process_id)
        form = definition.form(form_id) if definition is not None else None
        if form is None:
            raise NotFound(f"form {form_id} not found")
        return form

    def status_label(self, case, lang: str = "es") -> str:
        """A plain-language status for the complainant, from the ready task or the end reached."""
        definition = self.rt.definition(case.process_id)
        labels = definition.status_labels if definition is not None else {}
        keys = [t.name for t in case.tasks] + [case.outcome or ""]
        for key in keys:
            if key in labels:
                es, en = labels[key]
                return en if lang == "en" else es
        if case.status == "closed":
            return "Closed" if lang == "en" else "Concluida"
        return "In progress" if lang == "en" else "En trámite"

    def policies(self, tenant: str | None = None) -> list[dict]:
        """SLA policies with their legal basis and the entity's overrides (admin page)."""
        tenant = tenant or self.default_tenant
        with self.rt.uow_factory(readonly=True) as uow:
            overrides = uow.users.override_details(tenant)
        rows = []
        for policy in self.rt.policies:
            rows.append({"id": policy.id, "timer": policy.timer, "title_es": policy.title_es,
                         "title_en": policy.title_en, "length": policy.length, "unit": str(policy.unit),
                         "basis": policy.basis, "verified": policy.verified,
                         "override": overrides.get(policy.id)})
        return rows
