"""Consent pages: recording with an upload, the permission-checked download, withdrawal, the printable form."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.enums import CaseStatus, OTItemKind
from ketenregie.cases.models import Case, OTAgendaItem
from ketenregie.cases.pdf import LocalOnlyFetcher
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import Consent

S = CaseStatus
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def client_en(client_for):
    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def private_media(settings, tmp_path):
    """Signed documents go to a temporary MEDIA_ROOT; the private storage follows MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "private"


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def create_url(case) -> str:
    return reverse("cases:consent_create", kwargs={"case_id": case.pk})


def consent_post(case, upload=None, **fields) -> dict:
    data = {
        "kind": ConsentKind.OT_DISCUSSION,
        "given_by": GivenBy.YOUTH,
        "given_by_name": case.youth.full_name,
        "signed_on": timezone.localdate().isoformat(),
        "valid_until": "",
        "submission_key": str(uuid.uuid4()),
    }
    if upload is not None:
        data["document"] = upload
    data.update(fields)
    return data


# --- Recording and uploads ---------------------------------------------------------------------


def test_a_valid_upload_is_recorded_with_its_scope(client_en, coordinator, make_case, police, private_media):
    case = make_case(S.INTAKE)
    upload = SimpleUploadedFile("Handtekening Amina.pdf", PDF, content_type="application/pdf")
    response = client_en(coordinator).post(
        create_url(case),
        consent_post(
            case, upload, kind=ConsentKind.SHARING, organisations=[str(police.pk)], life_domains=["vrije_tijd"]
        ),
    )
    assert response.status_code == 302
    consent = Consent.objects.get(case=case)
    assert consent.kind == ConsentKind.SHARING
    assert list(consent.organisations.all()) == [police]
    assert consent.life_domains == ["vrije_tijd"]
    assert consent.document_name == "Handtekening Amina.pdf"
    assert "Amina" not in consent.document.name  # the stored name is random
    assert len(stored_files(private_media)) == 1


def test_an_exe_renamed_to_pdf_is_refused_and_creates_nothing(client_en, coordinator, make_case, private_media):
    case = make_case(S.INTAKE)
    before = Consent.objects.count()
    fake = SimpleUploadedFile(
        "toestemming.pdf", b"MZ\x90\x00\x03\x00\x00\x00this program", content_type="application/pdf"
    )
    response = client_en(coordinator).post(create_url(case), consent_post(case, fake))
    html = response.content.decode()
    assert response.status_code == 200
    assert "only real PDF, JPEG or PNG files are accepted" in html
    assert 'id="id_document_error"' in html  # the message sits next to the upload field
    assert Consent.objects.count() == before
    assert stored_files(private_media) == []
    assert not AuditEvent.objects.filter(action="consent.recorded", case_id=case.pk).exists()


def test_an_oversize_upload_is_refused(client_en, coordinator, make_case, private_media, settings):
    settings.KETENREGIE_MAX_UPLOAD_BYTES = 1024 * 1024
    case = make_case(S.INTAKE)
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    response = client_en(coordinator).post(create_url(case), consent_post(case, big))
    assert response.status_code == 200
    assert "The file is too large: at most 1 MB." in response.content.decode()
    assert not Consent.objects.filter(case=case).exists()
    assert stored_files(private_media) == []


def test_other_extensions_are_refused(client_en, coordinator, make_case, private_media):
    case = make_case(S.INTAKE)
    upload = SimpleUploadedFile("scan.html", b"<script>alert(1)</script>", content_type="text/html")
    response = client_en(coordinator).post(create_url(case), consent_post(case, upload))
    assert "Only PDF, JPEG or PNG files are accepted." in response.content.decode()
    assert not Consent.objects.filter(case=case).exists()


def test_double_submit_records_one_consent(client_en, coordinator, make_case):
    case = make_case(S.INTAKE)
    data = consent_post(case)
    client = client_en(coordinator)
    client.post(create_url(case), data)
    client.post(create_url(case), data)
    assert Consent.objects.filter(case=case).count() == 1


