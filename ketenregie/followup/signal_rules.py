"""Signals: what needs someone's action today, computed from the data (never stored in the database, never stale).

``signals_for(cases)`` takes any queryset of cases (already scoped by the access policy) and
returns every signal in two queries, whatever the number of cases. A signal's key names its kind,
its case and its cause; an acknowledgement silences that key for a while, and the signal comes back
when the cause persists.

``chain_findings(chain)`` is the same computation for every case of a chain, kept in the cache
under the chain's version token (ketenregie.common.chain_version): after a write anywhere in the
chain the next call computes the written cases again and keeps the others' findings; a new day or
``MAX_AGE_SECONDS`` since the last whole computation make it compute everything. What is cached are findings —
kind, case id, cause, date and the figures of the sentence — never a name or a text; ``assemble``
turns them into signals for the cases a caller may see (followup.queries applies the policy).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
)
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from ketenregie.cases.eligibility import age_on
from ketenregie.cases.enums import CaseStatus, OTDecision
from ketenregie.cases.models import Case, OTAgendaItem
from ketenregie.common import chain_version
from ketenregie.common.case_urls import case_url
from ketenregie.common.unions import union_part
from ketenregie.followup.enums import ContactWith, SignalKind

CONSENT_WARNING_DAYS = 30
TURNS_18_WARNING_DAYS = 60
AGE_RANGE_WARNING_DAYS = 60
NO_PLAN_AFTER_DAYS = 30
REFLECTION_GRACE_DAYS = 0

# Part of the cache key: a change to what a finding holds must not read entries of the old shape.
FINDINGS_FORMAT = 2

K = SignalKind
SEVERITY = {
    K.OUT_OF_VIEW: 1,
    K.CONSENT_EXPIRED: 1,
    K.TURNED_18: 1,
    K.CONTACT_OVERDUE: 2,
    K.ACTION_OVERDUE: 2,
    K.AGE_RANGE: 2,
    K.NO_PLAN: 2,
    K.CONSENT_EXPIRING: 3,
    K.TURNS_18: 3,
    K.MEETING_EVALUATION: 3,
    K.REFLECTION_WAITING: 3,
    K.RECONTACT_DUE: 3,
}

# Where on the case the action is done, after the case page's URL (a meeting's page: see _url_suffix).
URL_SUFFIX = {
    K.CONTACT_OVERDUE: "#contacten",
    K.OUT_OF_VIEW: "#contacten",
    K.NO_PLAN: "plan/",
    K.ACTION_OVERDUE: "plan/",
    K.REFLECTION_WAITING: "intake/",
    K.TURNS_18: "toestemmingen/",
    K.TURNED_18: "toestemmingen/",
    K.CONSENT_EXPIRED: "toestemmingen/",
    K.CONSENT_EXPIRING: "toestemmingen/",
}


class Finding(NamedTuple):
    """One signal as computed and cached: no name, no text; plain values only (picklable, small)."""

    kind: str
    case_id: str  # str(case.pk), as in the key
    cause: str
    since: date | None
    figures: tuple = ()  # what the sentence needs: dates, numbers, codes (see _sentences)


class CaseInfo(NamedTuple):
    """What a signal shows of its case; read through the policy by the caller (see followup.queries)."""

    pk: Any
    reference: str
    youth_name: str
    case_director_id: Any
    chain_id: Any


@dataclass(frozen=True)
class Signal:
    key: str
    kind: str
    case_id: Any
    case_reference: str
    youth_name: str
    case_director_id: Any
    chain_id: Any
    since: date | None = None
    figures: tuple = ()

    @property
    def case_page_url(self) -> str:
        return case_url("cases:case_detail", self.case_id)

    @property
    def url(self) -> str:
        """The case's page (or the part of it) where the signal is acted on; written when shown."""
        cause = self.key.split(":", 2)[2]
        return self.case_page_url + _url_suffix(self.kind, cause)

    @property
    def kind_label(self) -> str:
        return _kind_label(self.kind, translation.get_language() or "")

    @property
    def severity(self) -> int:
        return SEVERITY.get(self.kind, 3)

    @cached_property
    def _sentences(self) -> tuple[str, str]:
        # Composed when shown, in the language of the request: a page shows a few of thousands.
        return _sentences(self.kind, self.figures)

    @property
    def reason(self) -> str:
        return self._sentences[0]

    @property
    def action(self) -> str:
        return self._sentences[1]


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February → 1 March in common years
        return date(birth.year + years, 3, 1)


