"""The expected answer of every endpoint × method × role (SECURITY.md test 3).

A cell is "STATUS" or "STATUS /redirect-path" ({case} stands for complaint A's id). Roles:
anonymous; complainant_a / complainant_b (receipt sessions of complaints A and B); assigned (oii
officer holding A's task); unassigned (oii officer of the same entity, task held by someone else);
other_tenant (oii officer of another entity); custodian; auditor; admin. Requests carry empty
bodies, so state-changing endpoints show their validation answer.

Reading guide: 302 /ingresar or /seguimiento = not signed in; 403 = signed in without the role or
assignment; 404 = not visible (other entity, conflict of interest, no content access): the same
answer as for an id that does not exist.
"""

ROLES = ("anonymous", "complainant_a", "complainant_b", "assigned", "unassigned", "other_tenant", "custodian",
         "auditor", "admin")


def row(*cells: str) -> dict:
    """A row in ROLES order."""
    assert len(cells) == len(ROLES)
    return dict(zip(ROLES, cells, strict=True))


L = "302 /ingresar"          # officer login required
F = "302 /seguimiento"       # receipt session required
FC = "302 /seguimiento/caso"  # complainant action done (flash), back to the follow-up page
B = "302 /bandeja"           # already signed in, or action done: back to the inbox

EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ('admin.calendar', 'GET'): row(L, L, L, '403', '403', '403', '403', '403', '200'),
    ('admin.calendar', 'POST'): row(L, L, L, '403', '403', '403', '403', '403', '302 /admin/calendario'),
    ('admin.entities', 'GET'): row(L, L, L, '403', '403', '403', '403', '403', '200'),
    ('admin.entities', 'POST'): row(L, L, L, '403', '403', '403', '403', '403', '200'),
    ('admin.index', 'GET'): row(L, L, L, '403', '403', '403', '403', '200', '200'),
    ('admin.policies', 'GET'): row(L, L, L, '403', '403', '403', '403', '403', '200'),
    ('admin.policies', 'POST'): row(L, L, L, '403', '403', '403', '403', '403', '200'),
    ('admin.reset_password', 'POST'): row(L, L, L, '403', '403', '403', '403', '403', '200'),
    ('admin.update_user', 'POST'): row(L, L, L, '403', '403', '403', '403', '403', '302 /admin/usuarios'),
    ('admin.users', 'GET'): row(L, L, L, '403', '403', '403', '403', '403', '200'),
    ('admin.users', 'POST'): row(L, L, L, '403', '403', '403', '403', '403', '200'),
    ('api.claim_task', 'POST'): row('401', '401', '401', '401', '401', '401', '401', '401', '401'),
    ('api.complete_task', 'POST'): row('401', '401', '401', '401', '401', '401', '401', '401', '401'),
    ('api.create_intake', 'POST'): row('401', '401', '401', '401', '401', '401', '401', '401', '401'),
    ('api.export_cases', 'GET'): row('401', '401', '401', '401', '401', '401', '401', '401', '401'),
    ('api.export_reprac', 'GET'): row('401', '401', '401', '401', '401', '401', '401', '401', '401'),
    ('api.get_case', 'GET'): row('401', '401', '401', '401', '401', '401', '401', '401', '401'),
    ('api.list_cases', 'GET'): row('401', '401', '401', '401', '401', '401', '401', '401', '401'),
    ('api.list_deadlines', 'GET'): row('401', '401', '401', '401', '401', '401', '401', '401', '401'),
    ('api.list_tasks', 'GET'): row('401', '401', '401', '401', '401', '401', '401', '401', '401'),
    ('api.openapi', 'GET'): row('200', '200', '200', '200', '200', '200', '200', '200', '200'),
    ('auth.enroll', 'GET'): row(L, L, L, L, L, L, L, L, L),
    ('auth.enroll', 'POST'): row(L, L, L, L, L, L, L, L, L),
    ('auth.login', 'GET'): row(
        '200', '200', '200', B, B, B, B, B, B),
    ('auth.login', 'POST'): row(
        '200', '200', '200', B, B, B, B, B, B),
    ('auth.logout', 'POST'): row(L, L, L, L, L, L, L, L, L),
    ('auth.totp', 'GET'): row(L, L, L, L, L, L, L, L, L),
    ('auth.totp', 'POST'): row(L, L, L, L, L, L, L, L, L),
    # The auditor's BPMN designer (issue 8): JSON routes answer 401/403 as JSON; form posts get 415.
    ('designer.api_root', 'GET'): row('401', '401', '401', '403', '403', '403', '403', '200', '403'),
    ('designer.deploy', 'POST'): row('401', '401', '401', '403', '403', '403', '403', '415', '403'),
    ('designer.diff', 'POST'): row('401', '401', '401', '403', '403', '403', '403', '415', '403'),
    ('designer.drafts', 'GET'): row('401', '401', '401', '403', '403', '403', '403', '200', '403'),
    ('designer.dryrun', 'POST'): row('401', '401', '401', '403', '403', '403', '403', '415', '403'),
    ('designer.get_draft', 'GET'): row('401', '401', '401', '403', '403', '403', '403', '404', '403'),
    ('designer.meta', 'GET'): row('401', '401', '401', '403', '403', '403', '403', '200', '403'),
    ('designer.page', 'GET'): row(L, L, L, '403', '403', '403', '403', '200', '403'),
    ('designer.process_xml', 'GET'): row('401', '401', '401', '403', '403', '403', '403', '200', '403'),
    ('designer.processes', 'GET'): row('401', '401', '401', '403', '403', '403', '403', '200', '403'),
    ('designer.save_draft', 'POST'): row('401', '401', '401', '403', '403', '403', '403', '415', '403'),
    ('designer.validate', 'POST'): row('401', '401', '401', '403', '403', '403', '403', '415', '403'),
    ('cases.attachment', 'GET'): row(L, L, L, '200', '404', '404', '404', '403', '403'),
    ('cases.decide_identity', 'POST'): row(L, L, L, '403', '403', '403', '302 /casos/{case}', '403', '403'),
    ('cases.message', 'POST'): row(L, L, L, '302 /casos/{case}', '404', '404', '404', '403', '403'),
    ('cases.read_identity', 'POST'): row(L, L, L, '302 /casos/{case}', '404', '404', '404', '403', '403'),
    ('cases.request_identity', 'POST'): row(L, L, L, '302 /casos/{case}', '404', '404', '404', '403', '403'),
    ('cases.show', 'GET'): row(L, L, L, '200', '404', '404', '200', '403', '403'),
    ('followup.attach', 'POST'): row(F, FC, FC, F, F, F, F, F, F),
    ('followup.case', 'GET'): row(F, '200', '200', F, F, F, F, F, F),
    ('followup.identity', 'POST'): row(F, FC, FC, F, F, F, F, F, F),
    ('followup.login', 'GET'): row('200', FC, FC, '200', '200', '200', '200', '200', '200'),
    ('followup.login', 'POST'): row('200', '200', '200', '200', '200', '200', '200', '200', '200'),
    ('followup.logout', 'POST'): row(F, F, F, F, F, F, F, F, F),
    ('followup.message', 'POST'): row(F, FC, FC, F, F, F, F, F, F),
    ('followup.protection', 'POST'): row(F, FC, FC, F, F, F, F, F, F),
    ('healthz', 'GET'): row('200', '200', '200', '200', '200', '200', '200', '200', '200'),
    ('metrics', 'GET'): row(L, L, L, '403', '403', '403', '403', '200', '200'),
    ('home', 'GET'): row('200', '200', '200', '200', '200', '200', '200', '200', '200'),
    ('inbox.claim', 'POST'): row(L, L, L, B, '403', '404', '403', '403', '403'),
    ('inbox.index', 'GET'): row(L, L, L, '200', '200', '200', '200', '403', '403'),
    ('inbox.notice_read', 'POST'): row(L, L, L, '404', '404', '404', '404', '403', '403'),
    ('inbox.reassign', 'POST'): row(L, L, L, '403', '403', '403', '403', '403', '403'),
    ('inbox.release', 'POST'): row(L, L, L, B, '403', '404', '403', '403', '403'),
    ('inbox.submit', 'POST'): row(L, L, L, '422', '403', '404', '403', '403', '403'),
    ('inbox.task', 'GET'): row(L, L, L, '200', '403', '404', '403', '403', '403'),
    ('intake.receipt_pdf', 'POST'): row('404', '404', '404', '404', '404', '404', '404', '404', '404'),
    ('intake.saved', 'POST'): row('422', '422', '422', '422', '422', '422', '422', '422', '422'),
    ('intake.start', 'GET'): row('200', '200', '200', '200', '200', '200', '200', '200', '200'),
    ('intake.submit', 'POST'): row('422', '422', '422', '422', '422', '422', '422', '422', '422'),
    ('public.transparency', 'GET'): row('200', '200', '200', '200', '200', '200', '200', '200', '200'),
    ('reports.case_file', 'GET'): row(L, L, L, '403', '403', '403', '403', '404', '403'),
    ('reports.export_cases', 'GET'): row(L, L, L, '403', '403', '403', '403', '200', '403'),
    ('reports.export_reprac', 'GET'): row(L, L, L, '403', '403', '403', '403', '400', '403'),
    ('reports.index', 'GET'): row(L, L, L, '403', '403', '403', '403', '200', '403'),
    ('reports.indicators', 'GET'): row(L, L, L, '403', '403', '403', '403', '200', '403'),
}