# --- List and download -------------------------------------------------------------------------


@pytest.fixture
def with_document(coordinator, make_case, case_director, private_media, client_en, police):
    case = make_case(S.INCLUDED, director=case_director)
    upload = SimpleUploadedFile("getekend.pdf", PDF, content_type="application/pdf")
    data = consent_post(
        case, upload, kind=ConsentKind.SHARING, organisations=[str(police.pk)], life_domains=["vrije_tijd"]
    )
    assert client_en(coordinator).post(create_url(case), data).status_code == 302
    return Consent.objects.get(case=case, kind=ConsentKind.SHARING)


def test_list_shows_kind_scope_status_and_document_link(client_en, case_director, with_document):
    consent = with_document
    html = (
        client_en(case_director)
        .get(reverse("cases:consent_list", kwargs={"case_id": consent.case_id}))
        .content.decode()
    )
    assert html.count("<h1") == 1
    assert "Sharing information with named partner organisations" in html
    assert "Vrije tijd" in html
    assert "Valid" in html
    assert reverse("cases:consent_document", kwargs={"consent_id": consent.pk}) in html


def test_the_document_download_is_an_audited_sandboxed_attachment(client_en, case_director, with_document):
    consent = with_document
    response = client_en(case_director).get(reverse("cases:consent_document", kwargs={"consent_id": consent.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="getekend.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    assert b"".join(response.streaming_content) == PDF
    # Close the file now, not whenever the garbage collector runs. Not response.close(): that sends
    # request_finished, which closes the test's database connection on PostgreSQL.
    for close in response._resource_closers:
        close()
    assert (
        AuditEvent.objects.filter(
            action="case.document_downloaded", case_id=consent.case_id, actor_id=case_director.pk
        ).count()
        == 1
    )


def test_the_document_is_404_for_everyone_outside_the_case(
    client_en, with_document, outsider, ot_member, partner, other_case_director, strategic
):
    target = reverse("cases:consent_document", kwargs={"consent_id": with_document.pk})
    for user in (outsider, ot_member, partner, other_case_director, strategic):
        response = client_en(user).get(target)
        assert response.status_code == 404, user.username
        assert "Content-Disposition" not in response
    assert (
        client_en(outsider).get(reverse("cases:consent_document", kwargs={"consent_id": uuid.uuid4()})).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action="case.document_downloaded").exists()


def test_consent_list_is_404_for_ot_members_and_outsiders(client_en, make_case, ot_member, outsider):
    case = make_case(S.INTAKE)
    for user in (ot_member, outsider):
        assert client_en(user).get(reverse("cases:consent_list", kwargs={"case_id": case.pk})).status_code == 404


# --- Withdrawal --------------------------------------------------------------------------------


def ot_consent(case) -> Consent:
    return Consent.objects.get(case=case, kind=ConsentKind.OT_DISCUSSION, given_by=GivenBy.YOUTH)


def withdraw_url(consent) -> str:
    return reverse("cases:consent_withdraw", kwargs={"consent_id": consent.pk})


def test_withdraw_get_explains_and_changes_nothing(client_en, case_director, make_case):
    case = make_case(S.ACTIVE, director=case_director)
    consent = ot_consent(case)
    html = client_en(case_director).get(withdraw_url(consent)).content.decode()
    assert "takes effect immediately" in html
    assert "goes back to the operational team" in html
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_withdrawing_flags_an_active_case_for_the_next_ot(client_en, case_director, make_case, builder):
    case = make_case(S.ACTIVE, director=case_director)
    next_meeting = builder.plan_meeting(starts_at=timezone.now() + timedelta(days=7))
    response = client_en(case_director).post(
        withdraw_url(ot_consent(case)), {"on": timezone.localdate().isoformat(), "note": "Belde zelf op."}
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.flagged_for_ot
    assert "Consent withdrawn" in case.flag_reason
    item = OTAgendaItem.objects.get(meeting=next_meeting, case=case)
    assert item.kind == OTItemKind.FLAGGED
    assert ot_consent(case).withdrawn_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="consent.withdrawn", case_id=case.pk).count() == 1


def test_withdrawal_in_the_future_is_refused_next_to_the_field(client_en, case_director, make_case):
    case = make_case(S.ACTIVE, director=case_director)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_en(case_director).post(withdraw_url(ot_consent(case)), {"on": tomorrow.isoformat()})
    assert response.status_code == 200
    assert "The withdrawal date cannot be in the future." in response.content.decode()
    assert ot_consent(case).withdrawn_on is None


def test_ot_member_loses_access_when_the_ot_consent_is_withdrawn(client_en, coordinator, ot_member, make_case, builder):
    case = make_case(S.AWAITING_OT)
    meeting = builder.plan_meeting(attendees=[coordinator, ot_member])
    member = client_en(ot_member)
    member.post(reverse("cases:ot_attendance", kwargs={"meeting_id": meeting.pk}), {"attendee": str(ot_member.pk)})
    case_url = reverse("cases:case_detail", kwargs={"case_id": case.pk})
    meeting_url = reverse("cases:ot_detail", kwargs={"meeting_id": meeting.pk})
    assert member.get(case_url).status_code == 200
    assert case.youth.full_name in member.get(meeting_url).content.decode()

    response = client_en(coordinator).post(withdraw_url(ot_consent(case)), {"on": timezone.localdate().isoformat()})
    assert response.status_code == 302

    assert member.get(case_url).status_code == 404
    html = member.get(meeting_url).content.decode()
    assert case.youth.full_name not in html
    assert case.multi_problem not in html
    assert "No consent for OT discussion" in html


def test_withdraw_is_404_for_outsiders_and_ot_members(client_en, make_case, outsider, ot_member):
    case = make_case(S.INTAKE)
    consent = Consent.objects.create(
        case=case,
        kind=ConsentKind.OT_DISCUSSION,
        given_by=GivenBy.YOUTH,
        given_by_name="x",
        signed_on=timezone.localdate(),
        recorded_by=outsider,
    )  # set-up only: the view under test is the withdrawal
    for user in (outsider, ot_member):
        assert client_en(user).post(withdraw_url(consent), {"on": timezone.localdate().isoformat()}).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


# --- The printable consent form ------------------------------------------------------------------


def test_consent_form_pdf_is_prefilled_and_audited(client_en, coordinator, make_case, police):
    case = make_case(S.INTAKE)
    response = client_en(coordinator).get(reverse("cases:consent_form_pdf", kwargs={"case_id": case.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="toestemmingsformulier-{case.reference}.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="case.document_downloaded", case_id=case.pk).count() == 1


def test_consent_form_pdf_is_404_outside_the_case(client_en, make_case, outsider, ot_member):
    case = make_case(S.INTAKE)
    for user in (outsider, ot_member):
        assert client_en(user).get(reverse("cases:consent_form_pdf", kwargs={"case_id": case.pk})).status_code == 404


def test_pdf_fetcher_serves_data_and_static_files_and_refuses_the_network():
    fetcher = LocalOnlyFetcher()
    static = fetcher("https://ketenregie.invalid/static/ketenregie/favicon.svg")
    assert static.read().startswith(b"<svg")
    assert fetcher("data:text/plain,hallo").read() == b"hallo"
    for url in (
        "https://example.org/logo.png",
        "http://127.0.0.1:8000/static/ketenregie/favicon.svg",
        "file:///etc/passwd",
        "https://ketenregie.invalid/static/../settings.py",
        "https://ketenregie.invalid/media/private/consents/x",
    ):
        with pytest.raises(ValueError):
            fetcher(url)
