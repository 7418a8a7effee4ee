"""The thread pages: reading is audited, outsiders get 404, markup is escaped, uploads are checked."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time

from ketenregie.audit.models import AuditEvent
from ketenregie.consent.domain import withdraw_consent
from ketenregie.threads import domain
from ketenregie.threads.models import Attachment, Thread
from tests.threads.conftest import pdf_upload


def without_csrf(html: bytes) -> str:
    """A page without its per-response CSRF tokens and its own path (the language form's ``next``)."""
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "", html.decode())
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'name="next" type="hidden" value="[^"]+"', "", text)


def detail(thread) -> str:
    return reverse("threads:detail", kwargs={"thread_id": thread.pk})


def test_the_case_director_starts_a_thread_with_the_partner(shared, case_director, partner, client_for):
    client = client_for(case_director)
    url = reverse("threads:create", kwargs={"case_id": shared["case"].pk})
    page = client.get(url + f"?actie={shared['mine'].pk}")
    assert page.status_code == 200
    assert "Nathalie" in page.content.decode()

    response = client.post(
        url,
        {
            "actie": str(shared["mine"].pk),
            "subject": "Gesprek met de klastitularis",
            "participants": [str(partner.pk)],
            "body": "Wanneer kan dat gesprek doorgaan?",
            "submission_key": str(uuid.uuid4()),
        },
    )

    thread = Thread.objects.get(case=shared["case"])
    assert response.status_code == 302 and response["Location"] == detail(thread)
    assert thread.action == shared["mine"]
    assert set(thread.participants.values_list("user__username", flat=True)) == {"regisseur1", "partner-school"}


def test_reading_a_thread_is_audited_and_marks_it_read(thread, partner, client_for):
    response = client_for(partner).get(detail(thread))

    assert response.status_code == 200
    assert "Hoe gaat het op school?" in response.content.decode()
    event = AuditEvent.objects.filter(action="thread.viewed").latest("id")
    assert event.actor_id == partner.pk and event.object_id == str(thread.pk) and event.case_id == thread.case_id
    assert thread.participants.get(user=partner).last_read_at is not None


def test_the_partner_replies_and_the_reply_is_shown(thread, partner, client_for):
    client = client_for(partner)
    response = client.post(detail(thread), {"body": "Volgende dinsdag.", "submission_key": str(uuid.uuid4())})

    assert response.status_code == 302
    assert [m.body for m in thread.messages.filter(author=partner)] == ["Volgende dinsdag."]
    assert "Volgende dinsdag." in client.get(detail(thread)).content.decode()


def test_a_double_submit_posts_one_message(thread, partner, client_for):
    client = client_for(partner)
    key = str(uuid.uuid4())
    for _ in range(2):
        client.post(detail(thread), {"body": "Eén keer.", "submission_key": key})

    assert [m.body for m in thread.messages.all()].count("Eén keer.") == 1


def test_markup_in_a_message_is_escaped(thread, partner, case_director, client_for):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)><b>vet</b>'
    domain.post_message(actor=partner, thread=thread, body=hostile)

    html = client_for(case_director).get(detail(thread)).content.decode()

    assert "<script>alert" not in html and "<img src=x" not in html and "<b>vet</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    inbox = client_for(case_director).get(reverse("threads:inbox")).content.decode()
    assert "<script>alert" not in inbox


def test_a_partner_whose_consent_was_withdrawn_gets_404_and_the_attempt_is_audited(
    thread, shared, partner, coordinator, client_for
):
    client = client_for(partner)
    assert client.get(detail(thread)).status_code == 200
    withdraw_consent(actor=coordinator, consent=shared["consent"], note="Trekt toestemming in.")

    response = client.get(detail(thread))
    missing = client.get(reverse("threads:detail", kwargs={"thread_id": uuid.uuid4()}))

    assert response.status_code == 404
    assert without_csrf(response.content) == without_csrf(missing.content)  # refused looks like missing
    denied = AuditEvent.objects.filter(action="access.denied", actor_id=partner.pk).latest("id")
    assert denied.object_id == str(thread.pk) and denied.result == "denied"
    assert "Hoe gaat het op school?" not in response.content.decode()
    assert client.get(reverse("threads:inbox")).content.decode().count("Schoolverzuim") == 0


def test_people_outside_the_thread_get_404(thread, outsider, other_case_director, ot_member, client_for):
    for user in (outsider, other_case_director, ot_member):
        client = client_for(user)
        assert client.get(detail(thread)).status_code == 404
        assert client.post(detail(thread), {"body": "Hallo"}).status_code == 404
    assert thread.messages.count() == 1


