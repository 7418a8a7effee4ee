"""The history of one case, told as sentences in the order things happened.

Built from the records that already exist — status transitions, consents, OT decisions, the
audit entries of intake saves, assignments and other steps, follow-up contacts, major events and
intervision advice — in three queries however long the case runs: the records of the case's own
tables in one (``_history_rows``: one UNION ALL, each kind of record in the same columns), the OT
agenda items (the case page reads them for its own list and hands them over) and the audit
entries. The names of the audit entries' actors come from the people those queries brought along;
only someone who appears nowhere else costs one more query.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, NamedTuple

from django.db.models import BigIntegerField, BooleanField, DateField, Q, TextField, UUIDField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ketenregie.accounts.models import User
from ketenregie.accounts.queries import person_name
from ketenregie.audit.models import AuditEvent
from ketenregie.cases.enums import CaseStatus, OTDecision
from ketenregie.cases.models import Case, CaseTransition, OTAgendaItem
from ketenregie.common.fields import decrypt
from ketenregie.common.unions import union_part

# Audit entries that tell something about the case's history (reads are left out), each one event.
HISTORY_ACTIONS = ("intake.saved", "consent.withdrawn", "case.assigned", "plan.action_updated")
HISTORY_STEPS = ("start", "flag_for_ot")  # of the entries "case.changed"


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str
    sentence: str
    note: str = ""
    kind: str = ""  # transition, consent, ot, intake, assignment, start, flag, contact, event, intervision

    # The page shows a hundred events and more: written here, not with the template's ``date``
    # filter (ten times as slow), in the same words (local time, the month's name translated).
    @property
    def at_iso(self) -> str:
        """``at`` as ``{{ at|date:"c" }}`` writes it."""
        return timezone.localtime(self.at).isoformat()

    @property
    def at_label(self) -> str:
        """``at`` as ``{{ at|date:"j F Y H:i" }}`` writes it."""
        local = timezone.localtime(self.at)
        return f"{local.day} {MONTHS[local.month]} {local.year} {local:%H:%M}"


def _name(user) -> str:
    if user is None:
        return _("The system")
    return user.get_full_name() or user.get_username()


def _day(value) -> str:
    return date_format(value, "j F Y") if value else ""


def _status(code: str) -> str:
    return str(CaseStatus(code).label) if code in CaseStatus.values else code


def _labels(model, field: str) -> dict:
    """The display labels of a choice field, translated once per timeline (not once per record)."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


# --- The case's own records in one query ----------------------------------------------------------------


class _Row(NamedTuple):
    """One record of the history query; a kind of record leaves the columns it has no use for empty."""

    source: str  # transition, consent, contact, event, advice
    at: datetime
    seq: int | None  # a transition's id: the order of two steps in the same instant
    actor_id: uuid.UUID | None
    first_name: str | None
    last_name: str | None
    username: str | None
    code: str | None  # to_status, consent kind, contact with_whom, event kind
    code2: str | None  # from_status, consent given_by, contact channel
    name: str | None  # consent given_by_name, the contact's network member
    encrypted: str | None  # transition reason, contact note, event description, advice: stored encrypted
    day: date | None  # consent signed_on, event occurred_on, advice session held_on
    day2: date | None  # consent withdrawn_on
    flag: bool | None  # contact reached, event flagged_for_ot
    flag2: bool | None  # contact positive_development
    ref: uuid.UUID | None  # consent id (an audit entry of its withdrawal names it)

    @property
    def actor(self) -> str:
        if self.actor_id is None:
            return _("The system")
        return person_name(self.first_name, self.last_name, self.username)

    @property
    def text(self) -> str:
        """The free text, decrypted (the query reads it as stored, see ``_history_rows``)."""
        return decrypt(self.encrypted) if self.encrypted else ""


# The type of each column, for the kinds of record that leave it empty: a UNION needs one type per
# column, and PostgreSQL takes an untyped NULL for text.
_EMPTY = {
    "seq": BigIntegerField(),
    "actor_id": UUIDField(),
    "code": TextField(),
    "code2": TextField(),
    "name": TextField(),
    "encrypted": TextField(),
    "day": DateField(),
    "day2": DateField(),
    "flag": BooleanField(),
    "flag2": BooleanField(),
    "ref": UUIDField(),
}


