"""record_consent and withdraw_consent: validation, the audit, and withdrawal sending the case back to the OT."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain, workflow
from ketenregie.cases.enums import CaseStatus, OTItemKind
from ketenregie.cases.models import Case
from ketenregie.common.errors import GuardFailed, NotAllowed, ValidationFailed
from ketenregie.consent.domain import ConsentData, record_consent, withdraw_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import Consent
from tests.factories import OrganisationFactory

S = CaseStatus
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
WITHDRAWN_OT = "Consent withdrawn: Discussion of the case in the operational team"


@pytest.fixture
def case(make_case):
    """A minor's case in intake."""
    return make_case(S.INTAKE)


def consent_data(case, **fields) -> ConsentData:
    values = {
        "kind": ConsentKind.SHARING,
        "given_by": GivenBy.YOUTH,
        "given_by_name": case.youth.full_name,
        "signed_on": timezone.localdate(),
    }
    values.update(fields)
    return ConsentData(**values)


@pytest.fixture
def private_media(settings, tmp_path):
    """Signed documents go to a temporary MEDIA_ROOT; the private storage follows MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "private"


# --- record_consent ---------------------------------------------------------------------------------


def test_a_sharing_consent_is_recorded_with_its_scope_and_audited(case, coordinator, police, caw, today, counts):
    rows = counts()
    data = consent_data(
        case,
        given_by_name=f"  {case.youth.full_name} ",
        valid_until=today + timedelta(days=365),
        organisations=[police, caw],
        life_domains=["vrije_tijd", "gezinscontext", "vrije_tijd"],
    )

    consent = record_consent(actor=coordinator, case=case, data=data)

    assert counts() - rows == {"consents": 1, "audit": 1}
    consent = Consent.objects.get(pk=consent.pk)
    assert (consent.kind, consent.given_by, consent.given_by_name) == (
        ConsentKind.SHARING,
        GivenBy.YOUTH,
        case.youth.full_name,
    )
    assert (consent.signed_on, consent.valid_until, consent.withdrawn_on) == (today, today + timedelta(days=365), None)
    assert set(consent.organisations.all()) == {police, caw}
    assert consent.life_domains == ["vrije_tijd", "gezinscontext"]
    assert consent.recorded_by_id == coordinator.pk
    event = AuditEvent.objects.get(action="consent.recorded")
    assert (event.case_id, event.object_id) == (case.pk, str(consent.pk))
    assert event.details == {"kind": ConsentKind.SHARING, "given_by": GivenBy.YOUTH, "document": False}


def test_the_own_case_director_records_consents_too(builder, case_director):
    case = builder.make(S.INCLUDED, director=case_director)

    consent = record_consent(actor=case_director, case=case, data=consent_data(case, kind=ConsentKind.OT_DISCUSSION))

    assert consent.recorded_by_id == case_director.pk


@pytest.mark.parametrize("who", ["other_case_director", "ot_member", "partner", "strategic", "admin_user", "outsider"])
def test_others_may_not_record_a_consent(case, request, who, counts):
    rows = counts()

    with pytest.raises(NotAllowed):
        record_consent(
            actor=request.getfixturevalue(who), case=case, data=consent_data(case, kind=ConsentKind.OT_DISCUSSION)
        )

    assert counts() == rows


SCENARIOS = {
    "signed-in-the-future": (
        lambda case, today: {"kind": ConsentKind.OT_DISCUSSION, "signed_on": today + timedelta(days=1)},
        [("signed_on", "The signing date cannot be in the future.")],
    ),
    "signed-before-birth": (
        lambda case, today: {
            "kind": ConsentKind.OT_DISCUSSION,
            "signed_on": case.youth.birth_date - timedelta(days=1),
        },
        [("signed_on", "The signing date lies before the birth date.")],
    ),
    "ends-before-signed": (
        lambda case, today: {"kind": ConsentKind.OT_DISCUSSION, "valid_until": today - timedelta(days=1)},
        [("valid_until", "The consent cannot end before it was signed.")],
    ),
    "parental-consent-given-by-the-youth": (
        lambda case, today: {"kind": ConsentKind.PARENTAL, "given_by": GivenBy.YOUTH},
        [("given_by", "Parental consent is given by a parent or guardian.")],
    ),
    "sharing-without-organisations": (
        lambda case, today: {"kind": ConsentKind.SHARING, "organisations": []},
        [("organisations", "Choose the organisations the youth agrees to share information with.")],
    ),
    "organisation-outside-the-chain": (
        lambda case, today: {"organisations": [OrganisationFactory(name="Jeugdhulp Antwerpen")]},
        [("organisations", "Only partner organisations of the chain can be chosen.")],
    ),
    "unknown-life-domain": (
        lambda case, today: {"kind": ConsentKind.OT_DISCUSSION, "life_domains": ["vrije_tijd", "religie"]},
        [("life_domains", "Unknown life domain.")],
    ),
    "no-name": (
        lambda case, today: {"kind": ConsentKind.OT_DISCUSSION, "given_by_name": "  "},
        [("given_by_name", "Give the name of the person who signed.")],
    ),
    "unknown-kind": (
        lambda case, today: {"kind": "everything"},
        [("kind", "Choose the kind of consent.")],
    ),
    "unknown-signer": (
        lambda case, today: {"kind": ConsentKind.OT_DISCUSSION, "given_by": "neighbour"},
        [("given_by", "Choose who gave the consent.")],
    ),
}


@pytest.mark.parametrize(("fields", "errors"), SCENARIOS.values(), ids=SCENARIOS.keys())
def test_an_invalid_consent_is_refused_field_by_field_and_writes_nothing(
    case, coordinator, police, today, fields, errors, counts
):
    data = consent_data(case, organisations=[police])
    for name, value in fields(case, today).items():
        setattr(data, name, value)
    rows = counts()

    with pytest.raises(ValidationFailed) as error:
        record_consent(actor=coordinator, case=case, data=data)

    assert [(e["field"], e["message"]) for e in error.value.errors] == errors
    assert counts() == rows


def test_a_consent_cannot_be_added_to_a_closed_case(make_case, coordinator, counts):
    closed = make_case(S.CLOSED)
    rows = counts()

    with pytest.raises(GuardFailed) as error:
        record_consent(actor=coordinator, case=closed, data=consent_data(closed, kind=ConsentKind.OT_DISCUSSION))

    assert error.value.detail == "This case is closed and can no longer be changed."
    assert counts() == rows


def test_a_double_submitted_consent_is_recorded_once(case, coordinator, police, counts):
    key = uuid.uuid4()
    data = consent_data(case, organisations=[police])
    rows = counts()

    first = record_consent(actor=coordinator, case=case, data=data, submission_key=key)
    second = record_consent(actor=coordinator, case=case, data=data, submission_key=key)

    assert second.pk == first.pk
    assert counts() - rows == {"consents": 1, "audit": 1}


def test_the_signed_document_is_stored_under_a_random_name(case, coordinator, private_media):
    upload = SimpleUploadedFile("../Toestemming Amina Bouzid.pdf", PDF, content_type="application/pdf")

    consent = record_consent(
        actor=coordinator, case=case, data=consent_data(case, kind=ConsentKind.OT_DISCUSSION), document=upload
    )

    consent.refresh_from_db()
    assert (consent.document_name, consent.document_type) == ("Toestemming Amina Bouzid.pdf", "application/pdf")
    assert "Amina" not in consent.document.name and consent.document.name.startswith("consents/")
    assert (private_media / consent.document.name).read_bytes() == PDF
    assert AuditEvent.objects.get(action="consent.recorded").details["document"] is True


def test_a_fake_document_is_a_field_error_and_nothing_is_stored(case, coordinator, private_media, counts):
    upload = SimpleUploadedFile("toestemming.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf")
    rows = counts()

    with pytest.raises(ValidationFailed) as error:
        record_consent(
            actor=coordinator, case=case, data=consent_data(case, kind=ConsentKind.OT_DISCUSSION), document=upload
        )

    assert [e["field"] for e in error.value.errors] == ["document"]
    assert counts() == rows
    assert not private_media.exists() or not any(private_media.rglob("*"))


# --- withdraw_consent -------------------------------------------------------------------------------


@pytest.fixture
def next_meeting(chain, coordinator, legal_basis):
    return domain.plan_ot_meeting(
        actor=coordinator,
        chain=chain,
        starts_at=timezone.now() + timedelta(days=10),
        location="Stadhuis Genk",
        legal_basis=legal_basis,
        attendees=[],
    )


def ot_consent(case) -> Consent:
    return Consent.objects.get(case=case, kind=ConsentKind.OT_DISCUSSION)


@pytest.mark.parametrize("status", [S.INCLUDED, S.ACTIVE])
def test_withdrawal_of_an_ongoing_case_flags_it_and_puts_it_on_the_next_meeting(
    make_case, coordinator, status, today, new_audit, next_meeting
):
    meeting = next_meeting
    case = make_case(status)  # included on a meeting of its own, an hour ago
    assert meeting.items.count() == 0
    mark = new_audit()

    consent = withdraw_consent(actor=coordinator, consent=ot_consent(case), note="  Per brief van de jongere.  ")

    consent.refresh_from_db()
    assert (consent.withdrawn_on, consent.withdrawal_note) == (today, "Per brief van de jongere.")
    case.refresh_from_db()
    assert (case.status, case.flagged_for_ot, case.flag_reason) == (status, True, WITHDRAWN_OT)
    item = meeting.items.get()
    assert (item.case_id, item.kind, item.flag_reason, item.decision) == (case.pk, OTItemKind.FLAGGED, WITHDRAWN_OT, "")
    events = new_audit(mark)
    assert [(e.action, e.case_id) for e in events] == [("consent.withdrawn", case.pk), ("ot.item_added", case.pk)]
    assert events[0].details == {"kind": ConsentKind.OT_DISCUSSION}
    assert events[0].actor_id == coordinator.pk and events[1].actor_id is None


def test_without_a_planned_meeting_the_flag_brings_the_case_onto_the_next_agenda(make_case, coordinator, legal_basis):
    case = make_case(S.ACTIVE)

    withdraw_consent(actor=coordinator, consent=ot_consent(case))
    meeting = domain.plan_ot_meeting(
        actor=coordinator,
        chain=case.chain,
        starts_at=timezone.now() + timedelta(days=10),
        location="",
        legal_basis=legal_basis,
        attendees=[],
    )

    assert [(i.case_id, i.kind, i.flag_reason) for i in meeting.items.all()] == [
        (case.pk, OTItemKind.FLAGGED, WITHDRAWN_OT)
    ]


def test_a_case_already_on_the_next_agenda_is_not_put_on_it_twice(make_case, coordinator, next_meeting):
    case = make_case(S.ACTIVE)
    domain.flag_for_ot(actor=coordinator, case=case, reason="Nieuwe feiten")
    assert next_meeting.items.filter(case=case).count() == 1

    withdraw_consent(actor=coordinator, consent=ot_consent(case))

    assert next_meeting.items.filter(case=case).count() == 1


@pytest.mark.parametrize("status", [S.INTAKE, S.AWAITING_OT])
def test_withdrawal_before_inclusion_does_not_flag_the_case(builder, coordinator, status, next_meeting):
    case = builder.make(S.INTAKE)
    builder.record_intake(case)
    consent = builder.consents_for_ot(case)[0]
    if status == S.AWAITING_OT:
        workflow.transition_case(case, S.AWAITING_OT, actor=coordinator)

    withdraw_consent(actor=coordinator, consent=consent)

    case.refresh_from_db()
    assert (case.status, case.flagged_for_ot) == (status, False)
    assert not next_meeting.items.filter(case=case, kind=OTItemKind.FLAGGED).exists()


def test_a_withdrawal_letter_may_be_dated_in_the_past(make_case, coordinator, today):
    case = make_case(S.INTAKE)
    consent = record_consent(
        actor=coordinator,
        case=case,
        data=consent_data(case, kind=ConsentKind.OT_DISCUSSION, signed_on=today - timedelta(days=10)),
    )

    withdraw_consent(actor=coordinator, consent=consent, on=today - timedelta(days=3))

    consent.refresh_from_db()
    assert consent.withdrawn_on == today - timedelta(days=3)
    assert not consent.is_valid_on(today - timedelta(days=3))
    assert consent.is_valid_on(today - timedelta(days=4))


def test_withdrawing_twice_is_refused(make_case, coordinator, counts):
    case = make_case(S.ACTIVE)
    consent = withdraw_consent(actor=coordinator, consent=ot_consent(case))
    rows = counts()

    with pytest.raises(GuardFailed) as error:
        withdraw_consent(actor=coordinator, consent=Consent.objects.get(pk=consent.pk))

    assert error.value.detail == "This consent was already withdrawn."
    assert counts() == rows


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (1, "The withdrawal date cannot be in the future."),
        (-11, "The withdrawal cannot be before the signing."),
    ],
)
def test_the_withdrawal_date_lies_between_signing_and_today(make_case, coordinator, today, days, message, counts):
    case = make_case(S.INTAKE)
    consent = record_consent(
        actor=coordinator,
        case=case,
        data=consent_data(case, kind=ConsentKind.OT_DISCUSSION, signed_on=today - timedelta(days=10)),
    )
    rows = counts()

    with pytest.raises(ValidationFailed) as error:
        withdraw_consent(actor=coordinator, consent=consent, on=today + timedelta(days=days))

    assert error.value.errors == [{"field": "on", "message": message}]
    assert Consent.objects.get(pk=consent.pk).withdrawn_on is None
    assert counts() == rows


@pytest.mark.parametrize("who", ["other_case_director", "ot_member", "partner", "admin_user"])
def test_others_may_not_withdraw_a_consent(make_case, request, who):
    case = make_case(S.ACTIVE)

    with pytest.raises(NotAllowed):
        withdraw_consent(actor=request.getfixturevalue(who), consent=ot_consent(case))

    assert ot_consent(case).withdrawn_on is None
    assert Case.objects.get(pk=case.pk).flagged_for_ot is False
