"""The figures of the reports: aggregate queries over the case data of one or more chains.

``compute(chains, period)`` returns, per chain, every table of the report: from the cache while
nothing was written in the chain, else counted afresh (``compute_fresh``). Each query groups by
chain (and by a category or month) and counts in the database: no loop over cases, no case row in
memory, and the number of queries is the same for one chain or thirty, for ten cases or a hundred
thousand. Nothing here reads a name, a birth date, an address or a free text: only codes, dates
and counts leave the database, and free text is at most tested for being empty.

The dates are those of the steps themselves — the registration date, the date of the OT meeting
that decided, the first conversation, the closing date — not the moment someone recorded them.
Where the workflow keeps no date of its own (withdrawal, not including a case before the OT,
taking a registration up again), the moment of the transition stands in.

Cohorts, for a period from S to E:
- registered: registered on S..E (who reaches the chain, and how);
- in trajectory: trajectory started on or before E and not closed before S (network, follow-up,
  plans, progress);
- closed: closed on S..E (duration, reasons, support at closure, re-registration).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import (
    Avg,
    CharField,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import (
    Cast,
    Coalesce,
    Concat,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    FirstValue,
    RowNumber,
    TruncMonth,
)
from django.db.models.lookups import LessThan
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ketenregie.cases.enums import (
    CaseStatus,
    ClosureReason,
    ConsultOutcome,
    Framework,
    Gender,
    OTDecision,
    OTMeetingStatus,
    ReferrerKind,
)
from ketenregie.cases.models import Case, CaseTransition, Consult, Offence, OTAgendaItem, OTMeeting
from ketenregie.chains.models import Chain
from ketenregie.common import chain_version
from ketenregie.common.db_router import reading_from_replica
from ketenregie.followup.enums import ContactWith
from ketenregie.followup.models import FollowUpContact
from ketenregie.meetings.enums import MeetingStatus
from ketenregie.meetings.models import DomainProgress
from ketenregie.network.enums import MemberKind
from ketenregie.network.models import NetworkMember, OffenceGroupMember
from ketenregie.plans.enums import ActionStatus
from ketenregie.plans.models import PlanDomain
from ketenregie.reports.periods import Period, month_label, start_of_day
from ketenregie.reports.tables import COUNT, DAYS, LABEL, MEAN, PERCENT, SCORE, YOUTHS, Chart, Column, Table

S = CaseStatus

# The sections of the report, in the order of the page.
REACH, OVER_TIME, YOUTH, OFFENCES, NETWORK, FOLLOW_UP, PLANS, CLOSURE = (
    "reach",
    "over_time",
    "youths",
    "offences",
    "network",
    "follow_up",
    "plans",
    "closure",
)

AGE_BANDS = [
    ("under_12", 0, 12),
    ("12_13", 12, 14),
    ("14_15", 14, 16),
    ("16_17", 16, 18),
    ("18_20", 18, 21),
    ("21_25", 21, 26),
    ("over_25", 26, 200),
]


def section_titles() -> dict[str, str]:
    return {
        REACH: _("Reaching the right youths"),
        OVER_TIME: _("Cases over time"),
        YOUTH: _("The youths"),
        OFFENCES: _("Offences"),
        NETWORK: _("The network around the youth"),
        FOLLOW_UP: _("Follow-up"),
        PLANS: _("Plans and progress"),
        CLOSURE: _("Closure and afterwards"),
    }


# --- Context ---------------------------------------------------------------------------------------


@dataclass
class Ctx:
    chains: list[Chain]
    period: Period
    memo: dict[str, Any] = field(default_factory=dict)

    @property
    def ids(self) -> list:
        return [c.pk for c in self.chains]

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end

    @property
    def reference(self) -> date:
        return self.period.reference_day()

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        """A query shared by several tables runs once."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def cases(self):
        return Case.objects.with_scope(chain=self.ids).order_by()


def _registered(ctx: Ctx, prefix: str = "") -> Q:
    return Q(**{f"{prefix}registered_on__gte": ctx.start, f"{prefix}registered_on__lte": ctx.end})


def _in_trajectory(ctx: Ctx, prefix: str = "") -> Q:
    return Q(**{f"{prefix}first_conversation_on__isnull": False, f"{prefix}first_conversation_on__lte": ctx.end}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gte": ctx.start})
    )


