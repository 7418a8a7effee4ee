"""Network meetings (FIX-overleg): plan, hold — never without the youth — and evaluate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenregie.accounts.models import User
from ketenregie.audit.domain import log
from ketenregie.cases.domain import Errors, existing_submission, require_work
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case, LegalBasis
from ketenregie.common.errors import GuardFailed, ValidationFailed
from ketenregie.meetings.enums import AgreementKept, LocationKind, MeetingKind, MeetingStatus
from ketenregie.meetings.models import ActionEvaluation, DomainProgress, MeetingAttendance, NetworkMeeting
from ketenregie.network.enums import MemberKind
from ketenregie.network.models import NetworkMember

NO_MEETING_WITHOUT_YOUTH = "Zonder jongere, geen FIX-overleg"


def valid_legal_basis(case: Case, day: date) -> LegalBasis | None:
    for basis in LegalBasis.objects.with_scope(chain=case.chain_id).filter(chain=case.chain_id):
        if basis.is_valid_on(day):
            return basis
    return None


def plan_meeting(
    *,
    actor: User,
    case: Case,
    starts_at: datetime,
    location_kind: str,
    location: str,
    agenda: str = "",
    invitees: list[NetworkMember] | None = None,
    kind: str = MeetingKind.FIX,
    duration_minutes: int = 90,
    submission_key: uuid.UUID | None = None,
) -> NetworkMeeting:
    """Plan a network meeting with invitees from the youth's network (for included or active cases)."""
    require_work(actor, case)
    if (
        existing := existing_submission(NetworkMeeting, submission_key, case_id=case.pk, created_by_id=actor.pk)
    ) is not None:
        return existing
    invitees = invitees or []
    errors = Errors()
    if case.status not in (CaseStatus.INCLUDED, CaseStatus.ACTIVE):
        errors.add("case", _("Network meetings are planned for included or active cases."))
    if starts_at <= timezone.now():
        errors.add("starts_at", _("A planned meeting lies in the future: choose a date and time from now on."))
    if starts_at > timezone.now() + timedelta(days=366):
        errors.add("starts_at", _("This date lies more than a year ahead."))
    if kind not in MeetingKind.values:
        errors.add("kind", _("Choose the kind of meeting."))
    if location_kind not in LocationKind.values:
        errors.add("location_kind", _("Choose the kind of location."))
    if not location.strip():
        errors.add("location", _("Give the location."))
    if not 15 <= duration_minutes <= 480:
        errors.add("duration_minutes", _("Give a duration between 15 and 480 minutes."))
    if any(m.case_id != case.pk for m in invitees):
        errors.add("invitees", _("Invite people from this youth's network."))
    basis = valid_legal_basis(case, timezone.localtime(starts_at).date())
    if basis is None:
        errors.add(
            "legal_basis",
            _("The chain has no legal basis valid on this date: a case conference cannot be held without one."),
        )
    errors.raise_if_any()
    try:
        with transaction.atomic():
            meeting = NetworkMeeting.objects.create(
                case=case,
                kind=kind,
                starts_at=starts_at,
                duration_minutes=duration_minutes,
                location_kind=location_kind,
                location=location.strip(),
                agenda=agenda.strip(),
                legal_basis=basis,
                created_by=actor,
                submission_key=submission_key,
            )
            meeting.invitees.set(invitees)
            log(
                "meeting.planned",
                actor=actor,
                obj=meeting,
                chain_id=case.chain_id,
                case_id=case.pk,
                details={"invitees": len(invitees), "kind": kind},
            )
    except IntegrityError:
        existing = existing_submission(NetworkMeeting, submission_key, case_id=case.pk, created_by_id=actor.pk)
        if existing is not None:
            return existing
        raise
    return meeting


@dataclass
class Agreement:
    """An agreement made at the meeting; it becomes a plan action under a goal."""

    goal_id: uuid.UUID
    what: str
    responsible_member: uuid.UUID | None = None
    due_on: date | None = None


@dataclass
class HeldData:
    youth_attended: bool
    attendee_ids: list[uuid.UUID] = field(default_factory=list)  # network members present
    acknowledged_ids: list[uuid.UUID] = field(default_factory=list)  # professionals who acknowledged confidentiality
    minutes: str = ""
    information_shared: str = ""
    agreements: list[Agreement] = field(default_factory=list)