def _history_rows(case: Case, latest: int | None = None) -> list[_Row]:
    """Transitions, consents, follow-up contacts, major events and intervision advice of ``case``: one query.

    ``latest``: only that many, the newest. Each table answers in the columns of ``_Row``. A UNION converts every column as its first
    table says: the empty columns carry their type (``_EMPTY``), and the free texts are read as
    they are stored (``Cast``) and decrypted by ``_Row.text``, whichever table comes first.
    """
    from ketenregie.consent.models import Consent  # consent and followup depend on cases, not the other way round
    from ketenregie.followup.models import FollowUpContact, IntervisionAdvice, MajorEvent

    def rows(model, source: str, at: str, actor: str, **columns: Any):
        columns = {
            "actor_id": f"{actor}_id",
            "first_name": f"{actor}__first_name",
            "last_name": f"{actor}__last_name",
            "username": f"{actor}__username",
            **columns,
        }
        if "encrypted" in columns:
            columns["encrypted"] = Cast(columns["encrypted"], TextField())
        scoped = model.objects.with_scope(chain=case.chain_id).filter(case=case)
        return union_part(
            scoped, _Row._fields, _EMPTY, source=Value(source, output_field=TextField()), at=at, **columns
        )

    transitions = rows(
        CaseTransition,
        "transition",
        "occurred_at",
        "actor",
        seq="id",
        code="to_status",
        code2="from_status",
        encrypted="reason",
    )
    consents = rows(
        Consent,
        "consent",
        "created_at",
        "recorded_by",
        code="kind",
        code2="given_by",
        name="given_by_name",
        day="signed_on",
        day2="withdrawn_on",
        ref="id",
    )
    contacts = rows(
        FollowUpContact,
        "contact",
        "contact_at",
        "created_by",
        code="with_whom",
        code2="channel",
        name="network_member__name",
        encrypted="note",
        flag="reached",
        flag2="positive_development",
    )
    events = rows(
        MajorEvent,
        "event",
        "created_at",
        "created_by",
        code="kind",
        encrypted="description",
        day="occurred_on",
        flag="flagged_for_ot",
    )
    advice = rows(IntervisionAdvice, "advice", "created_at", "created_by", encrypted="advice", day="session__held_on")
    union = transitions.union(consents, contacts, events, advice, all=True)
    if latest is not None:
        # The UNION's ``at`` column, as its first part names it.
        union = union.order_by("-occurred_at")[:latest]
    return [_Row(*row) for row in union]


def _in_model_order(rows: list[_Row]) -> dict[str, list[_Row]]:
    """The rows per kind, each kind in its model's ordering (as separate queries would give them)."""
    by_source: dict[str, list[_Row]] = {s: [] for s in ("transition", "consent", "contact", "event", "advice")}
    for row in rows:
        by_source[row.source].append(row)
    by_source["transition"].sort(key=lambda r: (r.at, r.seq))  # occurred_at, id
    by_source["consent"].sort(key=lambda r: (r.day, r.at), reverse=True)  # -signed_on, -created_at
    by_source["contact"].sort(key=lambda r: r.at, reverse=True)  # -contact_at
    by_source["event"].sort(key=lambda r: (r.day, r.at), reverse=True)  # -occurred_on, -created_at
    return by_source


# --- The timeline ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """The newest events of a case, oldest first; ``complete`` when there are no older ones."""

    events: list[Event]
    complete: bool


def latest_history(case: Case, n: int, *, ot_items: list[OTAgendaItem] | None = None) -> History:
    """The ``n`` newest events of ``case`` (the case page): the work does not grow with the case's age.

    The case's own records (contacts above all: they grow with the case) are read newest first,
    ``n + 1`` at most; the steps in the audit log and the OT decisions, few, all. Every record read is
    one event, so more than ``n`` events means older ones exist. A major event recorded long after it
    happened is read by when it was recorded and shown on the day it happened: it can fall just
    outside the window.
    """
    events = build_timeline(case, ot_items=ot_items, window=n + 1)
    return History(events[-n:], complete=len(events) <= n)


