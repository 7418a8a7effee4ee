"""Consent pages of a case: list, record, print the blank form, download the signed document, withdraw.

Every page goes through ``get_case(..., work=True)``: only the chain's coordinators and the case's
own case director handle consents; everyone else gets the same 404 as for a case that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ketenregie.accounts.models import ChainPartner
from ketenregie.accounts.reauth import reauth_required
from ketenregie.audit.domain import log
from ketenregie.cases import workflow
from ketenregie.cases.eligibility import age_on, is_minor
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.cases.pdf import pdf_response, render_pdf
from ketenregie.cases.views.base import apply_domain_error, chains_with_role, get_case
from ketenregie.common.access import AUTHENTICATED, CASE, access_rule
from ketenregie.common.errors import DomainError
from ketenregie.consent import domain, policy
from ketenregie.consent.enums import ConsentKind
from ketenregie.consent.forms import BreakGlassForm, ConsentForm, WithdrawForm
from ketenregie.consent.models import Consent

STATUS_LABELS = {
    "valid": gettext_lazy("Valid"),
    "expired": gettext_lazy("Expired"),
    "withdrawn": gettext_lazy("Withdrawn"),
}


@dataclass
class ConsentRow:
    consent: Consent
    status: str
    organisations: list[str]
    life_domains: list[str]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def consent_status(consent: Consent, today: date) -> str:
    if consent.withdrawn_on is not None and consent.withdrawn_on <= today:
        return "withdrawn"
    if consent.valid_until is not None and consent.valid_until < today:
        return "expired"
    return "valid"


def _consent_for_case(request: HttpRequest, consent_id) -> tuple[Consent, object]:
    """The consent and its case, through the policy: 404 unless the user may work on the case."""
    consent = Consent.objects.filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    case = get_case(request, consent.case_id, work=True, audit=False)
    consent.case = case
    return consent, case


@access_rule(CASE)
def consent_list(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    today = timezone.localdate()
    consents = Consent.objects.filter(case=case).select_related("recorded_by").prefetch_related("organisations")
    rows = [
        ConsentRow(
            consent=c,
            status=consent_status(c, today),
            organisations=[o.name for o in c.organisations.all()],
            life_domains=[case.chain.life_domain_label(code) for code in c.life_domains],
        )
        for c in consents
    ]
    missing_for_ot = None
    if case.status in (CaseStatus.REGISTERED, CaseStatus.INTAKE):
        missing_for_ot = workflow.consent_for_ot(case, workflow.Context(actor=request.user))
    return render(
        request,
        "consent/consent_list.html",
        {
            "case": case,
            "rows": rows,
            "missing_for_ot": missing_for_ot,
            "is_minor": is_minor(case.youth.birth_date, today),
        },
    )


@access_rule(CASE)
def consent_create(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    if case.is_closed:
        messages.error(request, _("This case is closed and can no longer be changed."))
        return redirect("cases:consent_list", case_id=case.pk)
    if request.method == "POST":
        form = ConsentForm(request.POST, request.FILES, chain=case.chain)
        if form.is_valid():
            data = form.cleaned_data
            try:
                domain.record_consent(
                    actor=request.user,
                    case=case,
                    data=domain.ConsentData(
                        kind=data["kind"],
                        given_by=data["given_by"],
                        given_by_name=data["given_by_name"],
                        signed_on=data["signed_on"],
                        valid_until=data["valid_until"],
                        organisations=list(data["organisations"]),
                        life_domains=data["life_domains"],
                    ),
                    document=data["document"] or None,
                    submission_key=data["submission_key"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The consent is recorded."))
                return redirect("cases:consent_list", case_id=case.pk)
    else:
        initial = {}
        kind = request.GET.get("soort", "")
        if kind in ConsentKind.values:
            initial["kind"] = kind
        form = ConsentForm(initial=initial, chain=case.chain)
    return render(request, "consent/consent_form.html", {"case": case, "form": form})


@access_rule(CASE)
def consent_document(request: HttpRequest, consent_id) -> FileResponse:
    consent, case = _consent_for_case(request, consent_id)
    if not consent.document:
        raise Http404
    try:
        handle = consent.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    log(
        "case.document_downloaded",
        actor=request.user,
        obj=consent,
        chain_id=case.chain_id,
        case_id=case.pk,
        details={"document": "consent", "kind": consent.kind},
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=consent.document_name or "document",
        content_type=consent.document_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@access_rule(CASE)
def consent_withdraw(request: HttpRequest, consent_id) -> HttpResponse:
    consent, case = _consent_for_case(request, consent_id)
    log(
        "case.viewed",
        actor=request.user,
        obj=case,
        chain_id=case.chain_id,
        case_id=case.pk,
        details={"view": "consent_withdraw"},
    )
    if consent.withdrawn_on is not None:
        messages.info(request, _("This consent was already withdrawn."))
        return redirect("cases:consent_list", case_id=case.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain.withdraw_consent(
                actor=request.user, consent=consent, on=form.cleaned_data["on"], note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            case.refresh_from_db(fields=["flagged_for_ot"])
            if case.flagged_for_ot:
                messages.success(
                    request,
                    _("The consent is withdrawn. Access based on it has ended, and the case is back on the OT's list."),
                )
            else:
                messages.success(request, _("The consent is withdrawn. Access based on it has ended."))
            return redirect("cases:consent_list", case_id=case.pk)
    ongoing = case.status in (CaseStatus.INCLUDED, CaseStatus.ACTIVE)
    return render(
        request, "consent/consent_withdraw.html", {"case": case, "consent": consent, "form": form, "ongoing": ongoing}
    )


@access_rule(CASE)
def consent_form_pdf(request: HttpRequest, case_id) -> HttpResponse:
    """The blank consent form to print and sign at the intake, pre-filled with what the case knows."""
    case = get_case(request, case_id, work=True, audit=False)
    today = timezone.localdate()
    chain = case.chain
    minor = is_minor(case.youth.birth_date, today)
    # Parental consent and the engagement declaration are for minors only.
    kinds = [
        (code, label)
        for code, label in ConsentKind.choices
        if minor or code not in (ConsentKind.PARENTAL, ConsentKind.ENGAGEMENT)
    ]
    partners = ChainPartner.objects.filter(chain=chain).select_related("organisation").order_by("organisation__name")
    context = {
        "case": case,
        "youth": case.youth,
        "chain": chain,
        "age": age_on(case.youth.birth_date, today),
        "minor": minor,
        "guardians": list(case.guardians.all()),
        "kinds": kinds,
        "organisations": [p.organisation for p in partners],
        "life_domains": chain.life_domains,
        "today": today,
    }
    pdf = render_pdf("pdf/consent_form.html", context)
    log(
        "case.document_downloaded",
        actor=request.user,
        obj=case,
        chain_id=case.chain_id,
        case_id=case.pk,
        details={"document": "consent_form_pdf"},
    )
    return pdf_response(pdf, f"toestemmingsformulier-{case.reference}.pdf")


# --- Break the glass ----------------------------------------------------------------------------


@access_rule(AUTHENTICATED)
@reauth_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """Emergency access to a case of one's chain outside one's scope: re-authenticated, with a reason."""
    chains = chains_with_role(request.user, *policy.BREAK_GLASS_ROLES)
    if not chains:
        raise Http404
    initial = {}
    wanted = request.GET.get("dossier", "")
    if _is_uuid(wanted):
        # From the summary page of a case the user already sees: fill in its number.
        found = policy.visible_cases(request.user).filter(pk=wanted).values_list("reference", flat=True).first()
        if found:
            initial["reference"] = found
    form = BreakGlassForm(request.POST or None, chains=chains, initial=initial)
    if request.method == "POST" and form.is_valid():
        chain = form.cleaned_data["chain"]
        case = (
            Case.objects.with_scope(chain=chain.pk)
            .filter(chain=chain, reference__iexact=form.cleaned_data["reference"].strip())
            .select_related("youth", "chain")
            .first()
        )
        if case is None:
            log(
                "access.denied", actor=request.user, chain_id=chain.pk, result="denied", details={"view": "break_glass"}
            )
            form.add_error("reference", _("There is no case with this number in the chain."))
        else:
            try:
                grant = domain.break_the_glass(actor=request.user, case=case, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.warning(
                    request,
                    _(
                        "Emergency access until %(time)s. You can read the case but not change it; the coordinators "
                        "of the chain were informed."
                    )
                    % {"time": date_format(timezone.localtime(grant.expires_at), "j F Y H:i")},
                )
                return redirect("cases:case_detail", case_id=case.pk)
    return render(
        request,
        "consent/break_glass.html",
        {"form": form, "hours": policy.BREAK_GLASS_HOURS, "several_chains": len(chains) > 1},
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