def hold_meeting(*, actor: User, meeting: NetworkMeeting, data: HeldData) -> NetworkMeeting:
    """Record the meeting as held. Refused unless the youth attended: no meeting without the youth.

    Professionals present must acknowledge confidentiality; agreements become plan actions.
    """
    from ketenregie.plans.domain import snapshot
    from ketenregie.plans.enums import ActionStatus
    from ketenregie.plans.models import Action, Goal, Plan, PlanVersion

    case = meeting.case
    require_work(actor, case)
    if meeting.status != MeetingStatus.PLANNED:
        raise GuardFailed(_("This meeting was already recorded."))
    if not data.youth_attended:
        log("meeting.refused", actor=actor, obj=meeting, chain_id=case.chain_id, case_id=case.pk, result="denied")
        raise ValidationFailed(
            _("%(rule)s: a network meeting can only be recorded as held when the youth attended.")
            % {"rule": NO_MEETING_WITHOUT_YOUTH},
            errors=[
                {
                    "field": "youth_attended",
                    "message": _("%(rule)s: the youth must attend the meeting.") % {"rule": NO_MEETING_WITHOUT_YOUTH},
                }
            ],
        )
    errors = Errors()
    if meeting.starts_at > timezone.now() + timedelta(hours=1):
        errors.add("starts_at", _("A meeting can be recorded as held only once it has started."))
    members = {m.pk: m for m in NetworkMember.objects.with_scope(chain=case.chain_id).filter(case=case)}
    present = [members[i] for i in data.attendee_ids if i in members]
    if len(present) != len(set(data.attendee_ids)):
        errors.add("attendee_ids", _("Attendees must be people from this youth's network."))
    for member in present:
        if member.kind == MemberKind.FORMAL and member.pk not in data.acknowledged_ids:
            errors.add(
                "acknowledged_ids",
                _("%(name)s (professional) must acknowledge confidentiality for this meeting.") % {"name": member.name},
            )
    goals = {g.pk: g for g in Goal.objects.with_scope(chain=case.chain_id).filter(plan_domain__plan__case=case)}
    for i, agreement in enumerate(data.agreements):
        if agreement.goal_id not in goals:
            errors.add(f"agreements.{i}.goal_id", _("Choose a goal of this youth's plan."))
        if not agreement.what.strip():
            errors.add(f"agreements.{i}.what", _("Describe the agreement."))
        if agreement.responsible_member is not None and agreement.responsible_member not in members:
            errors.add(
                f"agreements.{i}.responsible_member", _("The responsible person must be in the youth's network.")
            )
    if basis_problem := (
        None
        if meeting.legal_basis.is_valid_on(timezone.localtime(meeting.starts_at).date())
        else _("The legal basis is not valid on the date of the meeting.")
    ):
        errors.add("legal_basis", basis_problem)
    errors.raise_if_any()
    now = timezone.now()
    with transaction.atomic():
        MeetingAttendance.objects.create(meeting=meeting, is_youth=True, name=case.youth.full_name)
        for member in present:
            MeetingAttendance.objects.create(
                meeting=meeting,
                member=member,
                name=member.name,
                is_professional=member.kind == MemberKind.FORMAL,
                confidentiality_acknowledged_at=now if member.pk in data.acknowledged_ids else None,
            )
        for agreement in data.agreements:
            goal = goals[agreement.goal_id]
            Action.objects.create(
                goal=goal,
                case=case,
                what=agreement.what.strip(),
                due_on=agreement.due_on,
                status=ActionStatus.PLANNED,
                responsible_member=members.get(agreement.responsible_member) if agreement.responsible_member else None,
                source_meeting=meeting,
                position=goal.actions.count(),
            )
        if data.agreements:
            plan = Plan.objects.with_scope(chain=case.chain_id).select_for_update().get(case=case)
            plan.version += 1
            plan.updated_by = actor
            plan.save(update_fields=["version", "updated_by", "updated_at"])
            PlanVersion.objects.create(
                plan=plan,
                number=plan.version,
                snapshot=snapshot(plan),
                changes=["agreements from meeting"],
                created_by=actor,
                created_at=now,
            )
        meeting.status = MeetingStatus.HELD
        meeting.youth_attended = True
        meeting.minutes = data.minutes.strip()
        meeting.information_shared = data.information_shared.strip()
        meeting.held_at = now
        meeting.save(
            update_fields=["status", "youth_attended", "minutes", "information_shared", "held_at", "updated_at"]
        )
        log(
            "meeting.held",
            actor=actor,
            obj=meeting,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"attendees": len(present), "agreements": len(data.agreements)},
        )
    return meeting


@dataclass
class ActionEvaluationInput:
    action_id: uuid.UUID
    kept: str
    realistic: bool = True
    note: str = ""
    status: str = ""  # the action's status after the meeting; empty keeps it as it is


@dataclass
class ProgressInput:
    domain: str
    score: int
    note: str = ""


