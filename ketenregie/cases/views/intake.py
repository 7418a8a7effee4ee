"""The intake page: the intake conversation per life domain, the GLM needs and reflection time."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ketenregie.cases import domain
from ketenregie.cases.forms_intake import IntakeForm
from ketenregie.cases.models import Intake
from ketenregie.cases.views.base import apply_domain_error, get_case
from ketenregie.common.access import CASE, access_rule
from ketenregie.common.errors import DomainError, StaleVersion


def _current_intake(case) -> Intake | None:
    return Intake.objects.filter(case=case).select_related("updated_by").first()


def _display(value, choices: dict) -> str:
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if hasattr(value, "isoformat"):
        return date_format(value, "j F Y")
    return str(value)


def _conflicts(form: IntakeForm, saved: dict) -> dict[str, str]:
    """Per field, what the other person saved, where it differs from this user's unsaved input."""
    needs = dict(form.chain.glm_need_choices)
    result = {}
    for name in form.fields:
        if name == "version":
            continue
        mine = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else form.data.get(name)
        theirs = saved.get(name)
        if (mine or None) != (theirs or None):
            result[name] = _display(theirs, needs) or _("(empty)")
    return result


@access_rule(CASE)
def intake_edit(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    intake = _current_intake(case)
    editable = not case.is_closed
    conflict = None
    if request.method == "POST" and editable:
        form = IntakeForm(request.POST, chain=case.chain)
        if form.is_valid():
            data = form.cleaned_data
            try:
                domain.save_intake(
                    actor=request.user,
                    case=case,
                    version=data["version"],
                    intake_on=data["intake_on"],
                    domains=form.domains_data(),
                    glm_needs=data["glm_needs"],
                    youth_words=data["youth_words"],
                    reflection_until=data["reflection_until"],
                )
            except StaleVersion:
                # Keep the user's input, show beside it what the other person saved, and let a new
                # save go ahead against the current version (deliberately, after seeing both).
                intake = _current_intake(case)
                case.refresh_from_db(fields=["reflection_until"])
                saved = IntakeForm.initial_from(intake, case)
                post = request.POST.copy()
                post["version"] = str(saved["version"])
                form = IntakeForm(post, chain=case.chain)
                form.is_valid()
                conflict = {"intake": intake, "fields": _conflicts(form, saved)}
            except DomainError as exc:
                apply_domain_error(form, exc, form.domain_error_map())
            else:
                messages.success(request, _("The intake is saved."))
                return redirect("cases:intake", case_id=case.pk)
    else:
        form = IntakeForm(initial=IntakeForm.initial_from(intake, case), chain=case.chain)
    return render(
        request,
        "cases/intake.html",
        {
            "case": case,
            "intake": intake,
            "form": form,
            "groups": form.domain_groups(),
            "conflict": conflict,
            "conflicts": conflict["fields"] if conflict else {},
            "editable": editable,
        },
    )
