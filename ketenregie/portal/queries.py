"""What "Mijn traject" shows, in plain words: goals and actions, the next meeting, the case
director, the consents given, and the steps so far. Built for one access, in a fixed number of
queries; the web page and the API answer the same dictionary.

It shows the plan's goals and actions (the youth owns the plan), never the professionals' notes
on situation and risks, the offences, the intake or the follow-up notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import CaseTransition
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import Consent
from ketenregie.meetings.enums import MeetingStatus
from ketenregie.meetings.models import NetworkMeeting
from ketenregie.plans.enums import ActionStatus
from ketenregie.plans.models import Action, Goal, PlanDomain
from ketenregie.portal.enums import PortalRole
from ketenregie.portal.models import PortalAccess, PortalRequest


def step_sentence(status: str) -> str:
    """A step of the trajectory, told to the youth."""
    sentences = {
        CaseStatus.REGISTERED: _("You were registered for the chain approach."),
        CaseStatus.INTAKE: _("The intake started: we talked about how things are going for you."),
        CaseStatus.AWAITING_OT: _("You agreed that the team may talk about your situation."),
        CaseStatus.INCLUDED: _("The team said yes: you can take part."),
        CaseStatus.ACTIVE: _("Your trajectory started."),
        CaseStatus.CLOSED: _("Your trajectory ended."),
        CaseStatus.NOT_INCLUDED: _("The team decided this approach is not the right one for you now."),
        CaseStatus.WITHDRAWN: _("You stopped the trajectory."),
    }
    return str(sentences.get(CaseStatus(status), status)) if status in CaseStatus.values else status


def consent_sentence(kind: str) -> str:
    sentences = {
        ConsentKind.OT_DISCUSSION: _("The team (the OT) may talk about your situation."),
        ConsentKind.ENGAGEMENT: _("You signed that you take part and do your best."),
        ConsentKind.PARENTAL: _("Your parent agreed."),
        ConsentKind.SHARING: _("We may share information with these organisations:"),
    }
    return str(sentences.get(ConsentKind(kind), kind)) if kind in ConsentKind.values else kind


def action_status(status: str) -> str:
    words = {
        ActionStatus.PLANNED: _("Still to do"),
        ActionStatus.RUNNING: _("Busy"),
        ActionStatus.DONE: _("Done"),
        ActionStatus.STOPPED: _("Stopped"),
    }
    return str(words.get(ActionStatus(status), status)) if status in ActionStatus.values else status


@dataclass
class Trajectory:
    first_name: str
    chain: str
    role: str
    active: bool
    director: dict | None
    domains: list[dict] = field(default_factory=list)
    next_meeting: dict | None = None
    consents: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "first_name": self.first_name,
            "chain": self.chain,
            "role": self.role,
            "active": self.active,
            "director": self.director,
            "domains": self.domains,
            "next_meeting": self.next_meeting,
            "consents": self.consents,
            "steps": self.steps,
        }


def _director(case) -> dict | None:
    director = case.case_director
    if director is None:
        return None
    return {
        "name": director.get_full_name() or director.get_username(),
        "email": director.email,
        "phone": getattr(director, "phone", ""),
    }


def _who(action: Action) -> str:
    if action.responsible_member_id and action.responsible_member:
        return action.responsible_member.name
    if action.responsible_organisation_id and action.responsible_organisation:
        return action.responsible_organisation.name
    return ""


def _domains(case) -> list[dict]:
    labels = {d["code"]: d["label"] for d in case.chain.life_domains}
    order = {d["code"]: i for i, d in enumerate(case.chain.life_domains)}
    goal_rows = Goal.objects.prefetch_related("actions__responsible_member", "actions__responsible_organisation")
    domains = PlanDomain.objects.filter(plan__case=case).prefetch_related(Prefetch("goals", queryset=goal_rows))
    out = []
    for d in sorted(domains, key=lambda d: order.get(d.domain, len(order))):
        goals = [
            {
                "text": g.text,
                "result": g.intended_result,
                "agreed": g.youth_agreed,
                "actions": [
                    {
                        "what": a.what,
                        "who": _who(a),
                        "due_on": a.due_on,
                        "status": a.status,
                        "status_label": action_status(a.status),
                    }
                    for a in g.actions.all()
                ],
            }
            for g in d.goals.all()
        ]
        if goals:
            out.append({"code": d.domain, "label": labels.get(d.domain, d.domain), "goals": goals})
    return out


def _next_meeting(case) -> dict | None:
    meeting = (
        NetworkMeeting.objects.filter(case=case, status=MeetingStatus.PLANNED, starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return None
    return {"starts_at": meeting.starts_at, "location": meeting.location, "duration_minutes": meeting.duration_minutes}


def consent_status(consent: Consent, today: date) -> str:
    if consent.withdrawn_on is not None and consent.withdrawn_on <= today:
        return "withdrawn"
    if consent.valid_until is not None and consent.valid_until < today:
        return "expired"
    return "valid"


def _consents(case, access: PortalAccess) -> list[dict]:
    today = timezone.localdate()
    asked = set(
        PortalRequest.objects.filter(case=case, handled_at__isnull=True, consent__isnull=False).values_list(
            "consent_id", flat=True
        )
    )
    labels = {d["code"]: d["label"] for d in case.chain.life_domains}
    rows = []
    for c in Consent.objects.filter(case=case).prefetch_related("organisations").order_by("signed_on"):
        status = consent_status(c, today)
        rows.append(
            {
                "id": c.pk,
                "kind": c.kind,
                "text": consent_sentence(c.kind),
                "by_parent": c.given_by == GivenBy.PARENT,
                "signed_on": c.signed_on,
                "valid_until": c.valid_until,
                "status": status,
                "organisations": [o.name for o in c.organisations.all()],
                "life_domains": [labels.get(code, code) for code in c.life_domains or []],
                "withdrawal_asked": c.pk in asked,
                # The youth asks to withdraw what they signed themselves; a parent's consent is the parent's.
                "can_ask_withdrawal": access.role == PortalRole.YOUTH
                and c.given_by == GivenBy.YOUTH
                and status == "valid"
                and c.pk not in asked,
            }
        )
    return rows


def _steps(case) -> list[dict]:
    steps: list[tuple[datetime, str]] = [
        (t.occurred_at, step_sentence(t.to_status)) for t in CaseTransition.objects.filter(case=case)
    ]
    held = NetworkMeeting.objects.filter(case=case, status=MeetingStatus.HELD).values_list("starts_at", flat=True)
    steps += [(at, _("You had a network meeting with the people around you.")) for at in held]
    steps.sort(key=lambda s: s[0])
    return [{"on": timezone.localtime(at).date(), "text": text} for at, text in steps]


def trajectory(access: PortalAccess) -> Trajectory:
    """Everything "Mijn traject" shows to the holder of ``access`` (call inside the case's chain scope)."""
    case = access.case
    result = Trajectory(
        first_name=case.youth.first_name,
        chain=case.chain.name,
        role=access.role,
        active=access.is_active,
        director=_director(case),
    )
    if not result.active:
        return result
    result.domains = _domains(case)
    result.next_meeting = _next_meeting(case)
    result.consents = _consents(case, access)
    result.steps = _steps(case)
    return result
