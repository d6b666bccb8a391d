"""Notifications carry no case content (SECURITY.md property 7 and test 13; issue 11).

A complaint with canaries in its narrative, accused, evidence, comments and sealed identity runs
through every reminder and escalation of its deadlines, the daily digest, an identity release (its
complainant notice) and a deadline-report export. Every e-mail (captured by the CapturingNotifier
fake; tests/integration/test_smtp_sink.py and test_system_canary.py use a real SMTP server), every
in-app notice and every complainant notice is searched for the canaries and the receipt: 0 hits.
"""

from __future__ import annotations

from datetime import timedelta

from engine.testing import CapturingNotifier
from tests.web.conftest import CUSTODIAN_PASSPHRASE, PASSWORD

KINDS = ("narrative", "accused", "evidence", "comment", "identity", "contact")


def test_reminders_digests_and_notices_carry_no_content(custodian_world, canaries):
    world = custodian_world
    engine = world.engine
    c = canaries(KINDS)
    notifier = CapturingNotifier()
    engine.rt.notifier = notifier
    officer = world.users["assigned"]
    for level in ("assignee", "superior", "office_head", "entity_head"):
        engine.add_notify_recipient("*", level, officer.id, "oficial@example.pe")
    data = {"channel": "web", "anonymous": False, "protection_requested": False,
            "reason_categories": ["bribery"], "fact_date": "2025-01-02"}
    case_id = engine.start_case_with_content("denuncia", data, {"narrative": c["narrative"], "accused": c["accused"],
                                                                "evidence": c["evidence"]}, actor="complainant")
    engine.mark_accused(case_id, [c["accused"]])
    engine.seal_identity(case_id, {"identity": c["identity"], "contact": c["contact"]}, actor="complainant")
    engine.add_comment(case_id, c["comment"], actor="complainant", author_kind="complainant")
    receipt = engine.issue_receipt(case_id)
    engine.ensure_officer_keypair(officer.id, PASSWORD)
    request = engine.request_identity_release(case_id, officer.id, "Orden judicial 4-2025", actor="chief")
    engine.decide_identity_release(request, CUSTODIAN_PASSPHRASE, True, actor="custodian")
    for _ in range(40):  # past every reminder and escalation of the acknowledgement and the 3-month feedback
        world.clock.advance(timedelta(days=3))
        engine.tick()
        engine.send_reminders()
        engine.send_digest()
    assert notifier.sent, "no e-mail was sent: the check would prove nothing"
    notices = engine.notifications(officer.id, unread_only=False, limit=1000)
    assert notices
    complainant = engine.complainant_notices(case_id)
    assert [n["kind"] for n in complainant] == ["identity_release"]
    c.values["receipt"] = receipt
    haystack = repr(notifier.sent) + repr(notices) + repr(complainant) + repr(engine.deadline_report())
    assert c.hits(haystack) == []
    assert c.hits(repr(notifier.sent) + c["comment"]) == ["comment"]  # the search itself works
