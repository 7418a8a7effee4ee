"""The workflow steps of a case: one confirmation page per transition, plus start, assignment and
bringing a case back to the OT. Each page says what happens, asks only what the step needs, and
calls the domain; a refusal is shown on the page with nothing changed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketenregie.cases import domain, workflow
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.forms import (
    ActivationStepForm,
    AssignForm,
    ClosureStepForm,
    ConfirmStepForm,
    FlagForm,
    ReasonStepForm,
    StartForm,
)
from ketenregie.cases.models import Case
from ketenregie.cases.views.base import apply_domain_error, get_case
from ketenregie.cases.views.case_page import blockers
from ketenregie.common.access import CASE, access_rule
from ketenregie.common.errors import DomainError, GuardFailed, NotAllowed, StaleVersion
from ketenregie.consent import policy

# What each step does, in words a newcomer understands.
INTROS = {
    "start_intake": gettext_lazy(
        "The case moves to the intake. Plan the intake conversation with the youth (and the family), go through "
        "the life domains and have the consents signed."
    ),
    "submit_to_ot": gettext_lazy(
        "The case goes on the list of the operational team (OT) and is put on the agenda of the next OT meeting."
    ),
    "back_to_intake": gettext_lazy("The case leaves the OT's list and goes back to the intake."),
    "not_include": gettext_lazy(
        "The chain does not take up this case. The referrer receives your advice on who can help instead."
    ),
    "withdraw": gettext_lazy("The youth declines or withdraws. The case ends as “withdrawn”."),
    "activate": gettext_lazy(
        "The trajectory starts with the first conversation between the case director and the youth."
    ),
    "close": gettext_lazy(
        "Close the case with a short summary per life domain. A stop (by the youth, or for another reason) "
        "goes via the OT first."
    ),
    "reopen_registration": gettext_lazy("The registration is taken up again and starts over as “registered”."),
}

REASON_LABELS = {
    "not_include": (
        gettext_lazy("Advice to the referrer"),
        gettext_lazy("Which other service can take up this case? The referrer receives this advice."),
    ),
    "withdraw": (gettext_lazy("What did the youth decide, and why?"), None),
    "back_to_intake": (gettext_lazy("Why does the case go back to the intake?"), None),
    "reopen_registration": (gettext_lazy("Why is the registration taken up again?"), None),
}

STEP_PLAYBOOK = {"start_intake": "intake", "submit_to_ot": "ot", "activate": "start", "close": "closure"}


def _step_form(transition: workflow.Transition, case: Case, data=None):
    initial = {"expected_version": case.version}
    if transition.name == "close":
        return ClosureStepForm(data, chain=case.chain, initial=initial)
    if transition.name == "activate":
        return ActivationStepForm(data, initial={**initial, "first_conversation_on": case.first_conversation_on})
    if transition.needs_reason:
        label, help_text = REASON_LABELS.get(transition.name, (None, None))
        return ReasonStepForm(data, initial=initial, label=label, help_text=help_text)
    return ConfirmStepForm(data, initial=initial)


def _do_step(request: HttpRequest, case: Case, transition: workflow.Transition, form) -> Case:
    data = form.cleaned_data
    version = data["expected_version"]
    if transition.name == "close":
        return domain.close_case(
            actor=request.user,
            case=case,
            closure_reason=data["closure_reason"],
            closure_summary=form.closure_summary(),
            expected_version=version,
        )
    if transition.name == "activate":
        return domain.activate_case(
            actor=request.user, case=case, first_conversation_on=data["first_conversation_on"], expected_version=version
        )
    return workflow.transition_case(
        case, transition.target, actor=request.user, expected_version=version, reason=data.get("reason", "")
    )


def _conflict(request: HttpRequest, case: Case, message: str) -> dict:
    case.refresh_from_db(fields=["status", "version"])
    return {"message": message, "status": CaseStatus(case.status).label}


@access_rule(CASE)
def take_step(request: HttpRequest, case_id, transition: str) -> HttpResponse:
    case = get_case(request, case_id)
    step = workflow.BY_NAME.get(transition)
    if step is None:
        raise Http404
    option = next((o for o in workflow.allowed_transitions(case, request.user) if o.name == step.name), None)
    if option is None:
        raise Http404
    guard_messages: list[str] = []
    conflict = None
    if request.method == "POST":
        form = _step_form(step, case, request.POST)
        if form.is_valid():
            try:
                case = _do_step(request, case, step, form)
            except StaleVersion as exc:
                conflict = _conflict(request, case, exc.detail)
            except GuardFailed as exc:
                guard_messages = [e["message"] for e in exc.errors] or [exc.detail]
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as exc:
                apply_domain_error(
                    form, exc, {f"closure_summary.{c}": f"summary_{c}" for c in getattr(form, "domain_codes", [])}
                )
            else:
                messages.success(
                    request, _("Done. The case is now “%(status)s”.") % {"status": CaseStatus(case.status).label}
                )
                return redirect("cases:case_detail", case_id=case.pk)
    else:
        form = _step_form(step, case)
    return render(
        request,
        "cases/step_form.html",
        {
            "case": case,
            "title": option.label,
            "intro": INTROS.get(step.name, ""),
            "form": form,
            "submit_label": option.label,
            "blockers": blockers(case, request.user, option),
            "guard_messages": guard_messages,
            "conflict": conflict,
            "playbook_step": STEP_PLAYBOOK.get(step.name, ""),
            "danger": step.target in (CaseStatus.NOT_INCLUDED, CaseStatus.WITHDRAWN, CaseStatus.CLOSED),
        },
    )


def _simple_step(request: HttpRequest, case: Case, form, save, *, title, intro, submit_label, done, playbook_step=""):
    """The shape every non-transition step shares: validate, call the domain, map its refusal."""
    conflict = None
    if request.method == "POST" and not case.is_closed and form.is_valid():
        try:
            save(form.cleaned_data)
        except StaleVersion as exc:
            conflict = _conflict(request, case, exc.detail)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("cases:case_detail", case_id=case.pk)
    return render(
        request,
        "cases/step_form.html",
        {
            "case": case,
            "title": title,
            "intro": intro,
            "form": form,
            "submit_label": submit_label,
            "conflict": conflict,
            "read_only": case.is_closed,
            "playbook_step": playbook_step,
        },
    )


@access_rule(CASE)
def record_start(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    initial = {
        "expected_version": case.version,
        "referrer_informed_on": case.referrer_informed_on,
        "youth_informed_of_decision_on": case.youth_informed_of_decision_on,
        "trusted_person_name": case.trusted_person_name,
        "trusted_person_contact": case.trusted_person_contact,
    }
    form = StartForm(request.POST if request.method == "POST" else None, initial=initial)

    def save(data):
        domain.record_start(
            actor=request.user,
            case=case,
            referrer_informed_on=data["referrer_informed_on"],
            youth_informed_of_decision_on=data["youth_informed_of_decision_on"],
            trusted_person_name=data["trusted_person_name"],
            trusted_person_contact=data["trusted_person_contact"],
            expected_version=data["expected_version"],
        )

    return _simple_step(
        request,
        case,
        form,
        save,
        title=_("Start of the trajectory"),
        intro=_(
            "Record when the referrer and the youth were told of the OT's decision, and who the youth's trusted "
            "person is. Both dates are needed before the trajectory can start."
        ),
        submit_label=_("Save"),
        done=_("The start details are saved."),
        playbook_step="start",
    )


@access_rule(CASE)
def assign(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id)
    if not policy.is_coordinator(request.user, case.chain_id):
        raise PermissionDenied
    initial = {"expected_version": case.version, "case_director": case.case_director_id}
    form = AssignForm(request.POST if request.method == "POST" else None, chain=case.chain, initial=initial)

    def save(data):
        domain.assign_case_director(
            actor=request.user,
            case=case,
            case_director=data["case_director"],
            expected_version=data["expected_version"],
        )

    return _simple_step(
        request,
        case,
        form,
        save,
        title=_("Assign a case director"),
        intro=_("The case director directs this case: follows up the youth and brings the network together."),
        submit_label=_("Assign"),
        done=_("The case director is assigned."),
    )


@access_rule(CASE)
def flag_for_ot(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    if case.status not in (CaseStatus.INCLUDED, CaseStatus.ACTIVE):
        messages.error(request, _("Only an included or active case can be brought back to the OT."))
        return redirect("cases:case_detail", case_id=case.pk)
    form = FlagForm(request.POST if request.method == "POST" else None)

    def save(data):
        domain.flag_for_ot(actor=request.user, case=case, reason=data["reason"])

    return _simple_step(
        request,
        case,
        form,
        save,
        title=_("Bring the case back to the OT"),
        intro=_(
            "The case goes on the agenda of the next OT meeting, for example to decide on a stop or after a "
            "major event. The case keeps going in the meantime."
        ),
        submit_label=_("Put on the OT agenda"),
        done=_("The case is put on the agenda of the next OT meeting."),
        playbook_step="ot",
    )