def test_the_coordinator_reads_every_thread_of_the_case(thread, coordinator, client_for):
    client = client_for(coordinator)
    assert client.get(detail(thread)).status_code == 200
    listing = client.get(reverse("threads:case_threads", kwargs={"case_id": thread.case_id}))
    assert "Schoolverzuim" in listing.content.decode()


def test_a_partner_sees_only_their_own_threads_of_the_case(
    thread, shared, case_director, coordinator, partner, client_for
):
    domain.start_thread(
        actor=case_director,
        case=shared["case"],
        subject="Intern overleg",
        body="Alleen voor ons.",
        participants=[coordinator],
    )

    html = (
        client_for(partner).get(reverse("threads:case_threads", kwargs={"case_id": shared["case"].pk})).content.decode()
    )

    assert "Schoolverzuim" in html and "Intern overleg" not in html


def test_a_50_mb_attachment_is_refused_on_the_page(thread, partner, client_for):
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (50 * 1024 * 1024), content_type="application/pdf")

    response = client_for(partner).post(detail(thread), {"body": "Groot", "attachment": big})

    assert response.status_code == 422
    assert "The file is too large" in response.content.decode()
    assert not Attachment.objects.exists() and thread.messages.count() == 1


def test_an_executable_is_refused_on_the_page(thread, partner, client_for):
    exe = SimpleUploadedFile("programma.exe", b"MZ\x90\x00" + b"\x00" * 200)

    response = client_for(partner).post(detail(thread), {"body": "Bijlage", "attachment": exe})

    assert response.status_code == 422
    assert "Only PDF, JPEG or PNG files are accepted." in response.content.decode()
    assert not Attachment.objects.exists()


def test_attachments_are_served_as_sandboxed_downloads_to_readers_only(
    thread, partner, case_director, outsider, client_for
):
    message = domain.post_message(actor=partner, thread=thread, body="Verslag", attachments=[pdf_upload()])
    attachment = message.attachments.get()
    url = reverse("threads:attachment", kwargs={"attachment_id": attachment.pk})

    response = client_for(case_director).get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for close in response._resource_closers:  # not response.close(): it ends the test DB connection
        close()
    assert AuditEvent.objects.filter(action="thread.attachment_downloaded", object_id=str(attachment.pk)).exists()
    assert client_for(outsider).get(url).status_code == 404


def test_editing_after_the_window_is_refused_on_the_page(thread, case_director, client_for):
    message = thread.messages.get()
    url = reverse("threads:message_edit", kwargs={"thread_id": thread.pk, "message_id": message.pk})
    client = client_for(case_director)
    with freeze_time(message.created_at + timedelta(minutes=16)):
        response = client.post(url, {"body": "Te laat gewijzigd"})
        page = client.get(detail(thread))

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.body == "Hoe gaat het op school?"
    assert "can no longer be changed" in page.content.decode()


def test_editing_within_the_window_shows_edited(thread, case_director, client_for):
    message = thread.messages.get()
    url = reverse("threads:message_edit", kwargs={"thread_id": thread.pk, "message_id": message.pk})
    client = client_for(case_director)

    assert client.get(url).status_code == 200
    client.post(url, {"body": "Hoe gaat het nu op school?"})

    html = client.get(detail(thread)).content.decode()
    assert "Hoe gaat het nu op school?" in html and ">edited<" in html


def test_someone_else_cannot_edit_or_delete(thread, partner, client_for):
    message = thread.messages.get()
    client = client_for(partner)
    edit = reverse("threads:message_edit", kwargs={"thread_id": thread.pk, "message_id": message.pk})
    delete = reverse("threads:message_delete", kwargs={"thread_id": thread.pk, "message_id": message.pk})

    assert client.post(edit, {"body": "Gekaapt"}).status_code == 404
    assert client.post(delete).status_code == 404
    message.refresh_from_db()
    assert message.body == "Hoe gaat het op school?" and not message.is_deleted


def test_the_case_director_adds_a_coordinator(thread, case_director, coordinator, client_for):
    client_for(case_director).post(
        reverse("threads:participant_add", kwargs={"thread_id": thread.pk}), {"user": str(coordinator.pk)}
    )

    assert thread.participants.filter(user=coordinator).exists()


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("view", ["inbox", "case_threads"])
def test_thread_lists_take_a_constant_number_of_queries(shared, case_director, partner, client_for, view):
    url = reverse("threads:inbox") if view == "inbox" else reverse("threads:case_threads", args=[shared["case"].pk])
    client = client_for(partner)

    def add_thread(n):
        domain.start_thread(
            actor=case_director, case=shared["case"], subject=f"Onderwerp {n}", body="Tekst", participants=[partner]
        )

    add_thread(0)
    client.get(url)  # warm the session
    one = _queries(client, url)
    add_thread(1)
    add_thread(2)
    assert _queries(client, url) == one
