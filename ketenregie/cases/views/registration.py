"""Registration (aanmelding): one page a newcomer can follow, from a consult, from scratch, or as a
new trajectory of a youth whose previous case is closed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketenregie.accounts.enums import Role
from ketenregie.cases import domain, queries
from ketenregie.cases.enums import ReferrerKind
from ketenregie.cases.forms import (
    YOUTH_FIELDS,
    ConsultForm,
    RegistrationForm,
    filled_rows,
    guardian_formset,
    offence_formset,
    registration_eligibility,
)
from ketenregie.cases.models import Case, Consult
from ketenregie.cases.views.base import apply_domain_error, chain_for_request, get_case
from ketenregie.cases.views.consults import get_consult
from ketenregie.chains.models import Chain
from ketenregie.common.access import CASE, CHAIN_MEMBER, access_rule
from ketenregie.common.errors import DomainError
from ketenregie.consent import policy


@access_rule(CHAIN_MEMBER)
def register(request: HttpRequest) -> HttpResponse:
    consult_id = request.POST.get("consult") or request.GET.get("consult")
    if consult_id:
        consult = get_consult(request, consult_id)
        return _registration_page(request, chain=consult.chain, chains=[consult.chain], consult=consult)
    chain, chains = chain_for_request(request, *domain.REGISTERING_ROLES)
    return _registration_page(request, chain=chain, chains=chains)


@access_rule(CASE)
def register_new_trajectory(request: HttpRequest, case_id) -> HttpResponse:
    previous = get_case(request, case_id)
    if not policy.is_coordinator(request.user, previous.chain_id):
        raise PermissionDenied
    if not previous.is_closed:
        messages.error(request, _("A new trajectory can only follow a closed case. This case is still open."))
        return redirect("cases:case_detail", case_id=previous.pk)
    if queries.has_open_case(previous.chain_id, [previous.youth]):
        # The domain does not refuse this yet (see tests/cases/test_registration_domain.py, xfail): the page does.
        messages.error(
            request,
            _("This youth already has an open case. Continue in that case instead of starting a new trajectory."),
        )
        return redirect("cases:case_detail", case_id=previous.pk)
    return _registration_page(request, chain=previous.chain, chains=[previous.chain], previous_case=previous)


@access_rule(CHAIN_MEMBER)
@require_POST
def eligibility_preview(request: HttpRequest) -> HttpResponse:
    """The criteria on what is filled in so far, as the registration or consult form changes (htmx)."""
    if request.GET.get("for") == "consult":
        chain, _chains = chain_for_request(request, Role.OPERATIONAL_COORDINATOR)
        criteria = ConsultForm(request.POST, chain=chain).eligibility()
    else:
        initial = {}
        if case_id := request.GET.get("case"):
            # A new trajectory: who the youth is comes from the previous case, not from the form.
            previous = get_case(request, case_id, audit=False)
            chain, initial = previous.chain, _youth_initial(previous)
        else:
            chain, _chains = chain_for_request(request, *domain.REGISTERING_ROLES)
        form = RegistrationForm(request.POST, chain=chain, initial=initial, new_trajectory=bool(initial))
        criteria = registration_eligibility(form, offence_formset(request.POST, chain=chain))
    return render(request, "cases/includes/eligibility.html", {"criteria": criteria, "live": True})


# --- The page ---------------------------------------------------------------------------------------


def _youth_initial(case: Case) -> dict:
    youth = case.youth
    return {name: getattr(youth, name) for name in YOUTH_FIELDS}


def _initial(consult: Consult | None, previous: Case | None) -> dict:
    initial: dict = {}
    if consult is not None:
        initial.update(
            consult=consult.pk,
            referrer_kind=consult.referrer_kind,
            referrer_organisation=consult.referrer_organisation_id,
            referrer_name=consult.referrer_name,
            referrer_contact=consult.referrer_contact,
            birth_date=consult.youth_birth_date,
            postal_code=consult.youth_postal_code,
        )
    if previous is not None:
        initial.update(_youth_initial(previous))
    return initial


def _guardian_initial(previous: Case | None) -> list[dict]:
    if previous is None:
        return []
    return [
        {"name": g.name, "relation": g.relation, "phone": g.phone, "email": g.email} for g in previous.guardians.all()
    ]


def _registration_data(form: RegistrationForm, guardian_rows, offence_rows) -> domain.RegistrationData:
    d = form.cleaned_data
    return domain.RegistrationData(
        youth=form.youth_data(),
        referrer_kind=d["referrer_kind"],
        referrer_organisation=d["referrer_organisation"] if d["referrer_kind"] == ReferrerKind.ORGANISATION else None,
        referrer_name=d["referrer_name"],
        referrer_contact=d["referrer_contact"],
        registered_on=d["registered_on"],
        youth_informed_on=d["youth_informed_on"],
        parents_informed_on=d["parents_informed_on"],
        concerns=d["concerns"],
        multi_problem=d["multi_problem"],
        framework=d["framework"],
        offences=[f.to_data() for _i, f in offence_rows],
        guardians=[f.to_data() for _i, f in guardian_rows],
    )


def _place_errors(exc: DomainError, form, formsets: dict) -> dict[str, list[str]]:
    """Put each domain error next to its field: ``youth.x`` on the form, ``offences.2.x`` on that row.

    ``formsets`` maps "offences"/"guardians" to (formset, filled rows): the domain numbers only the
    rows that were filled in, so its index is mapped back to the row on the page.
    """
    sections: dict[str, list[str]] = {"offences": [], "guardians": [], "eligibility": []}
    rest = []
    for error in exc.errors:
        name, message = error["field"], error["message"]
        head, _dot, tail = name.partition(".")
        if head in formsets:
            formset, rows = formsets[head]
            index, _dot, field = tail.partition(".")
            try:
                row = formset.forms[rows[int(index)][0]]
            except (ValueError, IndexError):
                sections[head].append(message)
                continue
            if field in row.fields:
                row.add_error(field, message)
            else:
                sections[head].append(message)
        elif name == "eligibility":
            sections["eligibility"].append(message)
        else:
            rest.append({"field": name.removeprefix("youth."), "message": message})
    if rest or not exc.errors:
        apply_domain_error(form, DomainError(exc.detail, errors=rest))
    return sections


def _error_summary(form, guardians, offences) -> list[dict]:
    """Every field error as a link to its field, so a long form says at the top what to fix."""
    summary = []

    def add(bound_form, prefix: str = "") -> None:
        for name, errors in bound_form.errors.items():
            if name == "__all__" or name not in bound_form.fields:
                continue
            field = bound_form[name]
            label = f"{prefix}{field.label}"
            summary.extend({"label": label, "message": message, "anchor": field.auto_id} for message in errors)

    add(form)
    for number, row in enumerate(guardians.forms, start=1):
        add(row, _("Parent or guardian %(n)d: ") % {"n": number})
    for number, row in enumerate(offences.forms, start=1):
        add(row, _("Offence %(n)d: ") % {"n": number})
    return summary


def _duplicate(request: HttpRequest, chain: Chain, exc: domain.DuplicateSuspected) -> dict:
    """What the user may learn about the youths the new registration looks like.

    A match's name and cases are shown only when the user may see one of its cases; otherwise the
    page says that a similar youth is known, without details, so a registration form cannot be used
    to find out who is in the chain.
    """
    visible = list(queries.cases_of_youths(policy.visible_cases(request.user), exc.matches))
    matches = []
    for youth in exc.matches:
        cases = [c for c in visible if c.youth_id == youth.pk]
        matches.append({"youth": youth if cases else None, "cases": cases})
    return {
        "message": exc.detail,
        "matches": matches,
        "open_case": queries.has_open_case(chain.pk, exc.matches),
        "may_start_trajectory": policy.is_coordinator(request.user, chain.pk),
    }


def _registration_page(
    request: HttpRequest,
    *,
    chain: Chain,
    chains: list,
    consult: Consult | None = None,
    previous_case: Case | None = None,
) -> HttpResponse:
    may_override = policy.is_coordinator(request.user, chain.pk)
    form_kwargs = {
        "chain": chain,
        "initial": _initial(consult, previous_case),
        "new_trajectory": previous_case is not None,
        "may_override": may_override,
    }
    sections: dict[str, list[str]] = {}
    duplicate = None
    eligibility_failed = False
    if request.method == "POST":
        form = RegistrationForm(request.POST, **form_kwargs)
        guardians = guardian_formset(request.POST)
        offences = offence_formset(request.POST, chain=chain)
        if all([form.is_valid(), guardians.is_valid(), offences.is_valid()]):
            guardian_rows, offence_rows = filled_rows(guardians), filled_rows(offences)
            data = _registration_data(form, guardian_rows, offence_rows)
            try:
                case = domain.register_case(
                    actor=request.user,
                    chain=chain,
                    data=data,
                    override_reason=form.cleaned_data.get("override_reason", ""),
                    confirm_not_duplicate=form.cleaned_data["confirm_not_duplicate"],
                    previous_case=previous_case,
                    consult=consult,
                    submission_key=form.cleaned_data.get("submission_key"),
                )
            except domain.DuplicateSuspected as exc:
                duplicate = _duplicate(request, chain, exc)
            except DomainError as exc:
                sections = _place_errors(
                    exc, form, {"offences": (offences, offence_rows), "guardians": (guardians, guardian_rows)}
                )
                eligibility_failed = bool(sections["eligibility"])
            else:
                return _registered(request, case)
    else:
        form = RegistrationForm(**form_kwargs)
        guardians = guardian_formset(initial=_guardian_initial(previous_case))
        offences = offence_formset(chain=chain)
    criteria = registration_eligibility(form, offences)
    if eligibility_failed:
        # What the domain decided on (an offence row without a type still counts as an offence there).
        criteria = domain.eligibility_for(chain=chain, data=data)
    show_override = may_override and (
        eligibility_failed or bool(form["override_reason"].value()) or "override_reason" in form.errors
    )
    preview_url_query = f"?for=registration&case={previous_case.pk}" if previous_case else "?for=registration"
    return render(
        request,
        "cases/register.html",
        {
            "form": form,
            "guardians": guardians,
            "offences": offences,
            "chain": chain,
            "chains": chains,
            "several_chains": len(chains) > 1 and consult is None and previous_case is None,
            "consult": consult,
            "previous_case": previous_case,
            "criteria": criteria,
            "eligibility_failed": eligibility_failed,
            "section_errors": sections,
            "duplicate": duplicate,
            "may_override": may_override,
            "show_override": show_override,
            "preview_url_query": preview_url_query,
            "error_summary": _error_summary(form, guardians, offences) if request.method == "POST" else [],
        },
    )


def _registered(request: HttpRequest, case: Case) -> HttpResponse:
    if policy.visible_cases(request.user).filter(pk=case.pk).exists():
        messages.success(
            request, _("Case %(ref)s is registered. The next step is the intake.") % {"ref": case.reference}
        )
        return redirect("cases:case_detail", case_id=case.pk)
    # Someone who registers without a role in the case (an OT member, a partner) hands it over here.
    messages.success(
        request,
        _("Case %(ref)s is registered. The operational coordinator takes it from here and will contact you.")
        % {"ref": case.reference},
    )
    return redirect("home")