# Remembered per language (the active one, passed as the key): a list of signals repeats the same
# dozen sentences and a few hundred dates by the thousand, and the API composes all of them.
@lru_cache(maxsize=4096)
def _fmt_in(day: date, language: str) -> str:
    return date_format(day, "j F Y")


@lru_cache(maxsize=256)
def _translated(message: str, language: str) -> str:
    return gettext(message)


@lru_cache(maxsize=64)
def _kind_label(kind: str, language: str) -> str:
    return str(SignalKind(kind).label)


def _sentences(kind: str, figures: tuple) -> tuple[str, str]:
    """The reason and the action of a signal of ``kind``, from the figures its rule recorded."""
    from ketenregie.consent.enums import ConsentKind

    language = translation.get_language() or ""

    def _(message: str) -> str:
        return _translated(message, language)

    def _fmt(day: date) -> str:
        return _fmt_in(day, language)

    if kind == K.CONTACT_OVERDUE:
        last, days = figures
        return (
            _("No contact with the youth or trusted person since %(date)s (cadence: every %(days)d days).")
            % {"date": _fmt(last), "days": days},
            _("Contact the youth or the trusted person and log it."),
        )
    if kind == K.OUT_OF_VIEW:
        reached, days = figures
        return (
            _("The youth has not been reached since %(date)s (more than %(days)d days): out of view.")
            % {"date": _fmt(reached), "days": days},
            _("Act now: reach the youth through the network or a home visit."),
        )
    if kind == K.NO_PLAN:
        return (
            _("Included on %(date)s and still no plan of approach.") % {"date": _fmt(figures[0])},
            _("Convene the network meeting and make the plan with the youth."),
        )
    if kind == K.REFLECTION_WAITING:
        return (
            _("The youth's reflection time ended on %(date)s.") % {"date": _fmt(figures[0])},
            _("Ask the youth for their decision and complete the intake."),
        )
    if kind == K.RECONTACT_DUE:
        return (
            _("The re-contact date of %(date)s has arrived.") % {"date": _fmt(figures[0])},
            _("Contact the referrer again as agreed."),
        )
    if kind == K.TURNS_18:
        return (
            _("Turns 18 on %(date)s: the youth must then renew the consents themselves.") % {"date": _fmt(figures[0])},
            _("Prepare the renewal of the consents with the youth."),
        )
    if kind == K.TURNED_18:
        return (
            _(
                "Turned 18 on %(date)s: sharing that rested on parental consent stops until the youth renews the consent."
            )
            % {"date": _fmt(figures[0])},
            _("Have the youth sign new consents."),
        )
    if kind == K.AGE_RANGE:
        soon, age_min, age_max, leaves, age = figures
        if soon:
            return (
                _("Leaves the chain's age range (%(min)d–%(max)d) on %(date)s.")
                % {"min": age_min, "max": age_max, "date": _fmt(leaves)},
                _("Plan the hand-over or closure with the youth and the OT."),
            )
        return (
            _("Is %(age)d, outside the chain's age range (%(min)d–%(max)d).")
            % {"age": age, "min": age_min, "max": age_max},
            _("Bring the case to the OT for a hand-over or closure."),
        )
    if kind == K.ACTION_OVERDUE:
        return (
            _("A plan action was due on %(date)s and is not done.") % {"date": _fmt(figures[0])},
            _("Check with the person responsible and update the plan."),
        )
    if kind == K.MEETING_EVALUATION:
        return (
            _("The network meeting of %(date)s has not been evaluated yet.") % {"date": _fmt(figures[0])},
            _("Evaluate the agreements and score the progress per life domain."),
        )
    consent_kind, until = figures
    values = {"kind": ConsentKind(consent_kind).label, "date": _fmt(until)}
    if kind == K.CONSENT_EXPIRED:
        return (
            _("Consent “%(kind)s” expired on %(date)s.") % values,
            _("Have the consent renewed, or stop sharing on that basis."),
        )
    return _("Consent “%(kind)s” expires on %(date)s.") % values, _("Plan the renewal with the youth.")


