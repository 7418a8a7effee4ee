"""Consults: a referrer's question "can this case come to the chain?", before any registration."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ketenregie.accounts.enums import Role
from ketenregie.audit.domain import log
from ketenregie.cases import domain
from ketenregie.cases.eligibility import Criterion
from ketenregie.cases.enums import ConsultOutcome
from ketenregie.cases.forms import ConsultForm
from ketenregie.cases.models import Consult
from ketenregie.cases.views.base import apply_domain_error, chain_for_request, chains_with_role
from ketenregie.common.access import CHAIN_MEMBER, access_rule
from ketenregie.common.errors import DomainError
from ketenregie.consent import policy

PER_PAGE = 25


def get_consult(request: HttpRequest, consult_id) -> Consult:
    """A consult of one of the user's chains as coordinator; anything else is a 404."""
    try:
        return (
            policy.visible_consults(request.user)
            .select_related("chain", "referrer_organisation", "created_by")
            .get(pk=consult_id)
        )
    except (Consult.DoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404 from None


@access_rule(CHAIN_MEMBER)
def consult_list(request: HttpRequest) -> HttpResponse:
    chains = chains_with_role(request.user, Role.OPERATIONAL_COORDINATOR)
    if not chains:
        raise Http404
    consults = policy.visible_consults(request.user).select_related("chain", "referrer_organisation")
    page = Paginator(consults.order_by("-consulted_on", "-created_at"), PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    log(
        "consult.listed",
        actor=request.user,
        chain_id=chains[0].pk if len(chains) == 1 else None,
        details={"count": len(rows)},
    )
    return render(
        request,
        "cases/consult_list.html",
        {
            "page": page,
            "consults": rows,
            "chains": chains,
            "several_chains": len(chains) > 1,
        },
    )


@access_rule(CHAIN_MEMBER)
def consult_create(request: HttpRequest) -> HttpResponse:
    chain, chains = chain_for_request(request, Role.OPERATIONAL_COORDINATOR)
    if request.method == "POST":
        form = ConsultForm(request.POST, chain=chain)
        if form.is_valid():
            try:
                consult = domain.record_consult(
                    actor=request.user,
                    chain=chain,
                    data=form.to_data(),
                    submission_key=form.cleaned_data.get("submission_key"),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The consult is recorded."))
                return redirect("cases:consult_detail", consult_id=consult.pk)
        criteria = form.eligibility()
    else:
        form = ConsultForm(chain=chain)
        criteria = form.eligibility()
    return render(
        request,
        "cases/consult_form.html",
        {
            "form": form,
            "chain": chain,
            "chains": chains,
            "criteria": criteria,
        },
    )


@access_rule(CHAIN_MEMBER)
def consult_detail(request: HttpRequest, consult_id) -> HttpResponse:
    consult = get_consult(request, consult_id)
    log("consult.viewed", actor=request.user, obj=consult, chain_id=consult.chain_id)
    criteria = [
        Criterion(c.get("code", ""), c.get("status", "unknown"), c.get("message", "")) for c in consult.eligibility
    ]
    registered = list(
        policy.visible_cases(request.user).filter(consult=consult).select_related("youth").order_by("-registered_on")
    )
    return render(
        request,
        "cases/consult_detail.html",
        {
            "consult": consult,
            "chain": consult.chain,
            "criteria": criteria,
            "registered_cases": registered,
            "fits": consult.outcome == ConsultOutcome.FITS,
        },
    )
