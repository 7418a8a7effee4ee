"""The partner workspace: "Mijn acties" (plan actions one is responsible for) and "Mijn overleggen".

Everything is scoped by ``policy.visible_cases``: a partner sees actions and meetings only of cases
where they are a current network member under a valid consent, within the consented life domains.
An action that is not theirs answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketenregie.audit.domain import log
from ketenregie.common.access import AUTHENTICATED, access_rule
from ketenregie.common.errors import DomainError, NotAllowed
from ketenregie.meetings.domain import invitation_ics
from ketenregie.meetings.enums import MeetingStatus
from ketenregie.plans.enums import OPEN_ACTION_STATUSES
from ketenregie.threads import domain, queries
from ketenregie.threads.forms import ActionProgressForm


def _action_rows(request: HttpRequest, actions, errors: dict | None = None) -> list[dict]:
    today = timezone.localdate()
    errors = errors or {}
    rows = []
    for action in actions:
        form = errors.get(action.pk) or ActionProgressForm(initial={"status": action.status}, prefix=str(action.pk))
        rows.append(
            {
                "action": action,
                "domain_label": action.case.chain.life_domain_label(action.goal.plan_domain.domain),
                "overdue": action.due_on is not None
                and action.due_on < today
                and action.status in OPEN_ACTION_STATUSES,
                "open": action.status in OPEN_ACTION_STATUSES,
                "form": form,
                "can_update": not action.case.is_closed,
            }
        )
    return rows


def _actions_page(request: HttpRequest, *, errors: dict | None = None, status: int = 200) -> HttpResponse:
    actions = queries.my_actions(request.user)
    log("case.listed", actor=request.user, details={"view": "my_actions", "count": len(actions)})
    rows = _action_rows(request, actions, errors)
    return render(
        request,
        "threads/my_actions.html",
        {"open_rows": [r for r in rows if r["open"]], "done_rows": [r for r in rows if not r["open"]]},
        status=status,
    )


@access_rule(AUTHENTICATED)
def my_actions(request: HttpRequest) -> HttpResponse:
    return _actions_page(request)


@access_rule(AUTHENTICATED)
@require_POST
def action_update(request: HttpRequest, action_id) -> HttpResponse:
    action = queries.my_action(request.user, action_id)
    if action is None:
        raise Http404
    form = ActionProgressForm(request.POST, prefix=str(action.pk))
    if form.is_valid():
        try:
            domain.report_action_progress(
                actor=request.user, action=action, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except NotAllowed:
            raise Http404 from None
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(
                request,
                _("The action is updated. The case director of %(reference)s gets a notification.")
                % {"reference": action.case.reference},
            )
            return redirect("threads:my_actions")
    return _actions_page(request, errors={action.pk: form}, status=422)


@access_rule(AUTHENTICATED)
def my_meetings(request: HttpRequest) -> HttpResponse:
    meetings = list(queries.my_meetings(request.user))
    log("case.listed", actor=request.user, details={"view": "my_meetings", "count": len(meetings)})
    now = timezone.now()
    upcoming = [m for m in meetings if m.status == MeetingStatus.PLANNED and m.starts_at >= now]
    earlier = [m for m in reversed(meetings) if m not in upcoming]
    return render(request, "threads/my_meetings.html", {"upcoming": upcoming, "earlier": earlier})


@access_rule(AUTHENTICATED)
def meeting_ics(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = queries.my_meetings(request.user).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    log(
        "meeting.invite_downloaded",
        actor=request.user,
        obj=meeting,
        chain_id=meeting.case.chain_id,
        case_id=meeting.case_id,
        details={"view": "my_meetings"},
    )
    response = HttpResponse(invitation_ics(meeting), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="overleg-{meeting.case.reference}.ics"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