def _url_suffix(kind: str, cause: str) -> str:
    if kind == K.MEETING_EVALUATION:
        return f"overleggen/{cause}/"
    return URL_SUFFIX.get(kind, "")


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- The computation --------------------------------------------------------------------------------


def open_cases(cases: QuerySet[Case], today: date) -> QuerySet[Case]:
    # A not-included registration has one signal only, its re-contact date: network meetings, plans
    # and the consents checked here belong to trajectories. Leaving out the others keeps a chain in its
    # tenth year (thousands of not-included registrations) as fast as a new one.
    return cases.filter(
        Q(status__in=[s for s in CaseStatus.values if s not in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)])
        & (~Q(status=CaseStatus.NOT_INCLUDED) | Q(recontact_on__lte=today))
    )


def row_annotations() -> dict:
    """What the rules ask of a case besides its own fields: its last contacts, its own cadence and
    its plan. Annotate a query of cases with these (see ``row_of``)."""
    from ketenregie.followup.models import CaseCadence, FollowUpContact
    from ketenregie.plans.models import Plan

    contacts = FollowUpContact.objects.with_scopes_disabled().filter(case=OuterRef("pk"))
    with_youth_or_trusted = contacts.filter(with_whom__in=[ContactWith.YOUTH, ContactWith.TRUSTED_PERSON])
    reached_youth = contacts.filter(with_whom=ContactWith.YOUTH, reached=True)
    return {
        "last_contact": Subquery(with_youth_or_trusted.order_by("-contact_at").values("contact_at")[:1]),
        "last_reached": Subquery(reached_youth.order_by("-contact_at").values("contact_at")[:1]),
        "own_cadence": Subquery(CaseCadence.objects.with_scopes_disabled().filter(case=OuterRef("pk")).values("days")),
        "plan_version": Subquery(Plan.objects.with_scopes_disabled().filter(case=OuterRef("pk")).values("version")),
    }


# A case as the rules read it: these fields, and the row annotations.
CASE_FIELDS = (
    "pk",
    "chain_id",
    "reference",
    "status",
    "case_director_id",
    "registered_on",
    "first_conversation_on",
    "reflection_until",
    "recontact_on",
)
YOUTH_FIELDS = ("first_name", "last_name", "birth_date")
CHAIN_FIELDS = ("age_min", "age_max", "follow_up_after_max_age", "follow_up_cadence_days", "out_of_view_days")
ANNOTATIONS = ("last_contact", "last_reached", "own_cadence", "plan_version")


def _case_rows(scoped: QuerySet[Case]) -> list[dict]:
    """One row per case with everything its rules ask: the case, its youth, its chain's settings and
    the row annotations."""
    return list(
        scoped.order_by()
        .annotate(**row_annotations())
        .values(
            *CASE_FIELDS,
            *(f"youth__{f}" for f in YOUTH_FIELDS),
            *(f"chain__{f}" for f in CHAIN_FIELDS),
            *ANNOTATIONS,
        )
    )


def row_of(case: Case, chain: Any) -> dict:
    """The row of a case read elsewhere, annotated with ``row_annotations()``, with its youth, of ``chain``."""
    return {
        **{f: getattr(case, f) for f in CASE_FIELDS},
        **{f"youth__{f}": getattr(case.youth, f) for f in YOUTH_FIELDS},
        **{f"chain__{f}": getattr(chain, f) for f in CHAIN_FIELDS},
        **{f: getattr(case, f) for f in ANNOTATIONS},
    }


