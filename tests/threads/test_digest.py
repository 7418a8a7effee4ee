"""Notification preferences: in-app always; the e-mail digest (daily, weekly, off) counts unread
notifications too, so a partner hears of a message — without a name or a word of its content."""

from __future__ import annotations

from django.core import mail

from ketenregie.followup.digest import send_digests
from ketenregie.followup.models import Notification, NotificationPreference
from ketenregie.threads import domain


def test_a_partner_gets_a_digest_with_counts_and_links_only(
    thread, shared, partner, case_director, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "en"
    with django_capture_on_commit_callbacks(execute=True):
        domain.post_message(actor=case_director, thread=thread, body="Canary-Winterslag @partner-school, dringend?")
    assert Notification.objects.filter(user=partner).count() == 1  # the mention

    send_digests(link_base="https://keten.genk.example")

    to_partner = [m for m in mail.outbox if m.to == [partner.email]]
    assert len(to_partner) == 1
    text = to_partner[0].subject + "\n" + to_partner[0].body
    assert "1 unread notification" in text and "https://keten.genk.example/meldingen/" in text
    case = shared["case"]
    for word in ("Canary-Winterslag", "Schoolverzuim", case.reference, case.youth.first_name, case.youth.last_name):
        assert word not in text


def test_a_partner_who_chose_off_gets_no_mail_but_keeps_the_in_app_notifications(
    thread, partner, case_director, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=partner, digest="off")
    with django_capture_on_commit_callbacks(execute=True):
        domain.post_message(actor=case_director, thread=thread, body="@partner-school?")

    send_digests()

    assert [m for m in mail.outbox if m.to == [partner.email]] == []
    assert Notification.objects.filter(user=partner, read_at__isnull=True).exists()
