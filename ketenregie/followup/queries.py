"""Read-side queries of follow-up: whose signals are whose, the intervision overview, the start page.

Everything here answers in a fixed number of queries, whatever the number of cases or contacts.
Case data is reached through ``consent.policy.visible_cases``; the one exception is the intervision
team summary, which by design (DESIGN.md, roles) shows case directors counts — never content — of
their colleagues' active cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from ketenregie.accounts.enums import Role
from ketenregie.accounts.queries import memberships_of, roles_in
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.consent import policy
from ketenregie.followup.enums import SignalKind
from ketenregie.followup.models import FollowUpContact, IntervisionAdvice, IntervisionSession, MajorEvent
from ketenregie.followup.signal_rules import Signal, signals_for

# Intervision looks back to the previous session, or this many days when there was none.
INTERVISION_DEFAULT_DAYS = 7

SEVERITY_GROUPS = (1, 2, 3)


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Signals -------------------------------------------------------------------------------------


def signal_cases(user: Any) -> QuerySet[Case]:
    """The cases whose signals are ``user``'s to act on.

    Every visible case of a chain they coordinate, and in other chains the cases they direct
    themselves. OT members and partners act on no signals: for them this is empty.
    """
    coordinator_of: set = set()
    director_of: set = set()
    for m in memberships_of(user):
        if m.role == Role.OPERATIONAL_COORDINATOR:
            coordinator_of.add(m.chain_id)
        elif m.role == Role.CASE_DIRECTOR:
            director_of.add(m.chain_id)
    director_of -= coordinator_of
    if not coordinator_of and not director_of:
        return policy.visible_cases(user).none()
    condition = Q(chain_id__in=coordinator_of) | Q(chain_id__in=director_of, case_director=user)
    return policy.visible_cases(user).filter(condition)


def signals_of(user: Any, *, today: date | None = None, case_id: Any = None, chain_id: Any = None) -> list[Signal]:
    """``user``'s current signals, most severe first (optionally of one case or one chain)."""
    cases = signal_cases(user)
    if case_id is not None:
        cases = cases.filter(pk=case_id)
    if chain_id is not None:
        cases = cases.filter(chain_id=chain_id)
    return signals_for(cases, today=today)


def action_url(signal: Signal) -> str:
    """Where the action that clears ``signal`` is done."""
    if signal.kind in (SignalKind.CONTACT_OVERDUE, SignalKind.OUT_OF_VIEW):
        return reverse("followup:contacts", kwargs={"case_id": signal.case_id})
    return signal.url


def counts_by_kind(signals: list[Signal]) -> list[tuple[str, str, int]]:
    """(kind, label, count) for each kind present, in the order of the kinds' declaration."""
    counted: dict[str, int] = {}
    for s in signals:
        counted[s.kind] = counted.get(s.kind, 0) + 1
    return [(k.value, str(k.label), counted[k.value]) for k in SignalKind if k.value in counted]


# --- Intervision ----------------------------------------------------------------------------------


def short_name(youth) -> str:
    """First name and the initial of the last name: what a team summary shows of a youth."""
    initial = youth.last_name[:1].upper()
    return f"{youth.first_name} {initial}." if initial else youth.first_name


@dataclass
class IntervisionRow:
    case: Case
    full: bool  # the user may read this case's content (coordinator, or its own case director)
    name: str
    reached: int
    not_reached: int
    positive: int
    events: int
    plan_changes: int
    signals: list[Signal] = field(default_factory=list)
    event_list: list = field(default_factory=list)
    positive_contacts: list = field(default_factory=list)
    advice_today: list = field(default_factory=list)

    @property
    def signal_kinds(self) -> list[tuple[str, int]]:
        """(label, severity) of each kind of signal the case has, most severe first; no reasons (content)."""
        return list(dict.fromkeys((s.kind_label, s.severity) for s in self.signals))

    @property
    def contacts(self) -> int:
        return self.reached + self.not_reached

    @property
    def quiet(self) -> bool:
        """Nothing happened since the last session: the team should ask why."""
        return not (self.contacts or self.events or self.plan_changes)


@dataclass
class IntervisionOverview:
    chain: Any
    since: date
    last_session: IntervisionSession | None
    rows: list[IntervisionRow]
    is_coordinator: bool