# The columns of the second query, and the type of those a table may leave empty.
RELATED_COLUMNS = ("what", "id", "case", "day", "until", "moment", "code", "by")
_NO_RELATED = {
    "id": UUIDField(),
    "day": DateField(),
    "until": DateField(),
    "moment": DateTimeField(),
    "code": CharField(),
    "by": CharField(),
}
ACTION, MEETING, CONSENT, INCLUDED, ACKNOWLEDGED = "action", "meeting", "consent", "included", "acknowledged"
FOLLOWED = (CaseStatus.INCLUDED, CaseStatus.ACTIVE)


def _related_rows(ids: Any, without_plan: Any, today: date, include_acknowledged: bool) -> list[tuple]:
    """The overdue plan actions, the held network meetings without an evaluation, the consents not
    withdrawn and the acknowledgements still quiet of the cases ``ids``, and the OT meetings that
    included the cases ``without_plan``: one UNION query."""
    from ketenregie.consent.models import Consent
    from ketenregie.followup.models import SignalAcknowledgement
    from ketenregie.meetings.enums import MeetingStatus
    from ketenregie.meetings.models import ActionEvaluation, DomainProgress, NetworkMeeting
    from ketenregie.plans.enums import OPEN_ACTION_STATUSES
    from ketenregie.plans.models import Action

    def shaped(qs: QuerySet, what: str, **columns: Any) -> QuerySet:
        return union_part(
            qs, RELATED_COLUMNS, _NO_RELATED, what=Value(what, output_field=CharField()), case=F("case_id"), **columns
        )

    actions = shaped(
        Action.objects.with_scopes_disabled().filter(
            case_id__in=ids, status__in=OPEN_ACTION_STATUSES, due_on__lt=today
        ),
        ACTION,
        id=F("pk"),
        day=F("due_on"),
    )
    meetings = shaped(
        NetworkMeeting.objects.with_scopes_disabled()
        .filter(case_id__in=ids, status=MeetingStatus.HELD)
        .filter(
            ~Exists(DomainProgress.objects.with_scopes_disabled().filter(meeting=OuterRef("pk"))),
            ~Exists(ActionEvaluation.objects.with_scopes_disabled().filter(meeting=OuterRef("pk"))),
        ),
        MEETING,
        id=F("pk"),
        moment=F("starts_at"),
    )
    consents = shaped(
        Consent.objects.with_scopes_disabled().filter(case_id__in=ids, withdrawn_on__isnull=True),
        CONSENT,
        id=F("pk"),
        day=F("signed_on"),
        until=F("valid_until"),
        code=F("kind"),
        by=F("given_by"),
    )
    # The inclusion date is the date of the OT meeting that decided it, even when recorded later. Only
    # a followed case without a plan needs it (a signal after 30 days): a few, not every case.
    included = shaped(
        OTAgendaItem.objects.with_scopes_disabled().filter(case_id__in=without_plan, decision=OTDecision.INCLUDE),
        INCLUDED,
        moment=F("meeting__starts_at"),
    )
    parts = [meetings, consents, included]
    if not include_acknowledged:
        parts.append(
            shaped(
                SignalAcknowledgement.objects.with_scopes_disabled().filter(case_id__in=ids, quiet_until__gte=today),
                ACKNOWLEDGED,
                code=F("key"),
            )
        )
    return list(actions.union(*parts, all=True))


def _is_open(row: dict, today: date) -> bool:
    """The rows open_cases keeps, for rows read elsewhere."""
    status = row["status"]
    if status in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN):
        return False
    return status != CaseStatus.NOT_INCLUDED or (row["recontact_on"] is not None and row["recontact_on"] <= today)


def _compute(
    cases: QuerySet[Case], today: date, *, include_acknowledged: bool = False
) -> tuple[list[Finding], dict[str, CaseInfo]]:
    """The findings of ``cases`` and what a signal shows of each case. Two queries, whatever the size."""
    scoped = open_cases(cases, today)
    rows = _case_rows(scoped)  # 1
    if not rows:
        return [], {}
    # The second query selects by subqueries, not by a (long) list of ids.
    without_plan = (
        scoped.filter(status__in=FOLLOWED).filter(Q(plan__isnull=True) | Q(plan__version=0)).order_by().values("pk")
    )
    return _findings(
        rows, scoped.order_by().values("pk"), without_plan, today, include_acknowledged=include_acknowledged
    )


