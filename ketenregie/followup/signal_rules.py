"""Signals: what needs someone's action today, computed from the data (never stored, never stale).

``signals_for(cases)`` takes any queryset of cases (already scoped by the access policy) and
returns every signal in a constant number of queries, whatever the number of cases. A signal's key
names its kind, its case and its cause; an acknowledgement silences that key for a while, and the
signal comes back when the cause persists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ketenregie.cases.eligibility import age_on
from ketenregie.cases.enums import CaseStatus, OTDecision
from ketenregie.cases.models import Case, OTAgendaItem
from ketenregie.followup.enums import ContactWith, SignalKind

CONSENT_WARNING_DAYS = 30
TURNS_18_WARNING_DAYS = 60
AGE_RANGE_WARNING_DAYS = 60
NO_PLAN_AFTER_DAYS = 30
REFLECTION_GRACE_DAYS = 0

SEVERITY = {
    SignalKind.OUT_OF_VIEW: 1,
    SignalKind.CONSENT_EXPIRED: 1,
    SignalKind.TURNED_18: 1,
    SignalKind.CONTACT_OVERDUE: 2,
    SignalKind.ACTION_OVERDUE: 2,
    SignalKind.AGE_RANGE: 2,
    SignalKind.NO_PLAN: 2,
    SignalKind.CONSENT_EXPIRING: 3,
    SignalKind.TURNS_18: 3,
    SignalKind.MEETING_EVALUATION: 3,
    SignalKind.REFLECTION_WAITING: 3,
    SignalKind.RECONTACT_DUE: 3,
}


@dataclass(frozen=True)
class Signal:
    key: str
    kind: str
    case_id: Any
    case_reference: str
    youth_name: str
    case_director_id: Any
    chain_id: Any
    reason: str
    action: str
    url: str
    since: date | None = None

    @property
    def kind_label(self) -> str:
        return str(SignalKind(self.kind).label)

    @property
    def severity(self) -> int:
        return SEVERITY.get(SignalKind(self.kind), 3)


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February → 1 March in common years
        return date(birth.year + years, 3, 1)


# What the rows of the first query need: enough for every rule and for the Signal itself.
ROW_FIELDS = (
    "id",
    "chain",
    "youth",
    "reference",
    "status",
    "case_director",
    "registered_on",
    "first_conversation_on",
    "reflection_until",
    "recontact_on",
    "youth__first_name",
    "youth__last_name",
    "youth__birth_date",
    "chain__age_min",
    "chain__age_max",
    "chain__follow_up_after_max_age",
    "chain__follow_up_cadence_days",
    "chain__out_of_view_days",
)

_URL_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _case_urls():
    """``url_of(case_id)``: the case page's URL, resolved once instead of once per case."""
    pattern = reverse("cases:case_detail", args=[_URL_PLACEHOLDER])
    return lambda case_id: pattern.replace(_URL_PLACEHOLDER, str(case_id))


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _fmt(day: date) -> str:
    return date_format(day, "j F Y")