def build_timeline(case: Case, *, ot_items: list[OTAgendaItem] | None = None, window: int | None = None) -> list[Event]:
    """Every recorded step of ``case``, oldest first.

    ``ot_items``: the case's OT agenda items with ``meeting`` and ``decided_by`` when the caller
    has them already (the case page lists them too); otherwise they are read here. ``window``: read
    only that many of the newest records of the case's own tables (``latest_history``).
    """
    from ketenregie.consent.models import Consent
    from ketenregie.followup.models import FollowUpContact, MajorEvent

    chain_id = case.chain_id
    events: list[Event] = []
    records = _in_model_order(_history_rows(case, window))
    if ot_items is None:
        items = list(
            OTAgendaItem.objects.with_scope(chain=chain_id)
            .filter(case=case)
            .exclude(decision="")
            .select_related("meeting", "decided_by")
        )
    else:
        items = sorted((i for i in ot_items if i.decision), key=lambda i: (i.position, i.pk))
    consent_kinds, given_by = _labels(Consent, "kind"), _labels(Consent, "given_by")

    registered, moved = _("%(actor)s registered the case."), _("%(actor)s moved the case from “%(from)s” to “%(to)s”.")
    for t in records["transition"]:
        reason = t.text
        if not t.code2:
            sentence = registered % {"actor": t.actor}
            note = (
                _("Registered although not every criterion was met: %(reason)s") % {"reason": reason} if reason else ""
            )
        else:
            sentence = moved % {"actor": t.actor, "from": _status(t.code2), "to": _status(t.code)}
            note = reason
        events.append(Event(t.at, t.actor, sentence, note, "transition"))

    consents = {str(c.ref): c for c in records["consent"]}
    for c in consents.values():
        events.append(
            Event(
                c.at,
                c.actor,
                _("%(actor)s recorded a consent: %(kind)s.")
                % {"actor": c.actor, "kind": consent_kinds.get(c.code, c.code)},
                _("Signed by %(name)s (%(who)s) on %(date)s.")
                % {"name": c.name, "who": given_by.get(c.code2, c.code2), "date": _day(c.day)},
                "consent",
            )
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

    # All of them, also for a window: they are few, and with a LIMIT PostgreSQL's generic plan of the
    # prepared statement walks the whole log backwards by id instead of the case's index.
    audit = list(
        AuditEvent.objects.filter(
            Q(action__in=HISTORY_ACTIONS) | Q(action="case.changed", details__step__in=HISTORY_STEPS), case_id=case.pk
        ).order_by("id")
    )
    names = _names_for(audit, case, items, [r for kind in records.values() for r in kind])
    withdrawals_seen = set()
    for e in audit:
        actor = names.get(e.actor_id, _("The system")) if e.actor_id else (e.actor_username or _("The system"))
        details = e.details or {}
        if e.action == "intake.saved":
            events.append(
                Event(e.occurred_at, actor, _("%(actor)s saved the intake.") % {"actor": actor}, "", "intake")
            )
        elif e.action == "consent.withdrawn":
            consent = consents.get(e.object_id)
            withdrawals_seen.add(e.object_id)
            kind = consent_kinds.get(consent.code, consent.code) if consent else details.get("kind", "")
            note = _("Withdrawn as of %(date)s.") % {"date": _day(consent.day2)} if consent and consent.day2 else ""
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
            director = names.get(_uuid(details.get("to")))
            events.append(
                Event(
                    e.occurred_at,
                    actor,
                    _("%(actor)s made %(director)s the case director.")
                    % {"actor": actor, "director": director or _("someone")},
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
        if c.day2 and pk not in withdrawals_seen:
            at = timezone.make_aware(datetime.combine(c.day2, time.min))
            events.append(
                Event(
                    at,
                    "",
                    _("A consent was withdrawn: %(kind)s.") % {"kind": consent_kinds.get(c.code, c.code)},
                    "",
                    "consent",
                )
            )

    # Follow-up contacts, major events and the team's intervision advice.
    with_whom, channels = _labels(FollowUpContact, "with_whom"), _labels(FollowUpContact, "channel")
    event_kinds = _labels(MajorEvent, "kind")
    reached, not_reached = (
        _("%(actor)s had contact with %(whom)s (%(channel)s)."),
        _("%(actor)s tried to reach %(whom)s (%(channel)s), without success."),
    )
    positive = _("Positive development.")
    for c in records["contact"]:
        label = with_whom.get(c.code, c.code)
        values = {
            "actor": c.actor,
            # "the youth" inside the sentence; a network member by name
            "whom": c.name if c.name else label[:1].lower() + label[1:],
            "channel": channels.get(c.code2, c.code2).lower(),
        }
        sentence = (reached if c.flag else not_reached) % values
        note = " ".join(filter(None, [positive if c.flag2 else "", c.text]))
        events.append(Event(c.at, c.actor, sentence, note, "contact"))
    for e in records["event"]:
        recorded_on = timezone.localtime(e.at).date()
        at = e.at if recorded_on == e.day else timezone.make_aware(datetime.combine(e.day, time.min))
        note = " ".join(filter(None, [e.text, _("The case went back to the OT.") if e.flag else ""]))
        events.append(
            Event(
                at,
                e.actor,
                _("%(actor)s recorded a major event of %(date)s: %(kind)s.")
                % {"actor": e.actor, "date": _day(e.day), "kind": event_kinds.get(e.code, e.code)},
                note,
                "event",
            )
        )
    for a in records["advice"]:
        events.append(
            Event(
                a.at,
                a.actor,
                _("The team gave advice at the intervision of %(date)s (recorded by %(actor)s).")
                % {"date": _day(a.day), "actor": a.actor},
                a.text,
                "intervision",
            )
        )

    events.sort(key=lambda ev: ev.at)
    return events


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _names_for(audit: list[AuditEvent], case: Case, items: list[OTAgendaItem], rows: list[_Row]) -> dict:
    """The names of the audit entries' actors and of the case directors they assigned, by user id.

    Nearly always people the other records brought along already (the case director, who took the
    steps, who logged the contacts); only the others are read, in one query.
    """
    wanted = {e.actor_id for e in audit if e.actor_id}
    wanted |= {target for e in audit if e.action == "case.assigned" and (target := _uuid((e.details or {}).get("to")))}
    known = {r.actor_id: r.actor for r in rows if r.actor_id}
    known |= {i.decided_by_id: _name(i.decided_by) for i in items if i.decided_by_id}
    if Case.case_director.is_cached(case) and case.case_director is not None:
        known[case.case_director_id] = _name(case.case_director)
    names = {pk: known[pk] for pk in wanted & known.keys()}
    if missing := wanted - known.keys():
        names.update({u.pk: _name(u) for u in User.objects.filter(pk__in=missing)})
    return names