def findings_of_rows(rows: list[dict], *, today: date | None = None) -> list[Finding]:
    """The findings of cases already read (their ``row_of``), acknowledgements applied. One query."""
    today = today or timezone.localdate()
    rows = [row for row in rows if _is_open(row, today)]
    if not rows:
        return []
    without_plan = [row["pk"] for row in rows if row["status"] in FOLLOWED and not row["plan_version"]]
    return _findings(rows, [row["pk"] for row in rows], without_plan, today)[0]


def _findings(
    rows: list[dict], ids: Any, without_plan: Any, today: date, *, include_acknowledged: bool = False
) -> tuple[list[Finding], dict[str, CaseInfo]]:
    tz = timezone.get_current_timezone()
    actions, meetings, consents = [], [], []
    acknowledged: set[str] = set()
    included_at: dict[Any, datetime] = {}  # the latest inclusion per case
    for row in _related_rows(ids, without_plan, today, include_acknowledged):  # 1
        what = row[0]
        if what == ACTION:
            actions.append(row)
        elif what == MEETING:
            meetings.append(row)
        elif what == CONSENT:
            consents.append(row)
        elif what == INCLUDED:
            if row[2] not in included_at or row[5] > included_at[row[2]]:
                included_at[row[2]] = row[5]
        else:
            acknowledged.add(row[6])
    consents_of: dict[Any, list[tuple]] = {}  # per case, so the checks below stay linear in the data
    for c in consents:
        consents_of.setdefault(c[2], []).append(c)

    out: list[Finding] = []

    def add(kind: SignalKind, case_key: str, cause: str, since: date | None, *figures: Any) -> None:
        if f"{kind.value}:{case_key}:{cause}" not in acknowledged:
            out.append(Finding(kind.value, case_key, cause, since, figures))

    by_id: dict[Any, dict] = {}
    infos: dict[str, CaseInfo] = {}
    for case in rows:
        pk = case["pk"]
        key = str(pk)
        by_id[pk] = case
        infos[key] = CaseInfo(
            pk,
            case["reference"],
            f"{case['youth__first_name']} {case['youth__last_name']}",
            case["case_director_id"],
            case["chain_id"],
        )
        status = case["status"]
        followed = status in (CaseStatus.INCLUDED, CaseStatus.ACTIVE)
        if status == CaseStatus.ACTIVE:
            start = case["first_conversation_on"] or case["registered_on"]
            cadence = case["own_cadence"] or case["chain__follow_up_cadence_days"]
            last = case["last_contact"].astimezone(tz).date() if case["last_contact"] else start
            if (today - last).days > cadence:
                add(K.CONTACT_OVERDUE, key, last.isoformat(), last, last, cadence)
            reached = case["last_reached"].astimezone(tz).date() if case["last_reached"] else start
            out_of_view_days = case["chain__out_of_view_days"]
            if (today - reached).days > out_of_view_days:
                add(K.OUT_OF_VIEW, key, reached.isoformat(), reached, reached, out_of_view_days)
        if followed and pk in included_at and not case["plan_version"]:
            included_on = included_at[pk].astimezone(tz).date()
            if (today - included_on).days > NO_PLAN_AFTER_DAYS:
                add(K.NO_PLAN, key, included_on.isoformat(), included_on, included_on)
        reflection_until = case["reflection_until"]
        if status == CaseStatus.INTAKE and reflection_until and reflection_until < today:
            add(K.REFLECTION_WAITING, key, reflection_until.isoformat(), reflection_until, reflection_until)
        recontact_on = case["recontact_on"]
        if status == CaseStatus.NOT_INCLUDED and recontact_on and recontact_on <= today:
            add(K.RECONTACT_DUE, key, recontact_on.isoformat(), recontact_on, recontact_on)
        birth = case["youth__birth_date"]
        eighteen = _birthday(birth, 18)
        if followed or status in (CaseStatus.INTAKE, CaseStatus.AWAITING_OT):
            if today < eighteen <= today + timedelta(days=TURNS_18_WARNING_DAYS):
                add(K.TURNS_18, key, eighteen.isoformat(), eighteen, eighteen)
            elif eighteen <= today:
                own = consents_of.get(pk, ())
                # (what, id, case, signed_on, valid_until, moment, kind, given_by)
                renewed = any(c[7] == "youth" and c[3] >= eighteen and (c[4] is None or c[4] >= today) for c in own)
                had_minor_consent = any(c[3] < eighteen for c in own)
                if had_minor_consent and not renewed:
                    add(K.TURNED_18, key, eighteen.isoformat(), eighteen, eighteen)
            age_min, age_max = case["chain__age_min"], case["chain__age_max"]
            leaves = _birthday(birth, age_max + 1)
            if not case["chain__follow_up_after_max_age"]:
                if today < leaves <= today + timedelta(days=AGE_RANGE_WARNING_DAYS):
                    add(K.AGE_RANGE, key, leaves.isoformat(), leaves, True, age_min, age_max, leaves, None)
                elif leaves <= today:
                    age = age_on(birth, today)
                    add(K.AGE_RANGE, key, leaves.isoformat(), leaves, False, age_min, age_max, leaves, age)
    for _what, action_id, case_id, due_on, *_rest in actions:
        case = by_id.get(case_id)
        if case is not None and case["status"] in (CaseStatus.INCLUDED, CaseStatus.ACTIVE):
            add(K.ACTION_OVERDUE, str(case_id), str(action_id), due_on, due_on)
    for _what, meeting_id, case_id, _day, _until, starts_at, *_rest in meetings:
        if case_id not in by_id:  # registered since the first query
            continue
        held_on = starts_at.astimezone(tz).date()
        add(K.MEETING_EVALUATION, str(case_id), str(meeting_id), held_on, held_on)
    for consent in consents:
        _what, consent_id, case_id, _signed, until, _moment, consent_kind, _by = consent
        case = by_id.get(case_id)
        if (
            case is None
            or until is None
            or case["status"]
            not in (
                CaseStatus.INTAKE,
                CaseStatus.AWAITING_OT,
                CaseStatus.INCLUDED,
                CaseStatus.ACTIVE,
            )
        ):
            continue
        newer = any(
            c[6] == consent_kind and c[1] != consent_id and (c[4] is None or c[4] > until) for c in consents_of[case_id]
        )
        if newer:
            continue
        if until < today:
            add(K.CONSENT_EXPIRED, str(case_id), str(consent_id), until, consent_kind, until)
        elif until <= today + timedelta(days=CONSENT_WARNING_DAYS):
            add(K.CONSENT_EXPIRING, str(case_id), str(consent_id), until, consent_kind, until)
    return out, infos


