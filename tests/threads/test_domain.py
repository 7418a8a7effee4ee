"""The rules of case threads: who takes part, mentions, the 15-minute edit window, uploads, revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from ketenregie.audit.models import AuditEvent
from ketenregie.common.errors import GuardFailed, NotAllowed, ValidationFailed
from ketenregie.consent.domain import withdraw_consent
from ketenregie.followup.models import Notification
from ketenregie.threads import domain, queries
from ketenregie.threads.models import Attachment, Message, MessageRevision, ThreadParticipant
from tests.threads.conftest import pdf_upload


def test_starting_a_thread_adds_the_people_and_tells_them(
    shared, case_director, partner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = domain.start_thread(
            actor=case_director,
            case=shared["case"],
            subject="Schoolverzuim",
            body="Hoe gaat het op school?",
            participants=[partner],
        )

    assert set(ThreadParticipant.objects.filter(thread=thread).values_list("user__username", flat=True)) == {
        "regisseur1",
        "partner-school",
    }
    assert Message.objects.get(thread=thread).body == "Hoe gaat het op school?"
    assert Notification.objects.filter(user=partner, kind="thread_added", case=shared["case"]).count() == 1
    event = AuditEvent.objects.get(action="thread.started")
    assert event.case_id == shared["case"].pk and event.details["participants"] == 2


def test_the_partner_may_start_a_thread_and_the_case_director_always_takes_part(shared, partner):
    thread = domain.start_thread(actor=partner, case=shared["case"], subject="Vraag", body="Mag ik iets vragen?")

    assert set(thread.participants.values_list("user__username", flat=True)) == {"partner-school", "regisseur1"}


def test_only_people_who_may_see_the_case_take_part(shared, case_director, ot_member, outsider):
    for stranger in (ot_member, outsider):
        with pytest.raises(ValidationFailed) as refused:
            domain.start_thread(
                actor=case_director, case=shared["case"], subject="X", body="Y", participants=[stranger]
            )
        assert refused.value.errors[0]["field"] == "participants"


def test_a_stranger_cannot_start_a_thread(shared, ot_member, other_case_director):
    for stranger in (ot_member, other_case_director):
        with pytest.raises(NotAllowed):
            domain.start_thread(actor=stranger, case=shared["case"], subject="X", body="Y")


def test_a_thread_about_a_domain_not_shared_with_the_partner_leaves_them_out(shared, case_director, partner):
    with pytest.raises(ValidationFailed):
        domain.start_thread(
            actor=case_director,
            case=shared["case"],
            subject="Voetbal",
            body="Is de inschrijving gelukt?",
            participants=[partner],
            action=shared["not_shared"],
        )


def test_mentions_notify_only_the_people_mentioned(
    thread, case_director, partner, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        domain.post_message(actor=partner, thread=thread, body="Dag @Regisseur1, het gesprek is gepland. @onbekend")

    assert Notification.objects.filter(user=case_director, kind="thread_mention").count() == 1
    assert not Notification.objects.filter(user=coordinator, kind="thread_mention").exists()
    assert AuditEvent.objects.filter(action="thread.message_posted").latest("id").details["mentions"] == 1


def test_a_message_is_stored_encrypted_and_never_in_the_audit_log(thread, partner):
    canary = "Canary-Zwartberg-4417"
    domain.post_message(actor=partner, thread=thread, body=f"Het gaat goed. {canary}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM threads_message")
        raw = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT details, reason FROM audit_auditevent")
        audit = " ".join(str(row) for row in cursor.fetchall())
    assert canary not in raw
    assert canary not in audit


def test_the_author_may_edit_within_fifteen_minutes_and_the_old_text_is_kept(thread, case_director):
    message = thread.messages.get()
    with freeze_time(message.created_at + timedelta(minutes=14)):
        domain.edit_message(actor=case_director, message=message, body="Hoe gaat het op school, en thuis?")

    message.refresh_from_db()
    assert message.body == "Hoe gaat het op school, en thuis?"
    assert message.edited_at is not None
    revision = MessageRevision.objects.get(message=message)
    assert revision.kind == "edit" and revision.body == "Hoe gaat het op school?"
    event = AuditEvent.objects.get(action="thread.message_edited")
    assert event.details["revision"] == revision.pk
    assert "school" not in str(event.details)


def test_editing_after_the_window_is_refused(thread, case_director):
    message = thread.messages.get()
    with freeze_time(message.created_at + timedelta(minutes=15, seconds=1)), pytest.raises(GuardFailed) as refused:
        domain.edit_message(actor=case_director, message=message, body="Te laat")

    assert "15 minutes" in refused.value.detail
    message.refresh_from_db()
    assert message.body == "Hoe gaat het op school?" and message.edited_at is None
    assert not MessageRevision.objects.exists()


def test_only_the_author_edits_or_deletes(thread, partner, coordinator):
    message = thread.messages.get()
    for other in (partner, coordinator):
        with pytest.raises(NotAllowed):
            domain.edit_message(actor=other, message=message, body="Niet van mij")
        with pytest.raises(NotAllowed):
            domain.delete_message(actor=other, message=message)


def test_deleting_leaves_a_trace_and_keeps_the_text_out_of_sight(thread, case_director):
    message = thread.messages.get()
    domain.delete_message(actor=case_director, message=message)

    message.refresh_from_db()
    assert message.is_deleted and message.body == ""
    assert MessageRevision.objects.get(message=message, kind="delete").body == "Hoe gaat het op school?"
    assert AuditEvent.objects.filter(action="thread.message_deleted", object_id=str(message.pk)).count() == 1
    with freeze_time(timezone.now() + timedelta(minutes=20)), pytest.raises(GuardFailed):
        domain.delete_message(actor=case_director, message=message)


def test_a_pdf_attachment_is_stored_under_a_random_name(thread, partner):
    message = domain.post_message(
        actor=partner, thread=thread, body="Het verslag.", attachments=[pdf_upload("../../Verslag Jens.pdf")]
    )

    attachment = Attachment.objects.get(message=message)
    assert attachment.name == "Verslag Jens.pdf"
    assert attachment.content_type == "application/pdf"
    assert "Jens" not in attachment.file.name and attachment.file.name.startswith("threads/")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "Only PDF, JPEG or PNG files are accepted."),
        ("factuur.pdf", b"MZ\x90\x00" + b"\x00" * 100, "The file's content does not match its type"),
        ("script.pdf.sh", b"#!/bin/sh\nrm -rf /\n", "Only PDF, JPEG or PNG files are accepted."),
    ],
)
def test_executables_and_spoofed_files_are_refused(thread, partner, name, content, expected):
    with pytest.raises(ValidationFailed) as refused:
        domain.post_message(
            actor=partner, thread=thread, body="Bijlage", attachments=[SimpleUploadedFile(name, content)]
        )

    assert refused.value.errors[0]["field"] == "attachment"
    assert expected in refused.value.errors[0]["message"]
    assert thread.messages.count() == 1 and not Attachment.objects.exists()


def test_a_50_mb_attachment_is_refused(thread, partner):
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (50 * 1024 * 1024), content_type="application/pdf")

    with pytest.raises(ValidationFailed) as refused:
        domain.post_message(actor=partner, thread=thread, body="Groot bestand", attachments=[big])

    assert "too large" in refused.value.errors[0]["message"]
    assert not Attachment.objects.exists()


def test_withdrawing_the_consent_closes_the_partners_threads_at_once(thread, shared, partner, coordinator):
    assert queries.may_read(partner, thread)
    assert [t.pk for t in queries.my_threads(partner)] == [thread.pk]

    withdraw_consent(actor=coordinator, consent=shared["consent"], note="De jongere wil niet meer delen.")

    thread.case.refresh_from_db()
    assert not queries.may_read(partner, thread)
    assert queries.my_threads(partner) == []
    with pytest.raises(NotAllowed):
        domain.post_message(actor=partner, thread=thread, body="Nog iets?")


def test_unread_counts_follow_each_reader(thread, case_director, partner):
    domain.post_message(actor=partner, thread=thread, body="Eerste antwoord")
    domain.post_message(actor=partner, thread=thread, body="Tweede antwoord")

    mine = {t.pk: t for t in queries.my_threads(case_director)}
    assert mine[thread.pk].unread_count == 2 and mine[thread.pk].message_count == 3
    assert queries.my_threads(partner)[0].unread_count == 0

    domain.mark_read(user=case_director, thread=thread)
    assert queries.my_threads(case_director)[0].unread_count == 0


def test_a_closed_case_takes_no_new_messages(thread, shared, partner, coordinator):
    from tests.plans.fixtures import close

    close(shared["case"], coordinator)
    thread.case.refresh_from_db()
    with pytest.raises(GuardFailed):
        domain.post_message(actor=partner, thread=thread, body="Nog iets?")
