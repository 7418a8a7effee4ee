"""The chain's register of legal bases for case conferences (SECURITY.md L1, art. 458ter Sw.)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenregie.accounts.enums import Role
from ketenregie.cases import domain
from ketenregie.cases.forms_ot import LegalBasisForm
from ketenregie.cases.models import LegalBasis
from ketenregie.cases.views.base import apply_domain_error, chains_with_role
from ketenregie.common.access import CHAIN_MEMBER, access_rule
from ketenregie.common.errors import DomainError


def _coordinated_chain(request: HttpRequest, chain_slug: str):
    """Only the chain's operational coordinators keep the register; everyone else gets 404."""
    for chain in chains_with_role(request.user, Role.OPERATIONAL_COORDINATOR):
        if chain.slug == chain_slug:
            return chain
    raise Http404


def basis_status(basis: LegalBasis, today) -> str:
    if basis.valid_from > today:
        return "not_yet_valid"
    if basis.valid_until is not None and basis.valid_until < today:
        return "expired"
    return "valid"


@access_rule(CHAIN_MEMBER)
def register_list(request: HttpRequest, chain_slug: str) -> HttpResponse:
    chain = _coordinated_chain(request, chain_slug)
    today = timezone.localdate()
    bases = list(LegalBasis.objects.filter(chain=chain).prefetch_related("authorised_organisations"))
    labels = {"valid": _("Valid"), "expired": _("Expired"), "not_yet_valid": _("Not yet valid")}
    rows = [{"basis": b, "status": (s := basis_status(b, today)), "status_label": labels[s]} for b in bases]
    return render(
        request,
        "cases/legal_basis_list.html",
        {"chain": chain, "rows": rows, "has_valid": any(r["status"] == "valid" for r in rows)},
    )


@access_rule(CHAIN_MEMBER)
def register_create(request: HttpRequest, chain_slug: str) -> HttpResponse:
    chain = _coordinated_chain(request, chain_slug)
    form = LegalBasisForm(request.POST or None, chain=chain)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            domain.add_legal_basis(
                actor=request.user,
                chain=chain,
                kind=data["kind"],
                reference=data["reference"],
                dated=data["dated"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                purpose=data["purpose"],
                modalities=data["modalities"],
                organisations=list(data["organisations"]),
                authorised_functions=data["authorised_functions"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The legal basis is added to the register."))
            return redirect("cases:legal_basis", chain_slug=chain.slug)
    return render(request, "cases/legal_basis_form.html", {"chain": chain, "form": form})