def assemble(findings: Iterable[Finding], cases: Mapping[str, CaseInfo], today: date) -> list[Signal]:
    """Signals of the findings whose case is in ``cases`` (by str(pk)), most severe first."""
    out = []
    for kind, case_key, cause, since, figures in findings:
        info = cases.get(case_key)
        if info is None:
            continue
        out.append(
            Signal(
                f"{kind}:{case_key}:{cause}",
                kind,
                info.pk,
                info.reference,
                info.youth_name,
                info.case_director_id,
                info.chain_id,
                since,
                figures,
            )
        )
    out.sort(key=lambda s: (s.severity, s.since or today, s.case_reference))
    return out


def signals_for(
    cases: QuerySet[Case], *, today: date | None = None, include_acknowledged: bool = False
) -> list[Signal]:
    """Every current signal of ``cases``. Two queries in total, whatever the number of cases."""
    today = today or timezone.localdate()
    findings, infos = _compute(cases, today, include_acknowledged=include_acknowledged)
    return assemble(findings, infos, today)


def _key_parts(chain: Any, today: date) -> list[str]:
    # The chain's settings the rules read (cadence, out of view, age range) are in the key: the
    # administrators' screens change them without a write the chain's token follows.
    settings = ",".join(str(getattr(chain, f)) for f in CHAIN_FIELDS)
    return [today.isoformat(), timezone.get_current_timezone_name(), settings, str(FINDINGS_FORMAT)]


