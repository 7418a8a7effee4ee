"""Pages for the data subject's rights: who viewed a case, restriction and legal holds, the export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketenregie.accounts.reauth import reauth_required
from ketenregie.audit.actions import describe
from ketenregie.audit.domain import log
from ketenregie.cases.models import Case, Youth
from ketenregie.cases.pdf import pdf_response
from ketenregie.cases.views.base import apply_domain_error, get_case
from ketenregie.common.access import CASE, access_rule
from ketenregie.common.errors import DomainError
from ketenregie.consent import policy
from ketenregie.privacy import domain, queries, retention
from ketenregie.privacy.forms import LegalHoldForm, LiftRestrictionForm, RestrictForm
from ketenregie.privacy.models import LegalHold, Restriction
from ketenregie.privacy.subject import cases_of, export_filename, person_name, render_export_pdf, role_labels

PER_PAGE = 50


def _coordinator_case(request: HttpRequest, case_id, *, audit: bool = True) -> Case:
    """The case through the policy (404 when out of scope); 403 for those who see it but are no coordinator."""
    case = get_case(request, case_id, audit=audit)
    if not policy.is_coordinator(request.user, case.chain_id):
        log("access.denied", actor=request.user, obj=case, chain_id=case.chain_id, case_id=case.pk, result="denied")
        raise PermissionDenied
    return case


# --- Who viewed this case (SECURITY.md AU6) --------------------------------------------------------


@access_rule(CASE)
def access_log(request: HttpRequest, case_id) -> HttpResponse:
    case = _coordinator_case(request, case_id, audit=False)
    page = Paginator(queries.case_events([case.pk]), PER_PAGE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    # Viewing the log is itself an access to the case, and lands in the log.
    log("privacy.access_log_viewed", actor=request.user, obj=case, chain_id=case.chain_id, case_id=case.pk)
    from ketenregie.accounts.models import User

    users = {u.pk: u for u in User.objects.filter(pk__in={e.actor_id for e in events if e.actor_id})}
    rows = [
        {
            "event": e,
            "who": person_name(users.get(e.actor_id)) if e.actor_id in users else e.actor_username,
            "username": e.actor_username,
            "roles": role_labels(e.actor_roles),
            "what": describe(e.action),
            "break_glass": "break_glass" in e.action or "break_the_glass" in e.action,
        }
        for e in events
    ]
    return render(request, "privacy/access_log.html", {"case": case, "page": page, "rows": rows})


# --- Restriction, legal holds and retention of one case -----------------------------------------------


def _privacy_page(request: HttpRequest, case: Case, *, status: int = 200, **forms) -> HttpResponse:
    restriction = queries.active_restriction(case)
    holds = list(LegalHold.objects.with_scope(chain=case.chain_id).filter(case=case).select_related("placed_by"))
    ended = retention.ended_on(case)
    context = {
        "case": case,
        "restriction": restriction,
        "history": list(
            Restriction.objects.with_scope(chain=case.chain_id)
            .filter(case=case, lifted_at__isnull=False)
            .select_related("restricted_by", "lifted_by")
        ),
        "holds": holds,
        "active_holds": [h for h in holds if h.is_active_on(timezone.localdate())],
        "ended_on": ended,
        "retention_years": case.chain.retention_years,
        "due_on": retention.add_years(ended, case.chain.retention_years) if ended else None,
        "pseudonymised": queries.is_pseudonymised(case),
        "restrict_form": forms.get("restrict_form") or RestrictForm(),
        "lift_form": forms.get("lift_form") or LiftRestrictionForm(),
        "hold_form": forms.get("hold_form") or LegalHoldForm(),
    }
    return render(request, "privacy/case_privacy.html", context, status=status)


@access_rule(CASE)
def case_privacy(request: HttpRequest, case_id) -> HttpResponse:
    return _privacy_page(request, _coordinator_case(request, case_id))


@access_rule(CASE)
@require_POST
def restrict(request: HttpRequest, case_id) -> HttpResponse:
    case = _coordinator_case(request, case_id)
    form = RestrictForm(request.POST)
    if form.is_valid():
        try:
            domain.restrict_case(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The processing of this case is restricted: nothing can be changed or shared."))
            return redirect("privacy:case", case_id=case.pk)
    return _privacy_page(request, case, restrict_form=form)


@access_rule(CASE)
@require_POST
def lift(request: HttpRequest, case_id) -> HttpResponse:
    case = _coordinator_case(request, case_id)
    form = LiftRestrictionForm(request.POST)
    if form.is_valid():
        try:
            domain.lift_restriction(actor=request.user, case=case, reason=form.cleaned_data["lift_reason"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The restriction is lifted: the case can be changed and shared again."))
            return redirect("privacy:case", case_id=case.pk)
    return _privacy_page(request, case, lift_form=form)


@access_rule(CASE)
@require_POST
def place_hold(request: HttpRequest, case_id) -> HttpResponse:
    case = _coordinator_case(request, case_id)
    form = LegalHoldForm(request.POST)
    if form.is_valid():
        try:
            domain.place_legal_hold(
                actor=request.user, case=case, reason=form.cleaned_data["hold_reason"], until=form.cleaned_data["until"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc, {"reason": "hold_reason"})
        else:
            messages.success(request, _("The legal hold is recorded: retention leaves this case alone."))
            return redirect("privacy:case", case_id=case.pk)
    return _privacy_page(request, case, hold_form=form)


@access_rule(CASE)
@require_POST
def lift_hold(request: HttpRequest, hold_id) -> HttpResponse:
    hold = get_object_or_404(
        LegalHold.objects.with_scopes_disabled().select_related("case"),
        pk=hold_id,
        case__in=policy.visible_cases(request.user),
    )
    case = _coordinator_case(request, hold.case_id)
    domain.lift_legal_hold(actor=request.user, hold=hold)
    messages.success(request, _("The legal hold is lifted."))
    return redirect("privacy:case", case_id=case.pk)


# --- Everything about a youth (SECURITY.md L6) ---------------------------------------------------


def _coordinator_youth(request: HttpRequest, youth_id) -> Youth:
    chain_ids = policy.coordinator_chain_ids(request.user)
    youth = Youth.objects.with_scope(chain=chain_ids).filter(pk=youth_id).select_related("chain").first()
    if youth is None:
        raise Http404
    return youth


@access_rule(CASE)
def subject(request: HttpRequest, youth_id) -> HttpResponse:
    youth = _coordinator_youth(request, youth_id)
    cases = cases_of(youth)
    for case in cases:
        log("privacy.subject_viewed", actor=request.user, obj=youth, chain_id=youth.chain_id, case_id=case.pk)
    return render(request, "privacy/subject.html", {"youth": youth, "cases": cases})


@access_rule(CASE)
@reauth_required
def subject_export(request: HttpRequest, youth_id, fmt: str) -> HttpResponse:
    youth = _coordinator_youth(request, youth_id)
    export = domain.export_subject(actor=request.user, youth=youth, fmt=fmt)
    if fmt == "pdf":
        return pdf_response(render_export_pdf(export, request), export_filename(youth, "pdf"))
    response = HttpResponse(export.to_json_bytes(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(youth, "json")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
