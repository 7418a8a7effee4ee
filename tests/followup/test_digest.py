"""The e-mail digest: counts per kind and a link, never a name, case number or content (SECURITY.md L9)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.models import Case
from ketenregie.followup.digest import send_digests
from ketenregie.followup.models import NotificationPreference
from tests.followup.conftest import S, contact

pytestmark = pytest.mark.django_db

NOTE = "Vertelde over het nieuwe lief van zijn moeder."


@pytest.fixture(autouse=True)
def _english_mail(settings):
    """Mails go out in the platform's language; the tests read the English msgids."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def overdue(make_case, case_director, other_case_director, coordinator, ot_member):
    for user, address in (
        (case_director, "lotte@genk.example"),
        (other_case_director, "yusuf@genk.example"),
        (coordinator, "sofie@genk.example"),
        (ot_member, "bart@carma.example"),
    ):
        user.email = address
        user.save(update_fields=["email"])
    # 28 days: before "no plan" (30) in Brussels' days, whatever the hour in UTC.
    with freeze_time(timezone.now() - timedelta(days=28)):
        mine = make_case(S.ACTIVE)
        theirs = make_case(S.ACTIVE, director=other_case_director)
    contact(mine, case_director, at=timezone.now() - timedelta(days=25), note=NOTE)
    return mine, theirs


def canaries() -> set[str]:
    """Everything about the youths and cases that must never be in an e-mail."""
    words = set()
    for case in Case.objects.select_related("youth"):
        words |= {case.reference, case.youth.first_name, case.youth.last_name, case.youth.full_name, str(case.pk)}
    return words | {NOTE, "Vertelde"}


def test_each_user_with_signals_gets_counts_and_a_link_only(overdue, case_director, coordinator):
    result = send_digests(link_base="https://keten.genk.example")
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"lotte@genk.example", "yusuf@genk.example", "sofie@genk.example"}  # not the OT member
    assert result.sent == 3
    lotte = by_to["lotte@genk.example"]
    assert "https://keten.genk.example/signalen/" in lotte.body
    assert "https://keten.genk.example/meldingen/voorkeuren/" in lotte.body
    assert "- Contact overdue: 1\n- Youth out of view: 1" in lotte.body
    assert lotte.subject == "Ketenregie: 2 signals need your attention"
    sofie = by_to["sofie@genk.example"]  # the coordinator's counts cover both cases
    assert sofie.subject == "Ketenregie: 4 signals need your attention"
    assert "- Contact overdue: 2\n- Youth out of view: 2" in sofie.body
    for message in mail.outbox:
        text = message.subject + "\n" + message.body
        leaked = [w for w in canaries() if w and w in text]
        assert leaked == [], (message.to, leaked)
    audit = AuditEvent.objects.filter(action="followup.digest_sent")
    assert audit.count() == 3
    assert all(set(a.details) == {"count", "frequency"} for a in audit)
    assert NotificationPreference.objects.get(user=case_director).last_digest_at is not None


def test_preferences_daily_weekly_off_and_due(overdue, case_director, other_case_director, coordinator):
    NotificationPreference.objects.create(user=case_director, digest="daily")
    NotificationPreference.objects.create(user=other_case_director, digest="off")
    send_digests(frequency="daily")
    assert [m.to for m in mail.outbox] == [["lotte@genk.example"]]
    mail.outbox.clear()
    send_digests(frequency="weekly")
    assert [m.to for m in mail.outbox] == [["sofie@genk.example"]]  # weekly is the default
    mail.outbox.clear()
    send_digests()  # all are served for now
    assert mail.outbox == []
    with freeze_time(timezone.now() + timedelta(days=1)):
        send_digests()
        assert [m.to for m in mail.outbox] == [["lotte@genk.example"]]
    mail.outbox.clear()
    with freeze_time(timezone.now() + timedelta(days=7)):
        send_digests()
        assert sorted(m.to[0] for m in mail.outbox) == ["lotte@genk.example", "sofie@genk.example"]


def test_no_signals_no_mail(make_case, case_director):
    case_director.email = "lotte@genk.example"
    case_director.save(update_fields=["email"])
    case = make_case(S.ACTIVE)
    contact(case, case_director)
    assert send_digests().sent == 0
    assert mail.outbox == []


def test_the_command_with_dry_run_sends_nothing(overdue):
    out = StringIO()
    call_command("send_digests", "--dry-run", "--frequency", "weekly", stdout=out)
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="followup.digest_sent").exists()
    assert not NotificationPreference.objects.filter(last_digest_at__isnull=False).exists()
    text = out.getvalue()
    assert "would send to regisseur1" in text and "Digests would be sent: 3" in text
    for word in canaries():
        assert word not in text
    call_command("send_digests", "--base-url", "https://keten.genk.example", stdout=StringIO())
    assert len(mail.outbox) == 3


def test_in_dutch_too_the_mail_holds_no_names_or_case_numbers(overdue, settings):
    settings.LANGUAGE_CODE = "nl"
    send_digests(link_base="https://keten.genk.example")
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        text = message.subject + "\n" + message.body
        assert "https://keten.genk.example/signalen/" in text
        assert [w for w in canaries() if w and w in text] == []
