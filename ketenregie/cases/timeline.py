"""The history of one case, told as sentences in the order things happened.

Built from the records that already exist — status transitions, consents, OT decisions and the
audit entries of intake saves, assignments and other steps — in a fixed number of queries,
however long the case runs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ketenregie.accounts.models import User
from ketenregie.audit.models import AuditEvent
from ketenregie.cases.enums import CaseStatus, OTDecision
from ketenregie.cases.models import Case, CaseTransition, OTAgendaItem

# Audit actions that tell something about the case's history (reads are left out).
HISTORY_ACTIONS = ("intake.saved", "consent.withdrawn", "case.assigned", "case.changed", "plan.action_updated")


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str
    sentence: str
    note: str = ""
    kind: str = ""  # transition, consent, ot, intake, assignment, start, flag, contact, event, intervision


def _name(user) -> str:
    if user is None:
        return _("The system")
    return user.get_full_name() or user.get_username()


def _day(value) -> str:
    return date_format(value, "j F Y") if value else ""


def _status(code: str) -> str:
    return str(CaseStatus(code).label) if code in CaseStatus.values else code


def build_timeline(case: Case) -> list[Event]:
    """Every recorded step of ``case``, oldest first."""
    from ketenregie.consent.models import Consent  # consent depends on cases, not the other way round

    chain_id = case.chain_id
    events: list[Event] = []

    for t in CaseTransition.objects.with_scope(chain=chain_id).filter(case=case).select_related("actor"):
        actor = _name(t.actor)
        if not t.from_status:
            sentence = _("%(actor)s registered the case.") % {"actor": actor}
            note = (
                _("Registered although not every criterion was met: %(reason)s") % {"reason": t.reason}
                if t.reason
                else ""
            )
        else:
            sentence = _("%(actor)s moved the case from “%(from)s” to “%(to)s”.") % {
                "actor": actor,
                "from": _status(t.from_status),
                "to": _status(t.to_status),
            }
            note = t.reason
        events.append(Event(t.occurred_at, actor, sentence, note, "transition"))

    consents = {
        str(c.pk): c for c in Consent.objects.with_scope(chain=chain_id).filter(case=case).select_related("recorded_by")
    }
    for c in consents.values():
        actor = _name(c.recorded_by)
        events.append(
            Event(
                c.created_at,
                actor,
                _("%(actor)s recorded a consent: %(kind)s.") % {"actor": actor, "kind": c.get_kind_display()},
                _("Signed by %(name)s (%(who)s) on %(date)s.")
                % {"name": c.given_by_name, "who": c.get_given_by_display(), "date": _day(c.signed_on)},
                "consent",
            )
        )

    items = (
        OTAgendaItem.objects.with_scope(chain=chain_id)
        .filter(case=case)
        .exclude(decision="")
        .select_related("meeting", "decided_by")
    )
    for item in items:
        actor = _name(item.decided_by)
        note = ""
        if item.decision == OTDecision.PARK and item.park_until:
            note = _("The OT looks at the case again on %(date)s.") % {"date": _day(item.park_until)}
        elif item.decision == OTDecision.NOT_INCLUDE and item.recontact_on:
            note = _("Re-contact on %(date)s.") % {"date": _day(item.recontact_on)}
        events.append(
            Event(
                item.decided_at or item.meeting.starts_at,
                actor,
                _("%(actor)s recorded the OT's decision: %(decision)s (OT meeting of %(date)s).")
                % {
                    "actor": actor,
                    "decision": item.get_decision_display(),
                    "date": _day(timezone.localtime(item.meeting.starts_at).date()),
                },
                note,
                "ot",
            )
        )

    audit = list(AuditEvent.objects.filter(case_id=case.pk, action__in=HISTORY_ACTIONS).order_by("id"))
    user_ids = {e.actor_id for e in audit if e.actor_id}
    for e in audit:
        if e.action == "case.assigned" and (target := (e.details or {}).get("to")):
            try:
                user_ids.add(uuid.UUID(str(target)))
            except ValueError:
                pass
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    withdrawals_seen = set()
    for e in audit:
        actor = _name(users.get(e.actor_id)) if e.actor_id else (e.actor_username or _("The system"))
        details = e.details or {}
        if e.action == "intake.saved":
            events.append(
                Event(e.occurred_at, actor, _("%(actor)s saved the intake.") % {"actor": actor}, "", "intake")
            )
        elif e.action == "consent.withdrawn":
            consent = consents.get(e.object_id)
            withdrawals_seen.add(e.object_id)
            kind = consent.get_kind_display() if consent else details.get("kind", "")
            note = (
                _("Withdrawn as of %(date)s.") % {"date": _day(consent.withdrawn_on)}
                if consent and consent.withdrawn_on
                else ""
            )
            events.append(
                Event(
                    e.occurred_at,
                    actor,
                    _("%(actor)s recorded the withdrawal of a consent: %(kind)s.") % {"actor": actor, "kind": kind},
                    note,
                    "consent",
                )
            )
        elif e.action == "case.assigned":
            target = details.get("to")
            director = None
            if target:
                try:
                    director = users.get(uuid.UUID(str(target)))
                except ValueError:
                    director = None
            events.append(
                Event(
                    e.occurred_at,
                    actor,
                    _("%(actor)s made %(director)s the case director.")
                    % {"actor": actor, "director": _name(director) if director else _("someone")},
                    "",
                    "assignment",
                )
            )
        elif e.action == "case.changed" and details.get("step") == "start":
            events.append(
                Event(
                    e.occurred_at,
                    actor,
                    _("%(actor)s recorded the start: who was informed of the decision, and the trusted person.")
                    % {"actor": actor},
                    "",
                    "start",
                )
            )
        elif e.action == "plan.action_updated":
            from ketenregie.plans.enums import ActionStatus  # plans depends on cases

            status = details.get("status", "")
            label = str(ActionStatus(status).label) if status in ActionStatus.values else status
            events.append(
                Event(
                    e.occurred_at,
                    actor,
                    _("%(actor)s set an action of the plan to “%(status)s”.") % {"actor": actor, "status": label},
                    "",
                    "plan",
                )
            )
        elif e.action == "case.changed" and details.get("step") == "flag_for_ot":
            events.append(
                Event(
                    e.occurred_at,
                    actor,
                    _("%(actor)s brought the case back to the OT.") % {"actor": actor},
                    "",
                    "flag",
                )
            )

    # A withdrawal recorded without an audit entry (imported data) still shows, on its date.
    for pk, c in consents.items():
        if c.withdrawn_on and pk not in withdrawals_seen:
            at = timezone.make_aware(datetime.combine(c.withdrawn_on, time.min))
            events.append(
                Event(
                    at,
                    "",
                    _("A consent was withdrawn: %(kind)s.") % {"kind": c.get_kind_display()},
                    "",
                    "consent",
                )
            )

    events.extend(_follow_up_events(case))

    events.sort(key=lambda ev: ev.at)
    return events


def _follow_up_events(case: Case) -> list[Event]:
    """Follow-up contacts, major events and the team's intervision advice (three queries)."""
    from ketenregie.followup.models import FollowUpContact, IntervisionAdvice, MajorEvent  # followup depends on cases

    chain_id = case.chain_id
    out: list[Event] = []
    contacts = (
        FollowUpContact.objects.with_scope(chain=chain_id)
        .filter(case=case)
        .select_related("created_by", "network_member")
    )
    for c in contacts:
        actor = _name(c.created_by)
        label = str(c.get_with_whom_display())
        values = {
            "actor": actor,
            # "the youth" inside the sentence; a network member by name
            "whom": c.network_member.name if c.network_member else label[:1].lower() + label[1:],
            "channel": str(c.get_channel_display()).lower(),
        }
        if c.reached:
            sentence = _("%(actor)s had contact with %(whom)s (%(channel)s).") % values
        else:
            sentence = _("%(actor)s tried to reach %(whom)s (%(channel)s), without success.") % values
        note = " ".join(filter(None, [_("Positive development.") if c.positive_development else "", c.note]))
        out.append(Event(c.contact_at, actor, sentence, note, "contact"))
    for e in MajorEvent.objects.with_scope(chain=chain_id).filter(case=case).select_related("created_by"):
        actor = _name(e.created_by)
        recorded_on = timezone.localtime(e.created_at).date()
        at = (
            e.created_at
            if recorded_on == e.occurred_on
            else timezone.make_aware(datetime.combine(e.occurred_on, time.min))
        )
        note = " ".join(filter(None, [e.description, _("The case went back to the OT.") if e.flagged_for_ot else ""]))
        out.append(
            Event(
                at,
                actor,
                _("%(actor)s recorded a major event of %(date)s: %(kind)s.")
                % {"actor": actor, "date": _day(e.occurred_on), "kind": e.get_kind_display()},
                note,
                "event",
            )
        )
    advice = (
        IntervisionAdvice.objects.with_scope(chain=chain_id).filter(case=case).select_related("session", "created_by")
    )
    for a in advice:
        actor = _name(a.created_by)
        out.append(
            Event(
                a.created_at,
                actor,
                _("The team gave advice at the intervision of %(date)s (recorded by %(actor)s).")
                % {"date": _day(a.session.held_on), "actor": actor},
                a.advice,
                "intervision",
            )
        )
    return out