def may_attend_intervision(user: Any, chain_id: Any) -> bool:
    return bool(roles_in(user, chain_id) & {Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR})


def _count(qs: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of ``qs`` (already filtered on OuterRef), 0 when there are none."""
    counted = qs.order_by().values("case_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def intervision_overview(user: Any, chain: Any, *, today: date | None = None) -> IntervisionOverview:
    """Every active case of ``chain`` with what happened since the last intervision session.

    Coordinators read everything; a case director reads their own cases in full and, of their
    colleagues' cases, the reference, a short name, the status, counts and the kinds of signals.
    Eleven queries, whatever the number of cases.
    """
    from ketenregie.plans.models import PlanVersion

    today = today or timezone.localdate()
    if not may_attend_intervision(user, chain.pk):
        raise PermissionError("not a member of the intervision team")
    is_coordinator = policy.is_coordinator(user, chain.pk)
    last_session = (
        IntervisionSession.objects.with_scope(chain=chain.pk)
        .filter(chain=chain, held_on__lt=today)
        .order_by("-held_on")
        .first()
    )  # 1
    since = last_session.held_on if last_session else today - timedelta(days=INTERVISION_DEFAULT_DAYS)
    since_at = start_of_day(since)

    contacts = FollowUpContact.objects.with_scopes_disabled().filter(case=OuterRef("pk"), contact_at__gte=since_at)
    events = (
        MajorEvent.objects.with_scopes_disabled()
        .filter(case=OuterRef("pk"))
        .filter(Q(occurred_on__gte=since) | Q(created_at__gte=since_at))
    )
    versions = PlanVersion.objects.with_scopes_disabled().filter(plan__case=OuterRef("pk"), created_at__gte=since_at)
    base = Case.objects.with_scope(chain=chain.pk).filter(chain=chain, status=CaseStatus.ACTIVE)
    cases = list(
        base.select_related("youth", "case_director", "chain")
        .annotate(
            n_reached=_count(contacts.filter(reached=True)),
            n_not_reached=_count(contacts.filter(reached=False)),
            n_positive=_count(contacts.filter(positive_development=True)),
            n_events=_count(events),
            n_plan_changes=Subquery(
                versions.order_by().values("plan__case_id").annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
        )
        .order_by("case_director__last_name", "case_director__first_name", "youth__first_name", "reference")
    )  # 2
    signals = signals_for(base, today=today) if cases else []  # 3–9
    by_case: dict = {}
    for s in signals:
        by_case.setdefault(s.case_id, []).append(s)

    full_ids = [c.pk for c in cases if is_coordinator or c.case_director_id == user.pk]
    event_list: dict = {}
    positive: dict = {}
    advice: dict = {}
    if full_ids:
        for e in (
            MajorEvent.objects.with_scope(chain=chain.pk)
            .filter(case_id__in=full_ids)
            .filter(Q(occurred_on__gte=since) | Q(created_at__gte=since_at))
            .order_by("-occurred_on")
        ):  # 10
            event_list.setdefault(e.case_id, []).append(e)
        for c in (
            FollowUpContact.objects.with_scope(chain=chain.pk)
            .filter(case_id__in=full_ids, contact_at__gte=since_at, positive_development=True)
            .order_by("-contact_at")
        ):  # 11
            positive.setdefault(c.case_id, []).append(c)
        for a in (
            IntervisionAdvice.objects.with_scope(chain=chain.pk)
            .filter(case_id__in=full_ids, session__held_on=today)
            .select_related("created_by")
            .order_by("created_at")
        ):  # 12
            advice.setdefault(a.case_id, []).append(a)

    rows = []
    for case in cases:
        full = case.pk in full_ids
        rows.append(
            IntervisionRow(
                case=case,
                full=full,
                name=case.youth.full_name if full else short_name(case.youth),
                reached=case.n_reached,
                not_reached=case.n_not_reached,
                positive=case.n_positive,
                events=case.n_events,
                plan_changes=case.n_plan_changes or 0,
                signals=by_case.get(case.pk, []),
                event_list=event_list.get(case.pk, []),
                positive_contacts=positive.get(case.pk, []),
                advice_today=advice.get(case.pk, []),
            )
        )
    return IntervisionOverview(
        chain=chain, since=since, last_session=last_session, rows=rows, is_coordinator=is_coordinator
    )