def _cache_key(chain: Any, today: date, *parts: str) -> str:
    return chain_version.cache_key("signals", chain.pk, *_key_parts(chain, today), *parts)


def cached_chain_findings(chain: Any, *, today: date | None = None) -> list[Finding] | None:
    """The chain's findings when the cache holds them for the chain as it is now, else None."""
    found = cache.get(_cache_key(chain, today or timezone.localdate()))
    return None if found is None else [Finding(*f) for f in found]


def _computed(cases: QuerySet[Case], today: date) -> list[tuple]:
    """The findings of ``cases`` as the cache keeps them: plain tuples, so it never unpickles a class of ours."""
    computed, _infos = _compute(cases, today)
    return [tuple(f) for f in computed]


def chain_findings(chain: Any, *, today: date | None = None) -> list[Finding]:
    """The findings of every case of ``chain`` today, acknowledgements applied; from the cache when
    nothing in the chain was written since they were computed, renewed for the cases written since
    when something was (``_renewed``).

    The key is made (the chain's token read) before the data is, so a write that commits during the
    computation leaves its result under a token that is already stale.
    """
    today = today or timezone.localdate()
    return [Finding(*f) for f in chain_version.cached(_cache_key(chain, today), lambda: _renewed(chain, today))]


# Beyond this many cases written since the last computation the whole chain is computed again.
RENEW_AT_MOST = 200


def _renewed(chain: Any, today: date) -> list[tuple]:
    """The chain's findings after a write: those of the cases written since the last computation are
    computed again, the others kept (a chain of 4,000 open cases takes 140 ms whole, a few cases 10).

    Which cases were written comes from the audit log, which records every write with its case: the
    entries after the position the last computation read, up to the newest entry, read before the
    data is (an entry that commits meanwhile is read the next time). A write that names no case (an
    OT meeting, the chain's settings), too many written cases or a last whole computation older than
    ``MAX_AGE_SECONDS`` (a change that reached the database without the log) computes everything.
    """
    from ketenregie.audit.domain import audit_position, cases_written

    snapshot_key = _snapshot_key(chain, today)
    upto = audit_position()
    cases = Case.objects.with_scopes_disabled().filter(chain_id=chain.pk)
    snapshot = cache.get(snapshot_key)
    now = timezone.now().timestamp()
    if snapshot is not None:
        position, whole_at, kept = snapshot
        written = cases_written(chain.pk, after=position, upto=upto, at_most=RENEW_AT_MOST)
        if written is not None and now - whole_at < chain_version.MAX_AGE_SECONDS:
            if written:
                written_keys = {str(pk) for pk in written}
                kept = [f for f in kept if f[1] not in written_keys] + _computed(cases.filter(pk__in=written), today)
            cache.set(snapshot_key, (upto, whole_at, kept), timeout=chain_version.MAX_AGE_SECONDS)
            return kept
    found = _computed(cases, today)
    cache.set(snapshot_key, (upto, now, found), timeout=chain_version.MAX_AGE_SECONDS)
    return found


def _snapshot_key(chain: Any, today: date) -> str:
    """The chain's last findings with the audit position they were computed at: not under the token."""
    return ":".join(["signals-snapshot", str(chain.pk), *_key_parts(chain, today)])


def own_findings(chain: Any, cases: QuerySet[Case], user_id: Any, *, today: date | None = None) -> list[Finding]:
    """The findings of the cases ``user_id`` directs in ``chain`` (``cases``: those cases, as the policy
    shows them), cached like a chain's: a case director's start page does not compute them again until
    something in the chain is written. Cheaper than the whole chain when its cache is cold."""
    today = today or timezone.localdate()
    found = chain_version.cached(_cache_key(chain, today, "director", str(user_id)), lambda: _computed(cases, today))
    return [Finding(*f) for f in found]
