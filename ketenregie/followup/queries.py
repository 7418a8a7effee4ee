"""Read-side queries of follow-up: whose signals are whose, the intervision overview, the start page.

Everything here answers in a fixed number of queries, whatever the number of cases or contacts.
Case data is reached through ``consent.policy.visible_cases``; the one exception is the intervision
team summary, which by design (DESIGN.md, roles) shows case directors counts — never content — of
their colleagues' active cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as Choose
from django.db.models.functions import Coalesce
from django.utils import timezone

from ketenregie.accounts.enums import Role
from ketenregie.accounts.queries import memberships_of, person_name, roles_in
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.cases.queries import NAME_COLUMNS
from ketenregie.common.case_urls import case_url
from ketenregie.common.unions import union_part
from ketenregie.consent import policy
from ketenregie.followup.enums import EventKind, SignalKind
from ketenregie.followup.models import FollowUpContact, IntervisionAdvice, IntervisionSession, MajorEvent
from ketenregie.followup.signal_rules import (
    CaseInfo,
    Signal,
    assemble,
    cached_chain_findings,
    chain_findings,
    findings_of_rows,
    open_cases,
    own_findings,
    row_annotations,
    row_of,
    signals_for,
)

# Intervision looks back to the previous session, or this many days when there was none.
INTERVISION_DEFAULT_DAYS = 7
# A team meeting goes through the cases a page at a time.
INTERVISION_PER_PAGE = 25
INTERVISION_ROW_FIELDS = (
    "id",
    "chain_id",
    "reference",
    "status",
    "case_director_id",
    "registered_on",
    "first_conversation_on",
    "reflection_until",
    "recontact_on",
    *NAME_COLUMNS,
)

SEVERITY_GROUPS = (1, 2, 3)


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Signals -------------------------------------------------------------------------------------


def _signal_chains(user: Any) -> tuple[set, set]:
    """(chains ``user`` coordinates, chains where they only direct cases)."""
    coordinator_of: set = set()
    director_of: set = set()
    for m in memberships_of(user):
        if m.role == Role.OPERATIONAL_COORDINATOR:
            coordinator_of.add(m.chain_id)
        elif m.role == Role.CASE_DIRECTOR:
            director_of.add(m.chain_id)
    return coordinator_of, director_of - coordinator_of


def _cases_of(user: Any, coordinator_of: set, director_of: set) -> QuerySet[Case]:
    if not coordinator_of and not director_of:
        return policy.visible_cases(user).none()
    condition = Q(chain_id__in=coordinator_of) | Q(chain_id__in=director_of, case_director=user)
    return policy.visible_cases(user).filter(condition)


def signal_cases(user: Any) -> QuerySet[Case]:
    """The cases whose signals are ``user``'s to act on.

    Every visible case of a chain they coordinate, and in other chains the cases they direct
    themselves. OT members and partners act on no signals: for them this is empty.
    """
    return _cases_of(user, *_signal_chains(user))


def acts_on_signals(user: Any) -> bool:
    """A coordinator or case director somewhere: someone signals are for, even when there are none."""
    return any(_signal_chains(user))


def signals_of(user: Any, *, today: date | None = None, case_id: Any = None, chain_id: Any = None) -> list[Signal]:
    """``user``'s current signals, most severe first (optionally of one case or one chain).

    The findings come from the cache of each chain's signals (signal_rules.chain_findings), of which
    the user gets those of the cases the policy shows them: one query, which also reads what a signal
    shows of its case (nothing of that is cached). A coordinator's chain is computed when its cache
    is cold; a case director's own cases are then computed (and cached) on their own instead, which is
    cheaper than a whole chain. One case is always computed on the spot.
    """
    today = today or timezone.localdate()
    coordinator_of, director_of = _signal_chains(user)
    if chain_id is not None:
        coordinator_of &= {chain_id}
        director_of &= {chain_id}
    cases = _cases_of(user, coordinator_of, director_of)
    if case_id is not None:
        return signals_for(cases.filter(pk=case_id), today=today)
    chains = {m.chain_id: m.chain for m in memberships_of(user)}  # read with the memberships: no query
    findings = [f for pk in sorted(coordinator_of, key=str) for f in chain_findings(chains[pk], today=today)]
    coordinated = {f.case_id for f in findings}
    for pk in sorted(director_of, key=str):
        cached = cached_chain_findings(chains[pk], today=today)
        if cached is None:
            cached = own_findings(chains[pk], cases.filter(chain_id=pk), user.pk, today=today)
        findings += cached
    # Whose signals these are: in a coordinator's chains the cases of the findings (none: no query),
    # in the others the user's own open cases (a chain's findings are of every case, a few theirs).
    shown_cases = Q(pk__any_of=coordinated)
    if director_of:
        shown_cases |= Q(chain_id__in=director_of)
    visible = (
        open_cases(cases.filter(shown_cases), today)
        .order_by()
        .values_list("pk", "reference", "youth__first_name", "youth__last_name", "case_director_id", "chain_id")
    )
    shown = {
        str(pk): CaseInfo(pk, reference, f"{first_name} {last_name}", director_id, chain)
        for pk, reference, first_name, last_name, director_id, chain in visible
    }
    return assemble(findings, shown, today)


def action_url(signal: Signal) -> str:
    """Where the action that clears ``signal`` is done."""
    if signal.kind in (SignalKind.CONTACT_OVERDUE, SignalKind.OUT_OF_VIEW):
        return case_url("followup:contacts", signal.case_id)
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
    rows: list[IntervisionRow]  # the cases of this page
    is_coordinator: bool
    page: Page  # numbers the active cases: its object_list is the range of this page's positions
    total: int = 0  # active cases of the chain
    mine: int = 0  # of which the user directs

    @property
    def others(self) -> int:
        return self.total - self.mine


def may_attend_intervision(user: Any, chain_id: Any) -> bool:
    return bool(roles_in(user, chain_id) & {Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR})


def _count(qs: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of ``qs`` (already filtered on OuterRef), 0 when there are none."""
    counted = qs.order_by().values("case_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _row_signals(chain: Any, cases: list[Case], today: date) -> dict:
    """The signals of this page's cases: from the chain's cache when it is warm, else from the rows
    read for the page (one query). Only their kinds are shown of a colleague's case."""
    infos = {str(c.pk): CaseInfo(c.pk, c.reference, c.youth.full_name, c.case_director_id, c.chain_id) for c in cases}
    findings = cached_chain_findings(chain, today=today)
    if findings is None:
        findings = findings_of_rows([row_of(c, chain) for c in cases], today=today)
    by_case: dict = {}
    for s in assemble(findings, infos, today):
        by_case.setdefault(s.case_id, []).append(s)
    return by_case


class EventLine(NamedTuple):
    occurred_on: date
    kind_label: str
    flagged_for_ot: bool
    description: str


class PositiveLine(NamedTuple):
    contact_at: datetime
    note: str


class AdviceLine(NamedTuple):
    advice: str
    author: str


# The columns of the developments' UNION, and the type of those a table may leave empty.
DEVELOPMENT_COLUMNS = ("what", "case", "day", "moment", "code", "text", "flag", "first", "last", "username")
_NO_DEVELOPMENT = {
    "day": DateField(),
    "code": CharField(),
    "flag": BooleanField(),
    "first": CharField(),
    "last": CharField(),
    "username": CharField(),
}


def _developments(chain: Any, case_ids: list, since: date, today_session: Any) -> tuple[dict, dict, dict]:
    """The major events and positive contacts since ``since`` and today's advice of ``case_ids``, as
    (events, positive contacts, advice) per case: one UNION query of the three."""
    since_at = start_of_day(since)

    def shaped(qs: QuerySet, what: str, **columns: Any) -> QuerySet:
        # The text column is encrypted in all three tables; the first part's field decrypts it for all.
        return union_part(
            qs,
            DEVELOPMENT_COLUMNS,
            _NO_DEVELOPMENT,
            what=Value(what, output_field=CharField()),
            case=F("case_id"),
            **columns,
        )

    events = shaped(
        MajorEvent.objects.with_scope(chain=chain.pk)
        .filter(case_id__in=case_ids)
        .filter(Q(occurred_on__gte=since) | Q(created_at__gte=since_at)),
        "event",
        day=F("occurred_on"),
        moment=F("created_at"),
        code=F("kind"),
        text=F("description"),
        flag=F("flagged_for_ot"),
    )
    positive = shaped(
        FollowUpContact.objects.with_scope(chain=chain.pk).filter(
            case_id__in=case_ids, contact_at__gte=since_at, positive_development=True
        ),
        "positive",
        moment=F("contact_at"),
        text=F("note"),
    )
    parts = [positive]
    if today_session is not None:  # advice is only given during a session
        parts.append(
            shaped(
                IntervisionAdvice.objects.with_scope(chain=chain.pk).filter(
                    case_id__in=case_ids, session=today_session
                ),
                "advice",
                moment=F("created_at"),
                text=F("advice"),
                first=F("created_by__first_name"),
                last=F("created_by__last_name"),
                username=F("created_by__username"),
            )
        )
    rows = list(events.union(*parts, all=True))
    event_list: dict = {}
    positives: dict = {}
    advice: dict = {}
    for what, case_id, day, moment, code, text, flag, first, last, username in rows:
        if what == "event":
            label = str(EventKind(code).label) if code in EventKind.values else code
            event_list.setdefault(case_id, []).append((day, moment, EventLine(day, label, bool(flag), text)))
        elif what == "positive":
            positives.setdefault(case_id, []).append((moment, PositiveLine(moment, text)))
        else:
            advice.setdefault(case_id, []).append((moment, AdviceLine(text, person_name(first, last, username))))
    # Newest events and contacts first; advice in the order it was given.
    for lines in event_list.values():
        lines[:] = [line for *_key, line in sorted(lines, key=lambda x: x[:2], reverse=True)]
    for lines in positives.values():
        lines[:] = [line for _moment, line in sorted(lines, key=lambda x: x[0], reverse=True)]
    for lines in advice.values():
        lines[:] = [line for _moment, line in sorted(lines, key=lambda x: x[0])]
    return event_list, positives, advice


def intervision_overview(user: Any, chain: Any, *, today: date | None = None, page: Any = None) -> IntervisionOverview:
    """One page of the active cases of ``chain`` with what happened since the last intervision session.

    The user's own cases first, then case director by case director, as the team goes through them.
    Coordinators read everything; a case director reads their own cases in full and, of their
    colleagues' cases, the reference, a short name, the status, counts and the kinds of signals.
    Four queries, five when the chain's signals are not cached, whatever the number of cases.
    """
    from ketenregie.plans.models import PlanVersion

    today = today or timezone.localdate()
    if not may_attend_intervision(user, chain.pk):
        raise PermissionError("not a member of the intervision team")
    is_coordinator = policy.is_coordinator(user, chain.pk)
    sessions = list(
        IntervisionSession.objects.with_scope(chain=chain.pk)
        .filter(chain=chain, held_on__lte=today)
        .order_by("-held_on")[:2]
    )  # 1: today's session (during the meeting) and the one before
    today_session = sessions[0] if sessions and sessions[0].held_on == today else None
    last_session = next((s for s in sessions if s.held_on < today), None)
    since = last_session.held_on if last_session else today - timedelta(days=INTERVISION_DEFAULT_DAYS)
    since_at = start_of_day(since)

    base = Case.objects.with_scope(chain=chain.pk).filter(chain=chain, status=CaseStatus.ACTIVE)
    totals = base.aggregate(total=Count("pk"), mine=Count("pk", filter=Q(case_director=user)))  # 2
    # Positions, not cases: the page's range slices the ordered cases below.
    numbered = Paginator(range(totals["total"]), INTERVISION_PER_PAGE).get_page(page)
    positions = numbered.object_list

    contacts = FollowUpContact.objects.with_scopes_disabled().filter(case=OuterRef("pk"), contact_at__gte=since_at)
    events = (
        MajorEvent.objects.with_scopes_disabled()
        .filter(case=OuterRef("pk"))
        .filter(Q(occurred_on__gte=since) | Q(created_at__gte=since_at))
    )
    versions = PlanVersion.objects.with_scopes_disabled().filter(plan__case=OuterRef("pk"), created_at__gte=since_at)
    cases = (
        list(
            base.select_related("youth", "case_director")
            # What a row shows and its signals ask: narrow rows keep the sort of the chain's cases small.
            .only(*INTERVISION_ROW_FIELDS)
            .alias(not_mine=Choose(When(case_director=user, then=Value(0)), default=Value(1)))
            .annotate(
                n_reached=_count(contacts.filter(reached=True)),
                n_not_reached=_count(contacts.filter(reached=False)),
                n_positive=_count(contacts.filter(positive_development=True)),
                n_events=_count(events),
                n_plan_changes=Subquery(
                    versions.order_by().values("plan__case_id").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                **row_annotations(),
            )
            .order_by(
                "not_mine",
                "case_director__last_name",
                "case_director__first_name",
                "youth__first_name",
                "reference",
                "pk",
            )[positions.start : positions.stop]
        )
        if positions
        else []
    )  # 3
    for case in cases:
        case.chain = chain  # the same chain for every row, and no query to read it
    signals = _row_signals(chain, cases, today) if cases else {}  # (4)

    full_ids = [c.pk for c in cases if is_coordinator or c.case_director_id == user.pk]
    event_list, positive, advice = (
        _developments(chain, full_ids, since, today_session) if full_ids else ({}, {}, {})
    )  # 4

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
                signals=signals.get(case.pk, []),
                event_list=event_list.get(case.pk, []),
                positive_contacts=positive.get(case.pk, []),
                advice_today=advice.get(case.pk, []),
            )
        )
    return IntervisionOverview(
        chain=chain,
        since=since,
        last_session=last_session,
        rows=rows,
        is_coordinator=is_coordinator,
        page=numbered,
        total=totals["total"],
        mine=totals["mine"],
    )