def signals_for(
    cases: QuerySet[Case], *, today: date | None = None, include_acknowledged: bool = False
) -> list[Signal]:
    """Every current signal of ``cases``. Nine queries in total, whatever the number of cases."""
    from ketenregie.consent.enums import ConsentKind
    from ketenregie.consent.models import Consent
    from ketenregie.followup.models import CaseCadence, FollowUpContact, SignalAcknowledgement
    from ketenregie.meetings.enums import MeetingStatus
    from ketenregie.meetings.models import ActionEvaluation, DomainProgress, NetworkMeeting
    from ketenregie.plans.enums import OPEN_ACTION_STATUSES
    from ketenregie.plans.models import Action, Plan

    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    # A not-included registration has one signal only, its re-contact date: network meetings, plans
    # and the consents checked here belong to trajectories. Leaving out the others keeps a chain in its
    # tenth year (thousands of not-included registrations) as fast as a new one.
    scoped = cases.filter(
        Q(status__in=[s for s in CaseStatus.values if s not in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)])
        & (~Q(status=CaseStatus.NOT_INCLUDED) | Q(recontact_on__lte=today))
    )
    # The other queries select by this subquery, not by a (long) list of ids.
    ids = scoped.order_by().values("pk")
    contacts = FollowUpContact.objects.with_scopes_disabled().filter(case=OuterRef("pk"))
    with_youth_or_trusted = contacts.filter(with_whom__in=[ContactWith.YOUTH, ContactWith.TRUSTED_PERSON])
    reached_youth = contacts.filter(with_whom=ContactWith.YOUTH, reached=True)
    # The inclusion date is the date of the OT meeting that decided it, even when recorded later.
    included_at = OTAgendaItem.objects.with_scopes_disabled().filter(case=OuterRef("pk"), decision=OTDecision.INCLUDE)
    rows = list(
        scoped.select_related("youth", "chain")
        .only(*ROW_FIELDS)
        .annotate(
            last_contact=Subquery(with_youth_or_trusted.order_by("-contact_at").values("contact_at")[:1]),
            last_reached=Subquery(reached_youth.order_by("-contact_at").values("contact_at")[:1]),
            included_at=Subquery(included_at.order_by("-meeting__starts_at").values("meeting__starts_at")[:1]),
        )
    )  # 1
    if not rows:
        return []
    by_id = {c.pk: c for c in rows}
    cadences = dict(
        CaseCadence.objects.with_scopes_disabled().filter(case_id__in=ids).values_list("case_id", "days")
    )  # 2
    plans = dict(Plan.objects.with_scopes_disabled().filter(case_id__in=ids).values_list("case_id", "version"))  # 3
    overdue_actions = list(
        Action.objects.with_scopes_disabled()
        .filter(case_id__in=ids, status__in=OPEN_ACTION_STATUSES, due_on__lt=today)
        .values("pk", "case_id", "due_on")
    )  # 4
    unevaluated = list(
        NetworkMeeting.objects.with_scopes_disabled()
        .filter(case_id__in=ids, status=MeetingStatus.HELD)
        .filter(
            ~Exists(DomainProgress.objects.with_scopes_disabled().filter(meeting=OuterRef("pk"))),
            ~Exists(ActionEvaluation.objects.with_scopes_disabled().filter(meeting=OuterRef("pk"))),
        )
        .values("pk", "case_id", "starts_at")
    )  # 5
    consents = list(
        Consent.objects.with_scopes_disabled()
        .filter(case_id__in=ids, withdrawn_on__isnull=True)
        .values("pk", "case_id", "kind", "given_by", "signed_on", "valid_until")
    )  # 6
    consents_of: dict[Any, list[dict]] = {}  # per case, so the checks below stay linear in the data
    for c in consents:
        consents_of.setdefault(c["case_id"], []).append(c)
    acknowledged = set()
    if not include_acknowledged:
        acknowledged = set(
            SignalAcknowledgement.objects.with_scopes_disabled()
            .filter(case_id__in=ids, quiet_until__gte=today)
            .values_list("key", flat=True)
        )  # 7

    out: list[Signal] = []

    def add(case: Case, kind: str, cause: str, reason: str, action: str, url: str, since: date | None = None) -> None:
        key = f"{kind}:{case.pk}:{cause}"
        if key in acknowledged:
            return
        out.append(
            Signal(
                key,
                kind,
                case.pk,
                case.reference,
                case.youth.full_name,
                case.case_director_id,
                case.chain_id,
                reason,
                action,
                url,
                since,
            )
        )

    url_of = _case_urls()
    for case in rows:
        chain = case.chain
        case_url = url_of(case.pk)
        followed = case.status in (CaseStatus.INCLUDED, CaseStatus.ACTIVE)
        if case.status == CaseStatus.ACTIVE:
            start = case.first_conversation_on or case.registered_on
            cadence = cadences.get(case.pk, chain.follow_up_cadence_days)
            last = case.last_contact.astimezone(tz).date() if case.last_contact else start
            if (today - last).days > cadence:
                add(
                    case,
                    SignalKind.CONTACT_OVERDUE,
                    last.isoformat(),
                    _("No contact with the youth or trusted person since %(date)s (cadence: every %(days)d days).")
                    % {"date": _fmt(last), "days": cadence},
                    _("Contact the youth or the trusted person and log it."),
                    f"{case_url}#contacten",
                    last,
                )
            reached = case.last_reached.astimezone(tz).date() if case.last_reached else start
            if (today - reached).days > chain.out_of_view_days:
                add(
                    case,
                    SignalKind.OUT_OF_VIEW,
                    reached.isoformat(),
                    _("The youth has not been reached since %(date)s (more than %(days)d days): out of view.")
                    % {"date": _fmt(reached), "days": chain.out_of_view_days},
                    _("Act now: reach the youth through the network or a home visit."),
                    f"{case_url}#contacten",
                    reached,
                )
        if followed and case.included_at and not plans.get(case.pk):
            included_on = case.included_at.astimezone(tz).date()
            if (today - included_on).days > NO_PLAN_AFTER_DAYS:
                add(
                    case,
                    SignalKind.NO_PLAN,
                    included_on.isoformat(),
                    _("Included on %(date)s and still no plan of approach.") % {"date": _fmt(included_on)},
                    _("Convene the network meeting and make the plan with the youth."),
                    f"{case_url}plan/",
                    included_on,
                )
        if case.status == CaseStatus.INTAKE and case.reflection_until and case.reflection_until < today:
            add(
                case,
                SignalKind.REFLECTION_WAITING,
                case.reflection_until.isoformat(),
                _("The youth's reflection time ended on %(date)s.") % {"date": _fmt(case.reflection_until)},
                _("Ask the youth for their decision and complete the intake."),
                f"{case_url}intake/",
                case.reflection_until,
            )
        if case.status == CaseStatus.NOT_INCLUDED and case.recontact_on and case.recontact_on <= today:
            add(
                case,
                SignalKind.RECONTACT_DUE,
                case.recontact_on.isoformat(),
                _("The re-contact date of %(date)s has arrived.") % {"date": _fmt(case.recontact_on)},
                _("Contact the referrer again as agreed."),
                case_url,
                case.recontact_on,
            )
        birth = case.youth.birth_date
        eighteen = _birthday(birth, 18)
        if followed or case.status in (CaseStatus.INTAKE, CaseStatus.AWAITING_OT):
            if today < eighteen <= today + timedelta(days=TURNS_18_WARNING_DAYS):
                add(
                    case,
                    SignalKind.TURNS_18,
                    eighteen.isoformat(),
                    _("Turns 18 on %(date)s: the youth must then renew the consents themselves.")
                    % {"date": _fmt(eighteen)},
                    _("Prepare the renewal of the consents with the youth."),
                    f"{case_url}toestemmingen/",
                    eighteen,
                )
            elif eighteen <= today:
                renewed = any(
                    c["given_by"] == "youth"
                    and c["signed_on"] >= eighteen
                    and (c["valid_until"] is None or c["valid_until"] >= today)
                    for c in consents_of.get(case.pk, ())
                )
                had_minor_consent = any(c["signed_on"] < eighteen for c in consents_of.get(case.pk, ()))
                if had_minor_consent and not renewed:
                    add(
                        case,
                        SignalKind.TURNED_18,
                        eighteen.isoformat(),
                        _(
                            "Turned 18 on %(date)s: sharing that rested on parental consent stops until the youth renews the consent."
                        )
                        % {"date": _fmt(eighteen)},
                        _("Have the youth sign new consents."),
                        f"{case_url}toestemmingen/",
                        eighteen,
                    )
            leaves = _birthday(birth, chain.age_max + 1)
            if not chain.follow_up_after_max_age:
                if today < leaves <= today + timedelta(days=AGE_RANGE_WARNING_DAYS):
                    add(
                        case,
                        SignalKind.AGE_RANGE,
                        leaves.isoformat(),
                        _("Leaves the chain's age range (%(min)d–%(max)d) on %(date)s.")
                        % {"min": chain.age_min, "max": chain.age_max, "date": _fmt(leaves)},
                        _("Plan the hand-over or closure with the youth and the OT."),
                        case_url,
                        leaves,
                    )
                elif leaves <= today:
                    add(
                        case,
                        SignalKind.AGE_RANGE,
                        leaves.isoformat(),
                        _("Is %(age)d, outside the chain's age range (%(min)d–%(max)d).")
                        % {"age": age_on(birth, today), "min": chain.age_min, "max": chain.age_max},
                        _("Bring the case to the OT for a hand-over or closure."),
                        case_url,
                        leaves,
                    )
    for action in overdue_actions:
        case = by_id.get(action["case_id"])
        if case is not None and case.status in (CaseStatus.INCLUDED, CaseStatus.ACTIVE):
            add(
                case,
                SignalKind.ACTION_OVERDUE,
                str(action["pk"]),
                _("A plan action was due on %(date)s and is not done.") % {"date": _fmt(action["due_on"])},
                _("Check with the person responsible and update the plan."),
                url_of(case.pk) + "plan/",
                action["due_on"],
            )
    for meeting in unevaluated:
        case = by_id.get(meeting["case_id"])
        if case is None:  # registered since the first query
            continue
        held_on = meeting["starts_at"].astimezone(tz).date()
        add(
            case,
            SignalKind.MEETING_EVALUATION,
            str(meeting["pk"]),
            _("The network meeting of %(date)s has not been evaluated yet.") % {"date": _fmt(held_on)},
            _("Evaluate the agreements and score the progress per life domain."),
            url_of(case.pk) + f"overleggen/{meeting['pk']}/",
            held_on,
        )
    for consent in consents:
        case = by_id.get(consent["case_id"])
        until = consent["valid_until"]
        if (
            case is None
            or until is None
            or case.status
            not in (
                CaseStatus.INTAKE,
                CaseStatus.AWAITING_OT,
                CaseStatus.INCLUDED,
                CaseStatus.ACTIVE,
            )
        ):
            continue
        kind_label = ConsentKind(consent["kind"]).label
        newer = any(
            c["kind"] == consent["kind"]
            and c["pk"] != consent["pk"]
            and (c["valid_until"] is None or c["valid_until"] > until)
            for c in consents_of[case.pk]
        )
        if newer:
            continue
        url = url_of(case.pk) + "toestemmingen/"
        if until < today:
            add(
                case,
                SignalKind.CONSENT_EXPIRED,
                str(consent["pk"]),
                _("Consent “%(kind)s” expired on %(date)s.") % {"kind": kind_label, "date": _fmt(until)},
                _("Have the consent renewed, or stop sharing on that basis."),
                url,
                until,
            )
        elif until <= today + timedelta(days=CONSENT_WARNING_DAYS):
            add(
                case,
                SignalKind.CONSENT_EXPIRING,
                str(consent["pk"]),
                _("Consent “%(kind)s” expires on %(date)s.") % {"kind": kind_label, "date": _fmt(until)},
                _("Plan the renewal with the youth."),
                url,
                until,
            )
    out.sort(key=lambda s: (s.severity, s.since or today, s.case_reference))
    return out
