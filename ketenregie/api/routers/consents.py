"""Consents of a case: list, record (with or without the signed document), withdraw."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router, Status
from ninja.files import UploadedFile

from ketenregie.accounts.models import Organisation
from ketenregie.api.routers import shared
from ketenregie.api.schemas import PROBLEM_CONTENT, ConsentIn, ConsentOut, WithdrawIn, responses
from ketenregie.audit.domain import log
from ketenregie.common.errors import NotAllowed, StaleVersion
from ketenregie.consent import domain, policy
from ketenregie.consent.models import Consent

router = Router(tags=["consents"])


def _present(consent: Consent) -> dict:
    today = timezone.localdate()
    return {
        "id": consent.pk,
        "kind": consent.kind,
        "given_by": consent.given_by,
        "given_by_name": consent.given_by_name,
        "signed_on": consent.signed_on,
        "valid_until": consent.valid_until,
        "organisations": [shared.org_ref(o) for o in consent.organisations.all()],
        "life_domains": consent.life_domains,
        "withdrawn_on": consent.withdrawn_on,
        "withdrawal_note": consent.withdrawal_note,
        "valid_today": consent.is_valid_on(today),
        "document_name": consent.document_name,
    }


def _record(request: HttpRequest, case_id: uuid.UUID, payload: ConsentIn, document=None):
    user = request.user
    case = policy.get_visible_case(user, case_id)
    organisations = list(Organisation.objects.filter(pk__in=payload.organisations))
    if len(organisations) != len(set(payload.organisations)):
        raise shared.field_error("organisations", _("There is no organisation with this id."))
    data = domain.ConsentData(
        kind=payload.kind,
        given_by=payload.given_by,
        given_by_name=payload.given_by_name,
        signed_on=payload.signed_on,
        valid_until=payload.valid_until,
        organisations=organisations,
        life_domains=list(payload.life_domains),
    )
    consent = domain.record_consent(
        actor=user, case=case, data=data, document=document, submission_key=payload.submission_key
    )
    if consent.case_id != case.pk:
        # A replayed key answers what was recorded the first time; that must be this case's consent.
        raise StaleVersion(
            _("This submission key was used for another consent. Send a new key."),
            errors=[{"field": "submission_key", "message": _("This key was used already.")}],
        )
    return Status(201, _present(consent))


@router.get(
    "/cases/{uuid:case_id}/consents",
    response=responses({200: list[ConsentOut]}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The consents of a case",
    description="For the chain's operational coordinators and the case's own case director; others who see the case get 403.",
)
def list_consents(request: HttpRequest, case_id: uuid.UUID):
    user = request.user
    case = policy.get_visible_case(user, case_id)
    if not policy.can_view_consents(user, case):
        raise NotAllowed(_("Your role does not allow you to see the consents of this case."))
    consents = list(case.consents.prefetch_related("organisations"))
    log(
        "case.viewed",
        actor=user,
        obj=case,
        chain_id=case.chain_id,
        case_id=case.pk,
        details={"view": "api.consents", "results": len(consents)},
    )
    return [_present(c) for c in consents]


@router.post(
    "/cases/{uuid:case_id}/consents",
    response=responses({201: ConsentOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Record a signed consent (JSON; to attach the signed document use …/consents/with-document)",
)
def record_consent(request: HttpRequest, case_id: uuid.UUID, payload: ConsentIn):
    return _record(request, case_id, payload)


@router.post(
    "/cases/{uuid:case_id}/consents/with-document",
    response=responses({201: ConsentOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Record a signed consent with its signed document (multipart: `payload` as JSON text, `document` a PDF, JPEG or PNG)",
    description=(
        "The same as `POST /cases/{case_id}/consents`, sent as `multipart/form-data`: the part `payload` holds the "
        "consent as JSON text, the part `document` the signed form. The file is checked for size, extension and "
        "content; it is stored under a random name and never served directly."
    ),
)
def record_consent_with_document(
    request: HttpRequest, case_id: uuid.UUID, payload: ConsentIn, document: File[UploadedFile]
):
    return _record(request, case_id, payload, document)


@router.post(
    "/consents/{uuid:consent_id}/withdraw",
    response=responses({200: ConsentOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Record the withdrawal of a consent",
    description="Takes effect at once: access that rested on it ends, and an ongoing case goes back to the OT.",
)
def withdraw_consent(request: HttpRequest, consent_id: uuid.UUID, payload: WithdrawIn):
    user = request.user
    consent = (
        Consent.objects.filter(pk=consent_id, case__in=policy.visible_cases(user))
        .select_related("case", "case__chain", "case__youth")
        .first()
    )
    if consent is None or not policy.can_view_consents(user, consent.case):
        raise Http404
    consent = domain.withdraw_consent(actor=user, consent=consent, on=payload.on, note=payload.note)
    return _present(consent)