def _closed(ctx: Ctx, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": S.CLOSED, f"{prefix}closed_on__gte": ctx.start, f"{prefix}closed_on__lte": ctx.end})


def _moment_in(ctx: Ctx, field_name: str) -> Q:
    return Q(**{f"{field_name}__gte": ctx.period.begins, f"{field_name}__lt": ctx.period.after})


def _grouped(rows: Iterable[dict], chain_key: str = "chain_id") -> dict[Any, list[dict]]:
    out: dict[Any, list[dict]] = defaultdict(list)
    for row in rows:
        out[row[chain_key]].append(row)
    return out


def _by_chain(rows: Iterable[dict], chain_key: str = "chain_id") -> dict[Any, dict]:
    return {row[chain_key]: row for row in rows}


def _regrouped(
    queryset: Any,
    by: list[str],
    *,
    counts: dict[str, str] | None = None,
    means: dict[str, str] | None = None,
    chain_key: str = "chain_id",
) -> list[dict]:
    """Group the rows of ``queryset`` once more, in the database: an aggregate over its rows.

    Django's ORM cannot aggregate over aggregates or window functions in one query, which two
    figures need (contacts per case per month, then cases per month; the first and last score of
    each case and life domain, then their averages). This wraps the queryset's own SQL — its
    scope, filters and joins unchanged — in ``SELECT ... FROM (it) GROUP BY by``. ``counts`` and
    ``means`` map each output name to an SQL aggregate over the inner columns, written ``{name}``;
    counts come back as int, means as float, the chain as the chain's key.
    """
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    columns = {name: quote(name) for name in queryset.query.values_select + tuple(queryset.query.annotation_select)}
    outputs = {**{k: (v, int) for k, v in (counts or {}).items()}, **{k: (v, float) for k, v in (means or {}).items()}}
    inner, params = queryset.query.sql_with_params()
    select = [quote(b) for b in by] + [template.format(**columns) for template, _type in outputs.values()]
    # Only this module's constant templates and quoted column names go into the text; every value
    # stays a parameter of the inner query.
    sql = f"SELECT {', '.join(select)} FROM ({inner}) inner_rows GROUP BY {', '.join(quote(b) for b in by)}"  # noqa: S608
    to_chain = Case._meta.get_field("chain").target_field.to_python
    out = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for values in cursor.fetchall():
            row = dict(zip(by, values[: len(by)], strict=True))
            row[chain_key] = to_chain(row[chain_key])
            for (name, (_template, kind)), value in zip(outputs.items(), values[len(by) :], strict=True):
                row[name] = None if value is None else kind(value)
            out.append(row)
    return out


def _share(part: float | None, whole: float | None) -> float | None:
    if not whole or part is None:
        return None
    return 100.0 * part / whole


def _ratio(part: float | None, whole: float | None) -> float | None:
    if not whole or part is None:
        return None
    return part / whole


def _days(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    return float(value)


def _month(value: date | datetime | str | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite, read back through ``_regrouped``: "2026-03-01 00:00:00"
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _month_of_date(field_name: str):
    return TruncMonth(field_name, output_field=DateField())


def _month_of_moment(field_name: str):
    return TruncMonth(field_name)


def _age_at(day: Any, birth: str = "youth__birth_date") -> Any:
    """Age in whole years on ``day`` (an expression), computed in the database."""

    def month_day(expr: Any) -> Any:
        return ExtractMonth(expr) * 100 + ExtractDay(expr)

    before_birthday = CaseWhen(
        When(LessThan(month_day(day), month_day(birth)), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return ExtractYear(day) - ExtractYear(birth) - before_birthday


def _age_band_expression(age_field: str = "age") -> CaseWhen:
    return CaseWhen(
        *[When(**{f"{age_field}__lt": high}, then=Value(code)) for code, _low, high in AGE_BANDS],
        default=Value("over_25"),
        output_field=CharField(),
    )


def _age_band_labels() -> dict[str, str]:
    return {
        "under_12": _("Under 12"),
        "12_13": _("12–13 years"),
        "14_15": _("14–15 years"),
        "16_17": _("16–17 years"),
        "18_20": _("18–20 years"),
        "21_25": _("21–25 years"),
        "over_25": _("Over 25"),
    }


# --- Shared queries ----------------------------------------------------------------------------------


def _consult_counts(ctx: Ctx) -> dict[Any, dict[str, dict]]:
    def run():
        rows = (
            Consult.objects.with_scope(chain=ctx.ids)
            .filter(consulted_on__gte=ctx.start, consulted_on__lte=ctx.end)
            .order_by()
            .values("chain_id", "outcome")
            .annotate(n=Count("pk"), advice=Count("pk", filter=~Q(advice="")))
        )
        out: dict[Any, dict[str, dict]] = defaultdict(dict)
        for row in rows:
            out[row["chain_id"]][row["outcome"]] = row
        return out

    return ctx.once("consults", run)


def _ot_decisions(ctx: Ctx) -> dict[Any, dict[str, dict]]:
    def run():
        rows = (
            OTAgendaItem.objects.with_scope(chain=ctx.ids)
            .exclude(decision="")
            .filter(_moment_in(ctx, "meeting__starts_at"))
            .order_by()
            .values("meeting__chain_id", "decision")
            .annotate(
                n=Count("case", distinct=True),
                advice=Count("case", distinct=True, filter=~Q(advice="")),
                recontact=Count("case", distinct=True, filter=Q(recontact_on__isnull=False)),
            )
        )
        out: dict[Any, dict[str, dict]] = defaultdict(dict)
        for row in rows:
            out[row["meeting__chain_id"]][row["decision"]] = row
        return out

    return ctx.once("ot_decisions", run)


def _flows(ctx: Ctx) -> dict[Any, dict[str, dict[date, int]]]:
    """How many cases took each step, per chain and month, up to the period's end.

    Status counts at a month's end follow from these by adding what came in and subtracting what
    went out; five grouped queries serve every monthly figure.
    """

    def run():
        flows: dict[Any, dict[str, dict[date, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))

        def add(chain_id: Any, kind: str, month: date | None, n: int) -> None:
            if month is not None:
                flows[chain_id][kind][month] += n

        cases = ctx.cases()
        for row in (
            cases.filter(registered_on__lte=ctx.end)
            .values("chain_id", m=_month_of_date("registered_on"))
            .annotate(n=Count("pk"))
        ):
            add(row["chain_id"], "registered", _month(row["m"]), row["n"])
        for row in (
            cases.filter(first_conversation_on__lte=ctx.end)
            .values("chain_id", m=_month_of_date("first_conversation_on"))
            .annotate(n=Count("pk"))
        ):
            add(row["chain_id"], "started", _month(row["m"]), row["n"])
        for row in (
            cases.filter(status=S.CLOSED, closed_on__lte=ctx.end)
            .values("chain_id", m=_month_of_date("closed_on"))
            .annotate(
                n=Count("pk"),
                from_active=Count("pk", filter=Q(first_conversation_on__isnull=False)),
            )
        ):
            add(row["chain_id"], "closed", _month(row["m"]), row["n"])
            add(row["chain_id"], "closed_from_active", _month(row["m"]), row["from_active"])
            add(row["chain_id"], "closed_from_included", _month(row["m"]), row["n"] - row["from_active"])
        for row in (
            OTAgendaItem.objects.with_scope(chain=ctx.ids)
            .filter(decision__in=[OTDecision.INCLUDE, OTDecision.NOT_INCLUDE], meeting__starts_at__lt=ctx.period.after)
            .order_by()
            .values("meeting__chain_id", "decision", m=_month_of_moment("meeting__starts_at"))
            .annotate(n=Count("pk"))
        ):
            kind = "included" if row["decision"] == OTDecision.INCLUDE else "not_included_ot"
            add(row["meeting__chain_id"], kind, _month(row["m"]), row["n"])
        for row in (
            CaseTransition.objects.with_scope(chain=ctx.ids)
            .filter(occurred_at__lt=ctx.period.after)
            .filter(
                Q(to_status=S.WITHDRAWN)
                | Q(to_status=S.NOT_INCLUDED, from_status__in=[S.REGISTERED, S.INTAKE])
                | Q(to_status=S.REGISTERED, from_status=S.NOT_INCLUDED)
            )
            .order_by()
            .values("case__chain_id", "from_status", "to_status", m=_month_of_moment("occurred_at"))
            .annotate(n=Count("pk"))
        ):
            if row["to_status"] == S.WITHDRAWN:
                kind = "withdrawn_included" if row["from_status"] == S.INCLUDED else "withdrawn_preparing"
            elif row["to_status"] == S.NOT_INCLUDED:
                kind = "not_included_direct"
            else:
                kind = "reopened"
            add(row["case__chain_id"], kind, _month(row["m"]), row["n"])
        return flows

    return ctx.once("flows", run)


def _cumulative(series: dict[date, int], upto: date) -> int:
    return sum(n for month, n in series.items() if month <= upto)


def _category_tables(
    ctx: Ctx,
    counts: dict[Any, dict[Any, int]],
    categories: Iterable[tuple[Any, str]],
    *,
    name: str,
    section: str,
    title: str,
    description: str,
    label: str,
    unit: str,
    with_codes: bool = True,
) -> dict[Any, Table]:
    """The shape most figures share: per chain, a row per category with its number of youths.

    ``counts`` holds, per chain, the number for each category code (a missing one is 0);
    ``categories`` the codes and labels in the order of the rows, every one shown even at 0 so a
    table always has the same rows. The rows add up to the cohort's total shown elsewhere (the
    headline, another table), so the column is additive: its small cells get secondary protection.
    """
    categories = list(categories)
    out = {}
    for chain in ctx.chains:
        per = counts.get(chain.pk, {})
        out[chain.pk] = Table(
            name=name,
            section=section,
            title=title,
            description=description,
            columns=[Column("label", label, LABEL), Column("n", unit, YOUTHS, additive=True)],
            rows=[
                {"label": text, "code": code, "n": per.get(code, 0)}
                if with_codes
                else {"label": text, "n": per.get(code, 0)}
                for code, text in categories
            ],
            chart=Chart("bars", ("n",)),
        )
    return out


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, str(member.label)) for member in enum]


def _cases_by(ctx: Ctx, key: str, cohort: Q, field_name: str) -> dict[Any, dict[Any, int]]:
    """The cases of ``cohort`` per chain and value of ``field_name``: one grouped query, run once."""

    def run():
        rows = ctx.cases().filter(cohort).values("chain_id", field_name).annotate(n=Count("pk"))
        out: dict[Any, dict[Any, int]] = defaultdict(dict)
        for row in rows:
            out[row["chain_id"]][row[field_name]] = row["n"]
        return out

    return ctx.once(key, run)


def _numbers(per_chain: dict[Any, dict[Any, dict]], key: str = "n") -> dict[Any, dict[Any, int]]:
    """From rows per chain and category to the one number ``key`` of each."""
    return {chain_id: {code: row.get(key, 0) for code, row in rows.items()} for chain_id, rows in per_chain.items()}


# --- Reach ---------------------------------------------------------------------------------------------


def consults(ctx: Ctx) -> dict[Any, Table]:
    return _category_tables(
        ctx,
        _numbers(_consult_counts(ctx)),
        _choices(ConsultOutcome),
        name="consults",
        section=REACH,
        title=_("Consults and their outcome"),
        description=_("Questions of referrers recorded in the period, before any registration, by their outcome."),
        label=_("Outcome"),
        unit=_("Consults"),
        with_codes=False,
    )


def _registered_by(ctx: Ctx, key: str, field_name: str) -> dict[Any, dict[Any, int]]:
    return _cases_by(ctx, key, _registered(ctx), field_name)


def referrers(ctx: Ctx) -> dict[Any, Table]:
    return _category_tables(
        ctx,
        _registered_by(ctx, "referrers", "referrer_kind"),
        _choices(ReferrerKind),
        name="referrers",
        section=REACH,
        title=_("Registrations by referrer"),
        description=_("Cases registered in the period, by who registered them."),
        label=_("Referrer"),
        unit=_("Registrations"),
    )


def referrer_organisations(ctx: Ctx) -> dict[Any, Table]:
    from ketenregie.accounts.enums import OrganisationKind

    rows = (
        ctx.cases()
        .filter(_registered(ctx), referrer_organisation__isnull=False)
        .values("chain_id", "referrer_organisation__name", "referrer_organisation__kind")
        .annotate(n=Count("pk"))
    )
    grouped = _grouped(rows)
    kinds = dict(OrganisationKind.choices)
    out = {}
    for chain in ctx.chains:
        found = sorted(grouped.get(chain.pk, []), key=lambda r: (-r["n"], r["referrer_organisation__name"]))
        out[chain.pk] = Table(
            name="referrer_organisations",
            section=REACH,
            title=_("Registrations by referring organisation"),
            description=_("Cases registered in the period by a partner or other organisation, per organisation."),
            columns=[
                Column("label", _("Organisation"), LABEL),
                Column("kind", _("Type"), LABEL),
                Column("n", _("Registrations"), YOUTHS, additive=True),
            ],
            rows=[
                {
                    "label": r["referrer_organisation__name"],
                    "kind": str(kinds.get(r["referrer_organisation__kind"], r["referrer_organisation__kind"])),
                    "n": r["n"],
                }
                for r in found
            ],
            chart=Chart("bars", ("n",)),
        )
    return out


def funnel(ctx: Ctx) -> dict[Any, Table]:
    transitions = CaseTransition.objects.with_scopes_disabled().filter(case=OuterRef("pk"))
    rows = _by_chain(
        ctx.cases()
        .filter(_registered(ctx))
        .annotate(
            reached_intake=Exists(transitions.filter(to_status=S.INTAKE)),
            reached_ot=Exists(transitions.filter(to_status=S.AWAITING_OT)),
            reached_inclusion=Exists(transitions.filter(to_status=S.INCLUDED)),
        )
        .values("chain_id")
        .annotate(
            registered=Count("pk"),
            intake=Count("pk", filter=Q(reached_intake=True)),
            ot=Count("pk", filter=Q(reached_ot=True)),
            included=Count("pk", filter=Q(reached_inclusion=True)),
            started=Count("pk", filter=Q(first_conversation_on__isnull=False)),
        )
    )
    consult_data = _consult_counts(ctx)
    out = {}
    for chain in ctx.chains:
        row = rows.get(chain.pk, {})
        per = consult_data.get(chain.pk, {})
        registered = row.get("registered", 0)
        steps = [
            (_("Consults"), sum(r["n"] for r in per.values())),
            (_("… of which fitting the chain"), per.get(ConsultOutcome.FITS, {}).get("n", 0)),
            (_("Registrations"), registered),
            (_("Intake started"), row.get("intake", 0)),
            (_("Put to the OT"), row.get("ot", 0)),
            (_("Included by the OT"), row.get("included", 0)),
            (_("Trajectory started"), row.get("started", 0)),
        ]
        table_rows = []
        for i, (label, n) in enumerate(steps):
            table_rows.append({"label": label, "n": n, "share": _share(n, registered) if i >= 2 else None})
        out[chain.pk] = Table(
            name="funnel",
            section=REACH,
            title=_("From consult to trajectory"),
            description=_(
                "Consults recorded in the period, and how far the cases registered in the period have come so far."
            ),
            columns=[
                Column("label", _("Step"), LABEL),
                Column("n", _("Youths"), YOUTHS),
                Column("share", _("Share of the registrations"), PERCENT, base="n"),
            ],
            rows=table_rows,
            chart=Chart("bars", ("n",)),
        )
    return out


def not_included(ctx: Ctx) -> dict[Any, Table]:
    transitions = _grouped(
        CaseTransition.objects.with_scope(chain=ctx.ids)
        .filter(_moment_in(ctx, "occurred_at"))
        .filter(Q(to_status=S.WITHDRAWN) | Q(to_status=S.NOT_INCLUDED, from_status__in=[S.REGISTERED, S.INTAKE]))
        .order_by()
        .values("case__chain_id", "to_status")
        .annotate(
            n=Count("case", distinct=True),
            advice=Count("case", distinct=True, filter=~Q(case__not_included_advice="")),
            recontact=Count("case", distinct=True, filter=Q(case__recontact_on__isnull=False)),
        ),
        "case__chain_id",
    )
    consult_data = _consult_counts(ctx)
    decisions = _ot_decisions(ctx)
    out = {}
    for chain in ctx.chains:
        by_status = {r["to_status"]: r for r in transitions.get(chain.pk, [])}
        consult = consult_data.get(chain.pk, {}).get(ConsultOutcome.DOES_NOT_FIT, {})
        ot = decisions.get(chain.pk, {}).get(OTDecision.NOT_INCLUDE, {})
        direct = by_status.get(S.NOT_INCLUDED, {})
        withdrawn = by_status.get(S.WITHDRAWN, {})
        rows = [
            {
                "label": _("Consult: does not fit the chain"),
                "n": consult.get("n", 0),
                "advice": consult.get("advice", 0),
                "recontact": None,
            },
            {
                "label": _("Not included before the OT"),
                "n": direct.get("n", 0),
                "advice": direct.get("advice", 0),
                "recontact": direct.get("recontact", 0),
            },
            {
                "label": _("Not included by the OT"),
                "n": ot.get("n", 0),
                "advice": ot.get("advice", 0),
                "recontact": ot.get("recontact", 0),
            },
            {
                "label": _("The youth declined or withdrew"),
                "n": withdrawn.get("n", 0),
                "advice": None,
                "recontact": None,
            },
        ]
        out[chain.pk] = Table(
            name="not_included",
            section=REACH,
            title=_("Not included, and the advice given"),
            description=_(
                "Youths who did not start a trajectory, by the reason, in the period; and how many referrers got "
                "advice or a date to get in touch again. The advice itself is free text and stays in the case."
            ),
            columns=[
                Column("label", _("Reason"), LABEL),
                Column("n", _("Youths"), YOUTHS),
                Column("advice", _("With advice to the referrer"), COUNT, base="n"),
                Column("recontact", _("With a date to get in touch again"), COUNT, base="n"),
            ],
            rows=rows,
            chart=Chart("bars", ("n", "advice")),
        )
    return out


def ot_decisions(ctx: Ctx) -> dict[Any, Table]:
    return _category_tables(
        ctx,
        _numbers(_ot_decisions(ctx)),
        _choices(OTDecision),
        name="ot_decisions",
        section=REACH,
        title=_("Decisions of the operational team"),
        description=_("Decisions taken on OT meetings in the period, by kind."),
        label=_("Decision"),
        unit=_("Cases"),
    )


def ot_meetings_held(ctx: Ctx) -> dict[Any, int]:
    def run():
        rows = (
            OTMeeting.objects.with_scope(chain=ctx.ids)
            .filter(_moment_in(ctx, "starts_at"), status=OTMeetingStatus.HELD)
            .order_by()
            .values("chain_id")
            .annotate(n=Count("pk"))
        )
        return {r["chain_id"]: r["n"] for r in rows}

    return ctx.once("ot_meetings", run)


# --- Cases over time ----------------------------------------------------------------------------------


def status_over_time(ctx: Ctx) -> dict[Any, Table]:
    flows = _flows(ctx)
    out = {}
    for chain in ctx.chains:
        f = flows.get(chain.pk, {})

        def upto(kind: str, month_end: date, f=f) -> int:
            return _cumulative(f.get(kind, {}), month_end)

        rows = []
        for first, last in ctx.period.months():
            day = min(last, ctx.reference)
            if day < first:
                break
            preparing = (
                upto("registered", day)
                + upto("reopened", day)
                - upto("included", day)
                - upto("not_included_ot", day)
                - upto("not_included_direct", day)
                - upto("withdrawn_preparing", day)
            )
            included = (
                upto("included", day)
                - upto("started", day)
                - upto("closed_from_included", day)
                - upto("withdrawn_included", day)
            )
            active = upto("started", day) - upto("closed_from_active", day)
            rows.append(
                {
                    "label": month_label(first, short=True),
                    "month": first.replace(day=1),
                    "preparing": max(preparing, 0),
                    "included": max(included, 0),
                    "active": max(active, 0),
                }
            )
        out[chain.pk] = Table(
            name="status_over_time",
            section=OVER_TIME,
            title=_("Cases by status at the end of each month"),
            description=_(
                "Open cases at the end of each month (or today, for the running month): between registration "
                "and the OT's decision, included but not started yet, and in an active trajectory."
            ),
            columns=[
                Column("label", _("Month"), LABEL),
                Column("preparing", _("Registration to OT decision"), YOUTHS),
                Column("included", _("Included, not started"), YOUTHS),
                Column("active", _("Active trajectory"), YOUTHS),
            ],
            rows=rows,
            chart=Chart("stacked", ("preparing", "included", "active")),
        )
    return out


def cases_per_month(ctx: Ctx) -> dict[Any, Table]:
    flows = _flows(ctx)
    out = {}
    for chain in ctx.chains:
        f = flows.get(chain.pk, {})
        rows = []
        for first, last in ctx.period.months():
            if first > ctx.reference:
                break
            month = first.replace(day=1)
            in_trajectory = _cumulative(f.get("started", {}), last) - _cumulative(
                f.get("closed_from_active", {}), month - timedelta(days=1)
            )
            rows.append(
                {
                    "label": month_label(first, short=True),
                    "month": month,
                    "new": f.get("registered", {}).get(month, 0),
                    "active": max(in_trajectory, 0),
                    "closed": f.get("closed", {}).get(month, 0),
                }
            )
        out[chain.pk] = Table(
            name="cases_per_month",
            section=OVER_TIME,
            title=_("New, active and closed cases per month"),
            description=_(
                "Per month: cases registered, cases in an active trajectory at some time in the month, and cases "
                "closed."
            ),
            columns=[
                Column("label", _("Month"), LABEL),
                Column("new", _("New registrations"), YOUTHS, additive=True),
                Column("active", _("In trajectory"), YOUTHS),
                Column("closed", _("Closed"), YOUTHS, additive=True),
            ],
            rows=rows,
            chart=Chart("columns", ("new", "active", "closed")),
        )
    return out


def _duration_data(ctx: Ctx) -> dict[Any, dict]:
    def run():
        to_start = ExpressionWrapper(F("first_conversation_on") - F("registered_on"), output_field=DurationField())
        trajectory = ExpressionWrapper(F("closed_on") - F("first_conversation_on"), output_field=DurationField())
        whole = ExpressionWrapper(F("closed_on") - F("registered_on"), output_field=DurationField())
        started = Q(first_conversation_on__isnull=False)
        return _by_chain(
            ctx.cases()
            .filter(_closed(ctx))
            .annotate(trajectory=trajectory)
            .values("chain_id")
            .annotate(
                closed=Count("pk"),
                with_start=Count("pk", filter=started),
                to_start=Avg(to_start, filter=started),
                trajectory_mean=Avg(trajectory, filter=started),
                whole=Avg(whole),
                band_0=Count("pk", filter=started & Q(trajectory__lt=timedelta(days=91))),
                band_1=Count(
                    "pk", filter=started & Q(trajectory__gte=timedelta(days=91), trajectory__lt=timedelta(days=183))
                ),
                band_2=Count(
                    "pk", filter=started & Q(trajectory__gte=timedelta(days=183), trajectory__lt=timedelta(days=366))
                ),
                band_3=Count("pk", filter=started & Q(trajectory__gte=timedelta(days=366))),
            )
        )

    return ctx.once("duration", run)


def duration(ctx: Ctx) -> dict[Any, Table]:
    data = _duration_data(ctx)
    out = {}
    for chain in ctx.chains:
        row = data.get(chain.pk, {})
        rows = [
            {
                "label": _("From registration to the start of the trajectory"),
                "n": row.get("with_start", 0),
                "days": _days(row.get("to_start")),
            },
            {
                "label": _("From the start of the trajectory to closure"),
                "n": row.get("with_start", 0),
                "days": _days(row.get("trajectory_mean")),
            },
            {
                "label": _("From registration to closure"),
                "n": row.get("closed", 0),
                "days": _days(row.get("whole")),
            },
        ]
        out[chain.pk] = Table(
            name="duration",
            section=OVER_TIME,
            title=_("Duration of the trajectories"),
            description=_("Average number of days, for the cases closed in the period."),
            columns=[
                Column("label", _("Stretch"), LABEL),
                Column("n", _("Closed cases"), YOUTHS),
                Column("days", _("Average days"), DAYS, base="n"),
            ],
            rows=rows,
            chart=Chart("bars", ("days",)),
        )
    return out


def duration_bands(ctx: Ctx) -> dict[Any, Table]:
    data = _duration_data(ctx)
    labels = [_("Less than 3 months"), _("3 to 6 months"), _("6 to 12 months"), _("12 months or longer")]
    return _category_tables(
        ctx,
        {chain_id: {i: row.get(f"band_{i}", 0) for i in range(len(labels))} for chain_id, row in data.items()},
        list(enumerate(labels)),
        name="duration_bands",
        section=OVER_TIME,
        title=_("How long the trajectories lasted"),
        description=_("Cases closed in the period after an active trajectory, by the length of the trajectory."),
        label=_("Length"),
        unit=_("Closed cases"),
        with_codes=False,
    )


# --- The youths -----------------------------------------------------------------------------------------


def _age_counts(ctx: Ctx) -> dict[Any, dict[str, int]]:
    def run():
        rows = (
            ctx.cases()
            .filter(_registered(ctx))
            .annotate(age=_age_at(F("registered_on")))
            .annotate(band=_age_band_expression())
            .values("chain_id", "band")
            .annotate(n=Count("pk"))
        )
        out: dict[Any, dict[str, int]] = defaultdict(dict)
        for row in rows:
            out[row["chain_id"]][row["band"]] = row["n"]
        return out

    return ctx.once("ages", run)


def age_bands(ctx: Ctx) -> dict[Any, Table]:
    labels = _age_band_labels()
    return _category_tables(
        ctx,
        _age_counts(ctx),
        [(code, labels[code]) for code, _low, _high in AGE_BANDS],
        name="age_bands",
        section=YOUTH,
        title=_("Age at registration"),
        description=_("Youths registered in the period, by their age on the day of registration."),
        label=_("Age"),
        unit=_("Youths"),
    )


def gender(ctx: Ctx) -> dict[Any, Table]:
    return _category_tables(
        ctx,
        _registered_by(ctx, "genders", "youth__gender"),
        _choices(Gender),
        name="gender",
        section=YOUTH,
        title=_("Gender"),
        description=_("Youths registered in the period, by gender."),
        label=_("Gender"),
        unit=_("Youths"),
    )


def framework(ctx: Ctx) -> dict[Any, Table]:
    return _category_tables(
        ctx,
        _registered_by(ctx, "frameworks", "framework"),
        _choices(Framework),
        name="framework",
        section=YOUTH,
        title=_("Voluntary or imposed"),
        description=_("Youths registered in the period, by the framework of the trajectory."),
        label=_("Framework"),
        unit=_("Youths"),
    )


def minors(ctx: Ctx) -> dict[Any, Table]:
    ages = _age_counts(ctx)
    end_day = Coalesce(F("closed_on"), Value(ctx.reference, output_field=DateField()), output_field=DateField())
    turned = _by_chain(
        ctx.cases()
        .filter(_in_trajectory(ctx))
        .annotate(age_then=_age_at(F("registered_on")), age_now=_age_at(end_day))
        .values("chain_id")
        .annotate(
            in_trajectory=Count("pk"),
            turned=Count("pk", filter=Q(age_then__lt=18, age_now__gte=18)),
        )
    )
    minor_bands = {"under_12", "12_13", "14_15", "16_17"}
    out = {}
    for chain in ctx.chains:
        per = ages.get(chain.pk, {})
        row = turned.get(chain.pk, {})
        out[chain.pk] = Table(
            name="minors",
            section=YOUTH,
            title=_("Minors and adults"),
            description=_(
                "Youths registered in the period, minor or adult on the day of registration; and of the youths in a "
                "trajectory in the period, those who turned 18 during it (their consent must be renewed)."
            ),
            columns=[Column("label", _("Group"), LABEL), Column("n", _("Youths"), YOUTHS)],
            rows=[
                {"label": _("Minor at registration"), "n": sum(n for b, n in per.items() if b in minor_bands)},
                {"label": _("Adult at registration"), "n": sum(n for b, n in per.items() if b not in minor_bands)},
                {"label": _("Turned 18 during the trajectory"), "n": row.get("turned", 0)},
            ],
            chart=Chart("bars", ("n",)),
        )
    return out


# --- Offences ---------------------------------------------------------------------------------------------


def offences(ctx: Ctx) -> dict[Any, Table]:
    rows = _grouped(
        Offence.objects.with_scope(chain=ctx.ids)
        .filter(_registered(ctx, "case__"))
        .order_by()
        .values("case__chain_id", "offence_type")
        .annotate(n=Count("case", distinct=True), offences=Count("pk")),
        "case__chain_id",
    )
    out = {}
    for chain in ctx.chains:
        found = {r["offence_type"]: r for r in rows.get(chain.pk, [])}
        order = [code for code, _label in chain.offence_type_choices]
        labels = dict(chain.offence_type_choices)
        codes = order + sorted(c for c in found if c not in labels)
        out[chain.pk] = Table(
            name="offences",
            section=OFFENCES,
            title=_("Offences by type"),
            description=_(
                "Youths registered in the period with at least one offence of the type (a youth may count "
                "under several types), and the number of offences."
            ),
            columns=[
                Column("label", _("Type of offence"), LABEL),
                Column("n", _("Youths"), YOUTHS),
                Column("offences", _("Offences"), COUNT, base="n"),
            ],
            rows=[
                {
                    "label": labels.get(code, code),
                    "code": code,
                    "n": found.get(code, {}).get("n", 0),
                    "offences": found.get(code, {}).get("offences", 0),
                }
                for code in codes
            ],
            chart=Chart("bars", ("n",)),
        )
    return out


def group_offences(ctx: Ctx) -> dict[Any, Table]:
    cases = _by_chain(
        ctx.cases()
        .filter(_registered(ctx))
        .annotate(
            in_group=Exists(
                Offence.objects.with_scopes_disabled().filter(case=OuterRef("pk"), in_group=True),
            ),
            in_recorded_group=Exists(OffenceGroupMember.objects.with_scopes_disabled().filter(case=OuterRef("pk"))),
        )
        .values("chain_id")
        .annotate(
            n=Count("pk"),
            group=Count("pk", filter=Q(in_group=True)),
            recorded=Count("pk", filter=Q(in_recorded_group=True)),
        )
    )
    groups = {
        r["group__chain_id"]: r["n"]
        for r in OffenceGroupMember.objects.with_scope(chain=ctx.ids)
        .filter(_registered(ctx, "case__"))
        .order_by()
        .values("group__chain_id")
        .annotate(n=Count("group", distinct=True))
    }
    out = {}
    for chain in ctx.chains:
        row = cases.get(chain.pk, {})
        registered = row.get("n", 0)
        out[chain.pk] = Table(
            name="group_offences",
            section=OFFENCES,
            title=_("Group offences"),
            description=_(
                "Of the youths registered in the period: those with an offence committed in a group, those linked to "
                "a recorded group of offenders, and the number of such groups."
            ),
            columns=[
                Column("label", _("Measure"), LABEL),
                Column("n", _("Number"), YOUTHS),
                Column("share", _("Share of the registrations"), PERCENT, base="n"),
            ],
            rows=[
                {"label": _("Registered youths"), "n": registered, "share": None},
                {
                    "label": _("With an offence committed in a group"),
                    "n": row.get("group", 0),
                    "share": _share(row.get("group", 0), registered),
                },
                {
                    "label": _("Linked to a recorded offence group"),
                    "n": row.get("recorded", 0),
                    "share": _share(row.get("recorded", 0), registered),
                },
                {"label": _("Recorded offence groups involved"), "n": groups.get(chain.pk, 0), "share": None},
            ],
            chart=Chart("bars", ("n",)),
        )
    return out


# --- Network ------------------------------------------------------------------------------------------------


def _in_trajectory_counts(ctx: Ctx) -> dict[Any, int]:
    def run():
        return {
            r["chain_id"]: r["n"]
            for r in ctx.cases().filter(_in_trajectory(ctx)).values("chain_id").annotate(n=Count("pk"))
        }

    return ctx.once("in_trajectory", run)


def network(ctx: Ctx) -> dict[Any, Table]:
    formal, informal = Q(kind=MemberKind.FORMAL), Q(kind=MemberKind.INFORMAL)
    with_org = Q(organisation__isnull=False)
    pair = Concat(
        Cast("case_id", CharField()), Value(":"), Cast("organisation_id", CharField()), output_field=CharField()
    )
    members = _by_chain(
        NetworkMember.objects.with_scope(chain=ctx.ids)
        .filter(_in_trajectory(ctx, "case__"))
        .order_by()
        .values("case__chain_id")
        .annotate(
            formal=Count("pk", filter=formal),
            formal_cases=Count("case", distinct=True, filter=formal),
            informal=Count("pk", filter=informal),
            informal_cases=Count("case", distinct=True, filter=informal),
            organisations=Count(pair, distinct=True, filter=with_org),
            organisations_cases=Count("case", distinct=True, filter=with_org),
            support=Count("pk", filter=Q(is_support_figure=True)),
            support_cases=Count("case", distinct=True, filter=Q(is_support_figure=True)),
        ),
        "case__chain_id",
    )
    in_trajectory = _in_trajectory_counts(ctx)
    measures = [
        ("formal", _("Formal network members (professionals)")),
        ("informal", _("Informal network members (family, friends, ...)")),
        ("organisations", _("Organisations in the network")),
        ("support", _("Support figures")),
    ]
    out = {}
    for chain in ctx.chains:
        row = members.get(chain.pk, {})
        n = in_trajectory.get(chain.pk, 0)
        rows = []
        for key, label in measures:
            total = row.get(key, 0)
            rows.append(
                {
                    "label": label,
                    "cases": n,
                    "total": total,
                    "mean": _ratio(total, n),
                    "none": max(n - row.get(f"{key}_cases", 0), 0),
                }
            )
        out[chain.pk] = Table(
            name="network",
            section=NETWORK,
            title=_("Network members per case"),
            description=_(
                "For the cases in a trajectory in the period: the people and organisations in the network, in total "
                "and on average per case, and how many cases have none."
            ),
            columns=[
                Column("label", _("Measure"), LABEL),
                Column("cases", _("Cases"), YOUTHS),
                Column("total", _("In total"), COUNT, base="cases"),
                Column("mean", _("Average per case"), MEAN, base="cases"),
                Column("none", _("Cases with none"), YOUTHS),
            ],
            rows=rows,
            chart=Chart("bars", ("mean",)),
        )
    return out


def support_at_closure(ctx: Ctx) -> dict[Any, Table]:
    closed_on = OuterRef("closed_on")
    support = NetworkMember.objects.with_scopes_disabled().filter(
        Q(since__isnull=True) | Q(since__lte=closed_on),
        Q(until__isnull=True) | Q(until__gte=closed_on),
        case=OuterRef("pk"),
        is_support_figure=True,
    )
    rows = _by_chain(
        ctx.cases()
        .filter(_closed(ctx))
        .annotate(has_support=Exists(support))
        .values("chain_id")
        .annotate(n=Count("pk"), with_support=Count("pk", filter=Q(has_support=True)))
    )
    out = {}
    for chain in ctx.chains:
        row = rows.get(chain.pk, {})
        n, yes = row.get("n", 0), row.get("with_support", 0)
        out[chain.pk] = Table(
            name="support_at_closure",
            section=NETWORK,
            title=_("Support figures at closure"),
            description=_(
                "Cases closed in the period, by whether a support figure was still in the network on the day of closure."
            ),
            columns=[
                Column("label", _("At closure"), LABEL),
                Column("n", _("Closed cases"), YOUTHS, additive=True),
                Column("share", _("Share"), PERCENT, base="n"),
            ],
            rows=[
                {"label": _("With a support figure"), "n": yes, "share": _share(yes, n)},
                {"label": _("Without a support figure"), "n": n - yes, "share": _share(n - yes, n)},
            ],
            chart=Chart("bars", ("n",)),
        )
    return out


# --- Follow-up ---------------------------------------------------------------------------------------------------


def follow_up(ctx: Ctx) -> dict[Any, Table]:
    youth = Q(with_whom=ContactWith.YOUTH)
    # Counted per case and month first, then per month: the cases with a contact are the inner
    # rows, so no COUNT(DISTINCT) sorts a year of contacts. Every column counted is in the index on
    # (case, moment, with whom, reached), so the contacts themselves are not read.
    per_case = (
        FollowUpContact.objects.with_scope(chain=ctx.ids)
        .filter(_moment_in(ctx, "contact_at"))
        .order_by()
        .values("case__chain_id", "case_id", m=_month_of_moment("contact_at"))
        .annotate(
            n=Count("case"),
            tries=Count("case", filter=youth),
            reached=Count("case", filter=youth & Q(reached=True)),
        )
    )
    contacts = _grouped(
        _regrouped(
            per_case,
            ["case__chain_id", "m"],
            counts={"n": "SUM({n})", "cases": "COUNT(*)", "tries": "SUM({tries})", "reached": "SUM({reached})"},
            chain_key="case__chain_id",
        ),
        "case__chain_id",
    )
    per_month = cases_per_month(ctx)
    out = {}
    for chain in ctx.chains:
        by_month = {_month(r["m"]): r for r in contacts.get(chain.pk, [])}
        rows = []
        for month_row in per_month[chain.pk].rows:
            r = by_month.get(month_row["month"], {})
            active = month_row["active"]
            rows.append(
                {
                    "label": month_row["label"],
                    "active": active,
                    "cases": r.get("cases", 0),
                    "contacts": r.get("n", 0),
                    "per_case": _ratio(r.get("n", 0), active),
                    "reached": _share(r.get("reached"), r.get("tries")),
                }
            )
        out[chain.pk] = Table(
            name="follow_up",
            section=FOLLOW_UP,
            title=_("Follow-up contacts per month"),
            description=_(
                "Per month: cases in trajectory, cases with at least one contact, the contacts logged (with the youth, "
                "the trusted person, a parent or the network), contacts per case in trajectory, and the share of the "
                "tries to reach the youth that did."
            ),
            columns=[
                Column("label", _("Month"), LABEL),
                Column("active", _("In trajectory"), YOUTHS),
                Column("cases", _("Cases with a contact"), YOUTHS),
                Column("contacts", _("Contacts"), COUNT, base="cases"),
                Column("per_case", _("Contacts per case"), MEAN, base="active"),
                Column("reached", _("Youth reached"), PERCENT, base="cases"),
            ],
            rows=rows,
            chart=Chart("columns", ("per_case",)),
        )
    return out


def out_of_view(ctx: Ctx) -> dict[Any, Table]:
    day = ctx.reference
    after = start_of_day(day + timedelta(days=1))
    reached = Q(contacts__with_whom=ContactWith.YOUTH, contacts__reached=True, contacts__contact_at__lt=after)
    active = Q(first_conversation_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    bands = [(0, 8), (8, 15), (15, 22), (22, 43), (43, None)]

    def since(days: int) -> datetime:
        return start_of_day(day - timedelta(days=days - 1))

    # ``last`` is an aggregate (the latest reached contact per case), so Django counts the bands over
    # it in an outer query: one pass, whatever the number of cases.
    aggregates: dict[str, Any] = {}
    for i, chain in enumerate(ctx.chains):
        mine = Q(chain_id=chain.pk)
        aggregates[f"c{i}_n"] = Count("pk", filter=mine)
        aggregates[f"c{i}_never"] = Count("pk", filter=mine & Q(last__isnull=True))
        aggregates[f"c{i}_beyond"] = Count("pk", filter=mine & Q(last__lt=since(chain.out_of_view_days + 1)))
        for b, (low, high) in enumerate(bands):
            # reached [low, high) days ago: the last reached contact lies on day-(high-1) .. day-low
            q = mine & Q(last__isnull=False)
            if low:
                q &= Q(last__lt=since(low))
            if high is not None:
                q &= Q(last__gte=since(high))
            aggregates[f"c{i}_band_{b}"] = Count("pk", filter=q)
    found = (
        ctx.cases().filter(active).annotate(last=Max("contacts__contact_at", filter=reached)).aggregate(**aggregates)
    )
    rows = {
        chain.pk: {key.split("_", 1)[1]: value for key, value in found.items() if key.startswith(f"c{i}_")}
        for i, chain in enumerate(ctx.chains)
    }
    labels = [
        _("Reached in the last 7 days"),
        _("8 to 14 days ago"),
        _("15 to 21 days ago"),
        _("22 to 42 days ago"),
        _("43 days ago or longer"),
    ]
    out = {}
    for chain in ctx.chains:
        row = rows.get(chain.pk, {})
        table_rows = [{"label": label, "n": row.get(f"band_{i}", 0)} for i, label in enumerate(labels)]
        table_rows.append({"label": _("Not reached yet"), "n": row.get("never", 0)})
        out[chain.pk] = Table(
            name="out_of_view",
            section=FOLLOW_UP,
            title=_("Days out of view"),
            description=_("Active cases on the last day of the period (or today), by when the youth was last reached."),
            columns=[Column("label", _("Last reached"), LABEL), Column("n", _("Active cases"), YOUTHS)],
            rows=[
                *table_rows,
                {
                    "label": _("Out of view for longer than the chain's %(days)d days")
                    % {"days": chain.out_of_view_days},
                    "n": row.get("beyond", 0),
                },
            ],
            chart=Chart("bars", ("n",)),
        )
    return out


# --- Plans and progress --------------------------------------------------------------------------------------


def plans(ctx: Ctx) -> dict[Any, Table]:
    done = Q(goals__actions__status=ActionStatus.DONE)
    rows = _grouped(
        PlanDomain.objects.with_scope(chain=ctx.ids)
        .filter(_in_trajectory(ctx, "plan__case__"))
        .order_by()
        .values("plan__case__chain_id", "domain")
        .annotate(
            cases=Count("plan", distinct=True),
            n_goals=Count("goals", distinct=True),
            n_actions=Count("goals__actions", distinct=True),
            n_done=Count("goals__actions", distinct=True, filter=done),
        ),
        "plan__case__chain_id",
    )
    out = {}
    for chain in ctx.chains:
        found = {r["domain"]: r for r in rows.get(chain.pk, [])}
        codes = [c for c, _label in chain.life_domain_choices] + sorted(
            c for c in found if c not in dict(chain.life_domain_choices)
        )
        table_rows = []
        for code in codes:
            r = found.get(code, {})
            table_rows.append(
                {
                    "label": chain.life_domain_label(code),
                    "code": code,
                    "cases": r.get("cases", 0),
                    "goals": r.get("n_goals", 0),
                    "actions": r.get("n_actions", 0),
                    "done": r.get("n_done", 0),
                    "share_done": _share(r.get("n_done"), r.get("n_actions")),
                }
            )
        out[chain.pk] = Table(
            name="plans",
            section=PLANS,
            title=_("Goals and actions per life domain"),
            description=_(
                "In the plans of the cases in a trajectory in the period: per life domain, the cases working on it, "
                "their goals and actions, and the share of the actions done."
            ),
            columns=[
                Column("label", _("Life domain"), LABEL),
                Column("cases", _("Cases"), YOUTHS),
                Column("goals", _("Goals"), COUNT, base="cases"),
                Column("actions", _("Actions"), COUNT, base="cases"),
                Column("done", _("Actions done"), COUNT, base="cases"),
                Column("share_done", _("Share done"), PERCENT, base="cases"),
            ],
            rows=table_rows,
            chart=Chart("bars", ("goals", "actions", "done")),
        )
    return out


def progress(ctx: Ctx) -> dict[Any, Table]:
    # Per case and life domain, the scores of the held meetings in order: the last row of each
    # (counted from the end) carries the first score along, and only cases and domains scored twice
    # or more count. One pass over the scores with window functions, then averaged per domain.
    per_case = [F("case_id"), F("domain")]
    in_order = [F("meeting__starts_at").asc(), F("meeting_id").asc()]
    last_first = [F("meeting__starts_at").desc(), F("meeting_id").desc()]
    last_scores = (
        DomainProgress.objects.with_scope(chain=ctx.ids)
        .filter(
            _in_trajectory(ctx, "case__"), meeting__status=MeetingStatus.HELD, meeting__starts_at__lt=ctx.period.after
        )
        .order_by()
        .annotate(
            first_score=Window(FirstValue("score"), partition_by=per_case, order_by=in_order),
            nth=Window(RowNumber(), partition_by=per_case, order_by=in_order),
            from_end=Window(RowNumber(), partition_by=per_case, order_by=last_first),
        )
        .filter(from_end=1, nth__gte=2)
        .values("case__chain_id", "domain", "score", "first_score")
    )
    rows = _grouped(
        _regrouped(
            last_scores,
            ["case__chain_id", "domain"],
            counts={
                "pairs": "COUNT(*)",
                "better": "SUM(CASE WHEN {score} > {first_score} THEN 1 ELSE 0 END)",
                "worse": "SUM(CASE WHEN {score} < {first_score} THEN 1 ELSE 0 END)",
            },
            means={"first": "AVG({first_score})", "last": "AVG({score})"},
            chain_key="case__chain_id",
        ),
        "case__chain_id",
    )
    out = {}
    for chain in ctx.chains:
        found = {r["domain"]: r for r in rows.get(chain.pk, [])}
        codes = [c for c, _label in chain.life_domain_choices] + sorted(
            c for c in found if c not in dict(chain.life_domain_choices)
        )
        table_rows = []
        for code in codes:
            r = found.get(code, {})
            pairs, better, worse = r.get("pairs", 0), r.get("better", 0), r.get("worse", 0)
            table_rows.append(
                {
                    "label": chain.life_domain_label(code),
                    "code": code,
                    "cases": pairs,
                    "first": r.get("first"),
                    "last": r.get("last"),
                    "better": better,
                    "same": max(pairs - better - worse, 0),
                    "worse": worse,
                }
            )
        out[chain.pk] = Table(
            name="progress",
            section=PLANS,
            title=_("Progress per life domain"),
            description=_(
                "For the cases in a trajectory in the period that were scored at two network meetings or more: the "
                "average progress score (1 to 5) per life domain at the first and at the last evaluation, and how "
                "many cases went up, stayed level or went down."
            ),
            columns=[
                Column("label", _("Life domain"), LABEL),
                Column("cases", _("Cases"), YOUTHS),
                Column("first", _("First evaluation"), SCORE, base="cases"),
                Column("last", _("Last evaluation"), SCORE, base="cases"),
                Column("better", _("Went up"), YOUTHS),
                Column("same", _("Stayed level"), YOUTHS),
                Column("worse", _("Went down"), YOUTHS),
            ],
            rows=table_rows,
            chart=Chart("bars", ("first", "last"), scale_max=5),
        )
    return out


# --- Closure ---------------------------------------------------------------------------------------------------


def closures(ctx: Ctx) -> dict[Any, Table]:
    return _category_tables(
        ctx,
        _cases_by(ctx, "closures", _closed(ctx), "closure_reason"),
        _choices(ClosureReason),
        name="closures",
        section=CLOSURE,
        title=_("Closures by reason"),
        description=_("Cases closed in the period, by the reason for closure."),
        label=_("Reason"),
        unit=_("Closed cases"),
    )


def reregistration(ctx: Ctx) -> dict[Any, Table]:
    year_after = Cast(OuterRef("closed_on") + timedelta(days=365), output_field=DateField())
    again = (
        Case.objects.with_scopes_disabled()
        .filter(youth=OuterRef("youth"), registered_on__gte=OuterRef("closed_on"), registered_on__lte=year_after)
        .exclude(pk=OuterRef("pk"))
    )
    complete = Q(closed_on__lte=ctx.reference - timedelta(days=365))
    rows = _by_chain(
        ctx.cases()
        .filter(_closed(ctx))
        .annotate(again=Exists(again))
        .values("chain_id")
        .annotate(
            n=Count("pk"),
            again_n=Count("pk", filter=Q(again=True)),
            complete_n=Count("pk", filter=complete),
            complete_again=Count("pk", filter=complete & Q(again=True)),
        )
    )
    out = {}
    for chain in ctx.chains:
        row = rows.get(chain.pk, {})
        n, complete_n = row.get("n", 0), row.get("complete_n", 0)
        out[chain.pk] = Table(
            name="reregistration",
            section=CLOSURE,
            title=_("Registered again within 12 months"),
            description=_(
                "Of the cases closed in the period: how many youths were registered again in the chain within 12 "
                "months after closure — a rough indication of new offences. For closures less than 12 months ago "
                "the year is not over yet, so the last two rows count only the complete years."
            ),
            columns=[
                Column("label", _("Measure"), LABEL),
                Column("n", _("Youths"), YOUTHS),
                Column("share", _("Share"), PERCENT, base="n"),
            ],
            rows=[
                {"label": _("Closed in the period"), "n": n, "share": None},
                {
                    "label": _("Registered again within 12 months"),
                    "n": row.get("again_n", 0),
                    "share": _share(row.get("again_n", 0), n),
                },
                {"label": _("Closed at least 12 months ago"), "n": complete_n, "share": None},
                {
                    "label": _("… of which registered again within 12 months"),
                    "n": row.get("complete_again", 0),
                    "share": _share(row.get("complete_again", 0), complete_n),
                },
            ],
            chart=Chart("bars", ("n",)),
        )
    return out


# --- The registry -----------------------------------------------------------------------------------------------

FIGURES: dict[str, Callable[[Ctx], dict[Any, Table]]] = {
    "consults": consults,
    "referrers": referrers,
    "referrer_organisations": referrer_organisations,
    "funnel": funnel,
    "not_included": not_included,
    "ot_decisions": ot_decisions,
    "status_over_time": status_over_time,
    "cases_per_month": cases_per_month,
    "duration": duration,
    "duration_bands": duration_bands,
    "age_bands": age_bands,
    "gender": gender,
    "framework": framework,
    "minors": minors,
    "offences": offences,
    "group_offences": group_offences,
    "network": network,
    "support_at_closure": support_at_closure,
    "follow_up": follow_up,
    "out_of_view": out_of_view,
    "plans": plans,
    "progress": progress,
    "closures": closures,
    "reregistration": reregistration,
}
NAMES = tuple(FIGURES)


@dataclass
class Headline:
    key: str
    label: str
    value: int


@dataclass
class Report:
    chain: Chain
    period: Period
    tables: dict[str, Table]
    headline: list[Headline]

    @property
    def is_empty(self) -> bool:
        return all(h.value == 0 for h in self.headline)


def _headline(ctx: Ctx, tables: dict[Any, dict[str, Table]]) -> dict[Any, list[Headline]]:
    meetings = ot_meetings_held(ctx)
    decisions = _ot_decisions(ctx)
    in_trajectory = _in_trajectory_counts(ctx)
    out = {}
    for chain in ctx.chains:
        t = tables[chain.pk]
        out[chain.pk] = [
            Headline("consults", _("Consults"), sum(r["n"] for r in t["consults"].rows)),
            Headline("registrations", _("Registrations"), sum(r["n"] for r in t["referrers"].rows)),
            Headline(
                "included", _("Included by the OT"), decisions.get(chain.pk, {}).get(OTDecision.INCLUDE, {}).get("n", 0)
            ),
            Headline("in_trajectory", _("Cases in trajectory"), in_trajectory.get(chain.pk, 0)),
            Headline("closed", _("Closed"), sum(r["n"] for r in t["closures"].rows)),
            Headline("ot_meetings", _("OT meetings held"), meetings.get(chain.pk, 0)),
        ]
    return out


_HEADLINE = "headline"  # the cache entry of the headline figures, beside one per table


def compute(
    chains: Iterable[Chain],
    period: Period,
    names: Iterable[str] | None = None,
    *,
    headline: bool | None = None,
) -> dict[Any, Report]:
    """Every table (or those in ``names``) of the report of each chain for ``period``.

    The one entry point of every consumer (the page, the downloads, the PDF, the API, the Flemish
    overview). The headline figures come with the whole report, or when asked. Tables come from the
    cache when the chain has not been written to since they were computed (see ``_cache_prefix``),
    else ``compute_fresh`` counts them and they are kept for the next request. What is cached are
    the exact figures: every consumer still protects them (``tables.present``) as it always did.
    """
    chains = list(chains)
    wanted = list(names) if names is not None else list(NAMES)
    with_headline = names is None if headline is None else headline
    parts = [*wanted, _HEADLINE] if with_headline else wanted
    # The keys are taken before anything is counted: a write that commits while the figures are
    # computed moves the chain to a new token, so what is stored under the old one is never read.
    prefixes = {c.pk: _cache_prefix(c, period) for c in chains}
    found = cache.get_many([f"{prefixes[c.pk]}:{part}" for c in chains for part in parts])
    missing = {c.pk: [p for p in parts if f"{prefixes[c.pk]}:{p}" not in found] for c in chains}
    stale = [c for c in chains if missing[c.pk]]
    if stale:
        needed = list(dict.fromkeys(p for c in stale for p in missing[c.pk] if p != _HEADLINE))
        fresh = compute_fresh(stale, period, needed, headline=any(_HEADLINE in missing[c.pk] for c in stale))
        entries: dict[str, Any] = {}
        for chain in stale:
            report = fresh[chain.pk]
            for part in missing[chain.pk]:
                key = f"{prefixes[chain.pk]}:{part}"
                entries[key] = found[key] = report.headline if part == _HEADLINE else report.tables[part]
        cache.set_many(entries, timeout=chain_version.MAX_AGE_SECONDS)
    return {
        c.pk: Report(
            chain=c,
            period=period,
            tables={n: found[f"{prefixes[c.pk]}:{n}"] for n in wanted},
            headline=found[f"{prefixes[c.pk]}:{_HEADLINE}"] if with_headline else [],
        )
        for c in chains
    }


def _cache_prefix(chain: Chain, period: Period) -> str:
    """What a chain's cached tables for ``period`` depend on besides the case data.

    The chain's version token changes with every committed write in the chain (the audit log bumps
    it); the chain's own ``updated_at`` with its settings (life domains, offence types, days out of
    view), which the tables label and count with; the reference day with the date while the period
    runs; the language with the labels.
    """
    return chain_version.cache_key(
        "report",
        chain.pk,
        period.start.isoformat(),
        period.end.isoformat(),
        period.reference_day().isoformat(),
        translation.get_language() or "",
        chain.updated_at.isoformat() if chain.updated_at else "",
    )


def compute_fresh(
    chains: Iterable[Chain],
    period: Period,
    names: Iterable[str] | None = None,
    *,
    headline: bool | None = None,
) -> dict[Any, Report]:
    """As ``compute``, counted in the database now, without the cache.

    The queries do not depend on the amount of data, nor on the number of chains: each one groups
    by chain. Reads go to the reporting replica when one is configured.
    """
    chains = list(chains)
    wanted = list(names) if names is not None else list(NAMES)
    with_headline = names is None if headline is None else headline
    ctx = Ctx(chains=chains, period=period)
    with reading_from_replica(), planned_for_reports():
        per_chain: dict[Any, dict[str, Table]] = {c.pk: {} for c in chains}
        needed = [*wanted, "consults", "referrers", "closures"] if with_headline else wanted
        for name in dict.fromkeys(needed):
            for chain_id, table in FIGURES[name](ctx).items():
                per_chain[chain_id][name] = table
        headlines = _headline(ctx, per_chain) if with_headline else {c.pk: [] for c in chains}
    return {
        c.pk: Report(
            chain=c,
            period=period,
            tables={n: per_chain[c.pk][n] for n in wanted},
            headline=headlines[c.pk],
        )
        for c in chains
    }


@contextmanager
def planned_for_reports() -> Iterator[None]:
    """Run the report's queries (the figures, the pseudonymised trajectories) planned for what they are.

    Each reads a good part of a chain's data. Without the JIT: each query costs enough for PostgreSQL
    to compile it, and compiling took longer than the query then ran (at 100,000 cases it added
    seconds to a report and doubled the time of the trajectories export). With random reads priced
    as on solid-state storage (``KETENREGIE_REPORT_RANDOM_PAGE_COST``, 1.1): the default of 4 prices
    a disk's seeks, and made PostgreSQL scan the whole wide table of cases rather than read a chain's
    rows by index. With memory for their sorts (``KETENREGIE_REPORT_WORK_MEM``) instead of files.
    The settings are the session's, on the connection the report reads from, and are put back
    afterwards (a download broken off may leave them, which only changes how a later query is
    planned). Other databases have no such settings.
    """
    connection = connections[router.db_for_read(Case)]
    if connection.vendor != "postgresql":
        yield
        return
    values = {
        "jit": "off",
        "random_page_cost": f"{float(settings.KETENREGIE_REPORT_RANDOM_PAGE_COST):g}",
        "work_mem": f"'{settings.KETENREGIE_REPORT_WORK_MEM}'",  # checked by the settings: digits and a unit
    }
    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute(f"SET {name} = {value}")
    yield
    with connection.cursor() as cursor:
        for name in values:
            cursor.execute(f"RESET {name}")


def compute_one(
    chain: Chain, period: Period, names: Iterable[str] | None = None, *, headline: bool | None = None
) -> Report:
    return compute([chain], period, names, headline=headline)[chain.pk]