def evaluate_meeting(
    *,
    actor: User,
    meeting: NetworkMeeting,
    actions: list[ActionEvaluationInput],
    progress: list[ProgressInput],
    cooperation: str = "",
) -> NetworkMeeting:
    """Evaluate each open agreement and score progress 1–5 per life domain at a held meeting.

    The plan is adjusted at the same time: an action whose status changes (done, stopped, running)
    is saved as one new plan version, so the evaluation and the plan never disagree.
    """
    from ketenregie.plans.domain import set_action_statuses
    from ketenregie.plans.enums import ActionStatus
    from ketenregie.plans.models import Action

    case = meeting.case
    require_work(actor, case)
    errors = Errors()
    if meeting.status != MeetingStatus.HELD:
        errors.add("meeting", _("Record the meeting as held before evaluating it."))
    known_actions = {a.pk: a for a in Action.objects.with_scope(chain=case.chain_id).filter(case=case)}
    for i, item in enumerate(actions):
        if item.action_id not in known_actions:
            errors.add(f"actions.{i}.action_id", _("Unknown action of this plan."))
        # Only a status change, without "kept", adjusts the plan without evaluating the agreement.
        if (item.kept or not item.status) and item.kept not in AgreementKept.values:
            errors.add(f"actions.{i}.kept", _("Choose whether the agreement was kept."))
        if item.status and item.status not in ActionStatus.values:
            errors.add(f"actions.{i}.status", _("Choose a status."))
    domains = {d["code"] for d in case.chain.life_domains}
    seen = set()
    for i, item in enumerate(progress):
        if item.domain not in domains:
            errors.add(f"progress.{i}.domain", _("Unknown life domain."))
        if item.domain in seen:
            errors.add(f"progress.{i}.domain", _("This life domain appears twice."))
        seen.add(item.domain)
        if not isinstance(item.score, int) or not 1 <= item.score <= 5:
            errors.add(f"progress.{i}.score", _("Give a score from 1 to 5."))
    errors.raise_if_any()
    with transaction.atomic():
        for item in (a for a in actions if a.kept):
            ActionEvaluation.objects.with_scope(chain=case.chain_id).update_or_create(
                meeting=meeting,
                action=known_actions[item.action_id],
                defaults={"kept": item.kept, "realistic": item.realistic, "note": item.note.strip()},
            )
        for item in progress:
            DomainProgress.objects.with_scope(chain=case.chain_id).update_or_create(
                meeting=meeting,
                domain=item.domain,
                defaults={"case": case, "score": item.score, "note": item.note.strip()},
            )
        set_action_statuses(
            actor=actor,
            case=case,
            statuses={known_actions[i.action_id]: i.status for i in actions if i.status},
        )
        if cooperation.strip():
            meeting.cooperation = cooperation.strip()
            meeting.save(update_fields=["cooperation", "updated_at"])
        log(
            "meeting.evaluated",
            actor=actor,
            obj=meeting,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"actions": len(actions), "domains": len(progress)},
        )
    return meeting


def invitation_ics(meeting: NetworkMeeting) -> bytes:
    """An iCalendar invitation. It names the case number, never the youth (no personal data)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Ketenregie//Netwerkoverleg//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{meeting.pk}@ketenregie")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", f"{meeting.get_kind_display()} — {meeting.case.reference}")
    event.add("location", meeting.location)
    event.add("description", _("Network meeting in the chain approach. Details: see Ketenregie."))
    calendar.add_component(event)
    return calendar.to_ical()


def record_past_meeting(
    *,
    actor: User,
    case: Case,
    starts_at: datetime,
    location_kind: str,
    location: str,
    data: HeldData,
    agenda: str = "",
    invitees: list[NetworkMember] | None = None,
    kind: str = MeetingKind.FIX,
    duration_minutes: int = 90,
    submission_key: uuid.UUID | None = None,
) -> NetworkMeeting:
    """Record a meeting that already took place (entered afterwards), with the same rules as holding one.

    Planning is for the future; this is the honest way to enter a meeting after the fact. The
    youth must have attended, exactly as for ``hold_meeting``. A resubmitted form records it once.
    """
    require_work(actor, case)
    if (
        existing := existing_submission(NetworkMeeting, submission_key, case_id=case.pk, created_by_id=actor.pk)
    ) is not None:
        return existing
    errors = Errors()
    if starts_at > timezone.now():
        errors.add("starts_at", _("This meeting lies in the future: plan it instead."))
    if starts_at < timezone.now() - timedelta(days=366):
        errors.add("starts_at", _("This date lies more than a year in the past."))
    if case.status not in (CaseStatus.INCLUDED, CaseStatus.ACTIVE):
        errors.add("case", _("Network meetings are held for included or active cases."))
    if location_kind not in LocationKind.values:
        errors.add("location_kind", _("Choose the kind of location."))
    if not location.strip():
        errors.add("location", _("Give the location."))
    if kind not in MeetingKind.values:
        errors.add("kind", _("Choose the kind of meeting."))
    if not 15 <= duration_minutes <= 480:
        errors.add("duration_minutes", _("Give a duration between 15 and 480 minutes."))
    basis = valid_legal_basis(case, timezone.localtime(starts_at).date())
    if basis is None:
        errors.add(
            "legal_basis",
            _("The chain has no legal basis valid on this date: a case conference cannot be held without one."),
        )
    if not data.youth_attended:
        errors.add(
            "youth_attended", _("%(rule)s: the youth must attend the meeting.") % {"rule": NO_MEETING_WITHOUT_YOUTH}
        )
    errors.raise_if_any()
    with transaction.atomic():
        meeting = NetworkMeeting.objects.create(
            case=case,
            kind=kind,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            location_kind=location_kind,
            location=location.strip(),
            agenda=agenda.strip(),
            legal_basis=basis,
            created_by=actor,
            submission_key=submission_key,
        )
        meeting.invitees.set(invitees or [])
        log(
            "meeting.planned",
            actor=actor,
            obj=meeting,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"afterwards": True},
        )
        hold_meeting(actor=actor, meeting=meeting, data=data)
    meeting.refresh_from_db()
    return meeting
