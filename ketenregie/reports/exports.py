"""Exports: every report table as CSV or XLSX, and the pseudonymised trajectories for the Flemish level.

Everything here leaves the chain, so tables are always exported with the small-number protection.
The record-level export has one row per trajectory and holds no name, birth date, address, free
text or staff member: a youth is a pseudonym (an HMAC of the chain and the youth under a secret
key, stable across exports with the same key), an age in years, and the first two digits of the
postal code. Its column dictionary (``RECORD_COLUMNS``) says where each column comes from and
how it maps to the Flemish minimum guideline — "unknown" wherever that mapping is not known.

Responses stream: the CSV is written row by row while the database cursor reads, so a long
export starts downloading at once and never holds every row in memory.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ketenregie.cases.enums import OTDecision
from ketenregie.cases.models import Case, CaseTransition, Offence, OTAgendaItem
from ketenregie.chains.models import Chain
from ketenregie.common.db_router import reading_from_replica
from ketenregie.followup.enums import ContactWith
from ketenregie.followup.models import FollowUpContact
from ketenregie.network.enums import MemberKind
from ketenregie.network.models import NetworkMember, OffenceGroupMember
from ketenregie.plans.enums import ActionStatus
from ketenregie.plans.models import Action, Goal, PlanDomain
from ketenregie.reports.figures import _age_at, planned_for_reports
from ketenregie.reports.periods import Period
from ketenregie.reports.tables import Shown

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 1000
UNKNOWN = "unknown"


# --- Writing ----------------------------------------------------------------------------------------


class _Echo:
    """csv.writer writes into this and gets the line back, so each row can be yielded at once."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    """A value as both writers put it in a file: empty for None, and never a text a spreadsheet
    program would run as a formula (a leading quote makes it plain text)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def file_rows(rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
    """The rows of a table or of the trajectories as they go into a CSV or XLSX file, one at a time:
    the one row generator both writers read from."""
    for row in rows:
        yield [_cell(v) for v in row]


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # the byte order mark tells spreadsheet programs the file is UTF-8
    yield writer.writerow(header)
    for row in file_rows(rows):
        yield writer.writerow(row)


def _safe_sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31] or "Blad"


def xlsx_chunks(sheets: Iterable[tuple[str, list[str], Iterable[list[Any]]]]) -> Iterator[bytes]:
    """An XLSX workbook with one sheet per (title, header, rows), built while the response streams."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(_safe_sheet_title(title))
        head = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            head.append(cell)
        sheet.append(head)
        for row in file_rows(rows):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    for start in range(0, len(data), 64 * 1024):
        yield data[start : start + 64 * 1024]


def download(chunks: Iterable[Any], *, content_type: str, filename: str) -> StreamingHttpResponse:
    """A streamed download; the file name holds the chain's short name and dates only, no personal data."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def table_sheet(shown: Shown) -> tuple[str, list[str], list[list[Any]]]:
    """A shown (protected) table as (title, header, rows) for ``csv_lines`` or ``xlsx_chunks``."""
    return shown.title, [c.label for c in shown.columns], [[cell.export for cell in row] for row in shown.rows]


def table_csv(shown: Shown) -> Iterator[str]:
    _title, header, rows = table_sheet(shown)
    return csv_lines(header, rows)


# --- Pseudonyms ---------------------------------------------------------------------------------------


def _pseudonym_key() -> bytes:
    configured = getattr(settings, "KETENREGIE_PSEUDONYM_KEY", "") or ""
    if configured:
        return configured.encode()
    return hashlib.sha256(("report-pseudonym-key:" + settings.SECRET_KEY).encode()).digest()


def pseudonym(chain_id: Any, kind: str, object_id: Any) -> str:
    """Stable for the same chain, object and key; without the key it cannot be traced back or recomputed."""
    message = f"{chain_id}:{kind}:{object_id}".encode()
    return hmac.new(_pseudonym_key(), message, hashlib.sha256).hexdigest()[:20]


# --- The record-level export ----------------------------------------------------------------------------


class _Joined(Aggregate):
    """The distinct values of a column joined with commas, in no particular order."""

    function = "STRING_AGG"
    template = "%(function)s(%(distinct)s%(expressions)s, ',')"
    allow_distinct = True
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(distinct)s%(expressions)s)"
        )


def _joined(queryset, column: str) -> Subquery:
    return Subquery(
        queryset.order_by().values("case_ref").annotate(joined=_Joined(column, distinct=True)).values("joined")
    )


def _count(queryset) -> Coalesce:
    return Coalesce(
        Subquery(queryset.order_by().values("case_ref").annotate(n=Count("*")).values("n")),
        Value(0),
    )


@dataclass(frozen=True)
class RecordColumn:
    key: str
    type: str
    description: str
    source: str
    practice: str = ""  # what the FIX practice description (§4.2) keeps
    guideline: str = UNKNOWN  # the field of the Flemish minimum guideline (2024)


def record_columns() -> list[RecordColumn]:
    """The column dictionary of the record-level export."""
    yes_no = _("true or false")
    day = _("date (YYYY-MM-DD)")
    number = _("whole number")
    code = _("code")
    codes = _("codes separated by commas")
    practice_dossiers = _("number of dossiers (one row per trajectory)")
    return [
        RecordColumn(
            "trajectory",
            _("text (20 characters)"),
            _("Pseudonym of the trajectory: HMAC-SHA-256 of the chain and the case under the export key."),
            _("case"),
            practice_dossiers,
        ),
        RecordColumn(
            "youth",
            _("text (20 characters)"),
            _(
                "Pseudonym of the youth: the same for every trajectory of the same youth in the chain, as long as the "
                "export key stays the same."
            ),
            _("youth"),
        ),
        RecordColumn(
            "previous_trajectory",
            _("text (20 characters)"),
            _("Pseudonym of the youth's earlier trajectory this registration follows on, if any."),
            _("case: previous case"),
        ),
        RecordColumn("chain", code, _("Short name of the chain."), _("chain")),
        RecordColumn("status", code, _("Status of the case at the time of the export."), _("case: status")),
        RecordColumn("registered_on", day, _("Date of registration."), _("case: registration date")),
        RecordColumn(
            "age_at_registration",
            number,
            _("Age in whole years on the day of registration (the birth date itself is not exported)."),
            _("youth: birth date, case: registration date"),
            _("age of the youths"),
        ),
        RecordColumn("minor_at_registration", yes_no, _("Younger than 18 at registration."), _("as above")),
        RecordColumn(
            "turned_18_during_trajectory",
            yes_no,
            _("Minor at registration and 18 or older at closure (or on the day of the export)."),
            _("youth: birth date, case: dates"),
        ),
        RecordColumn("gender", code, _("f, m, x (other) or u (not known)."), _("youth: gender")),
        RecordColumn(
            "postal_area",
            _("text (2 digits)"),
            _("The first two digits of the youth's postal code (the area, not the municipality)."),
            _("youth: postal code"),
        ),
        RecordColumn(
            "in_region",
            yes_no,
            _("The postal code is one of the chain's region (else the youth has a strong link with it)."),
            _("youth: postal code, chain: postal codes"),
        ),
        RecordColumn(
            "referrer_kind",
            code,
            _("organisation, parent, youth or other."),
            _("case: referrer"),
            _("referrer"),
        ),
        RecordColumn(
            "referrer_organisation_type",
            code,
            _("Type of the referring organisation (police, youth_court, school, ...), empty when not an organisation."),
            _("case: referring organisation"),
            _("referrer"),
        ),
        RecordColumn("framework", code, _("voluntary or imposed (by the youth court)."), _("case: framework")),
        RecordColumn("offence_types", codes, _("The chain's codes of the offence types."), _("offences: type")),
        RecordColumn("offences", number, _("Number of offences recorded at registration."), _("offences")),
        RecordColumn(
            "group_offence",
            yes_no,
            _("An offence committed in a group, or linked to a recorded offence group."),
            _("offences, offence groups"),
        ),
        RecordColumn("consult_on", day, _("Date of the consult the registration came from."), _("consult: date")),
        RecordColumn("intake_on", day, _("Date of the intake conversation."), _("intake: date")),
        RecordColumn(
            "ot_decision", code, _("include or not_include: the OT's decision on the registration."), _("OT decision")
        ),
        RecordColumn("ot_decision_on", day, _("Date of the OT meeting that decided."), _("OT meeting: date")),
        RecordColumn(
            "not_included_on",
            day,
            _("Date the registration was not included without an OT decision."),
            _("case history"),
        ),
        RecordColumn("withdrawn_on", day, _("Date the youth declined or withdrew."), _("case history")),
        RecordColumn(
            "started_on", day, _("Date of the first conversation: the start of the trajectory."), _("case: start")
        ),
        RecordColumn("closed_on", day, _("Date of closure."), _("case: closing date")),
        RecordColumn(
            "closure_reason",
            code,
            _("goals_reached, stopped_by_youth, moved, out_of_age_range, framework_ended or other."),
            _("case: reason for closure"),
        ),
        RecordColumn(
            "formal_network_members",
            number,
            _("Professionals in the youth's network (at any time in the trajectory)."),
            _("network"),
            _("number of network partners"),
        ),
        RecordColumn(
            "informal_network_members", number, _("Family, friends and others in the youth's network."), _("network")
        ),
        RecordColumn(
            "network_organisations",
            number,
            _("Different organisations in the youth's network."),
            _("network"),
            _("number of network partners"),
        ),
        RecordColumn(
            "support_figures_at_closure",
            number,
            _("Support figures in the network on the day of closure (or of the export, while open)."),
            _("network"),
        ),
        RecordColumn("plan_domains", codes, _("The chain's codes of the life domains in the plan."), _("plan")),
        RecordColumn("goals", number, _("Goals in the plan."), _("plan")),
        RecordColumn("actions", number, _("Actions in the plan."), _("plan")),
        RecordColumn("actions_done", number, _("Actions done."), _("plan")),
        RecordColumn("contacts", number, _("Follow-up contacts logged."), _("follow-up")),
        RecordColumn(
            "youth_reached",
            number,
            _("Follow-up contacts in which the youth was reached."),
            _("follow-up"),
        ),
        RecordColumn(
            "registered_again_within_12_months",
            yes_no,
            _("The youth was registered again in the chain within 12 months after closure."),
            _("cases of the same youth"),
        ),
    ]


def dictionary_rows() -> tuple[list[str], list[list[str]]]:
    header = [
        _("Column"),
        _("Type"),
        _("Meaning"),
        _("Taken from"),
        _("Kept by the FIX practice (§4.2)"),
        _("Field of the Flemish minimum guideline (2024)"),
    ]
    rows = [[c.key, c.type, c.description, c.source, c.practice, c.guideline] for c in record_columns()]
    return header, rows


def _relevant(period: Period) -> Q:
    """Trajectories that touch the period: registered in it, or registered before it and not ended before it."""
    registered_in = Q(registered_on__gte=period.start, registered_on__lte=period.end)
    still_running = Q(registered_on__lt=period.start) & (
        Q(closed_on__gte=period.start) | Q(status__in=["registered", "intake", "awaiting_ot", "included", "active"])
    )
    return registered_in | still_running


def _record_queryset(chain: Chain, period: Period):
    reference = period.reference_day()
    ref = OuterRef("pk")
    closing_day = Coalesce(F("closed_on"), Value(reference, output_field=DateField()), output_field=DateField())
    offences = Offence.objects.with_scopes_disabled().filter(case=ref).annotate(case_ref=F("case"))
    members = NetworkMember.objects.with_scopes_disabled().filter(case=ref).annotate(case_ref=F("case"))
    support = members.filter(
        Q(since__isnull=True) | Q(since__lte=OuterRef("closing_day")),
        Q(until__isnull=True) | Q(until__gte=OuterRef("closing_day")),
        is_support_figure=True,
    )
    domains = PlanDomain.objects.with_scopes_disabled().filter(plan__case=ref).annotate(case_ref=F("plan__case"))
    goals = (
        Goal.objects.with_scopes_disabled()
        .filter(plan_domain__plan__case=ref)
        .annotate(case_ref=F("plan_domain__plan__case"))
    )
    actions = Action.objects.with_scopes_disabled().filter(case=ref).annotate(case_ref=F("case"))
    contacts = FollowUpContact.objects.with_scopes_disabled().filter(case=ref).annotate(case_ref=F("case"))
    decisions = (
        OTAgendaItem.objects.with_scopes_disabled()
        .filter(case=ref, decision__in=[OTDecision.INCLUDE, OTDecision.NOT_INCLUDE])
        .order_by("meeting__starts_at")
    )
    transitions = CaseTransition.objects.with_scopes_disabled().filter(case=ref).order_by("occurred_at")
    year_after = Cast(OuterRef("closed_on") + timedelta(days=365), output_field=DateField())
    again = (
        Case.objects.with_scopes_disabled()
        .filter(youth=OuterRef("youth"), registered_on__gte=OuterRef("closed_on"), registered_on__lte=year_after)
        .exclude(pk=OuterRef("pk"))
    )
    orgs = members.filter(organisation__isnull=False)
    return (
        Case.objects.with_scope(chain=chain.pk)
        .filter(chain=chain)
        .filter(_relevant(period))
        .annotate(closing_day=closing_day)
        .annotate(
            age_at_registration=_age_at(F("registered_on")),
            age_at_end=_age_at(F("closing_day")),
            youth_gender=F("youth__gender"),
            youth_postal_code=F("youth__postal_code"),
            referrer_organisation_type=F("referrer_organisation__kind"),
            offence_types=_joined(offences, "offence_type"),
            offence_count=_count(offences),
            in_group=Exists(offences.filter(in_group=True))
            | Exists(OffenceGroupMember.objects.with_scopes_disabled().filter(case=ref)),
            consult_on=F("consult__consulted_on"),
            intake_on=F("intake__intake_on"),
            ot_decision=Subquery(decisions.values("decision")[:1]),
            ot_decision_at=Subquery(decisions.values("meeting__starts_at")[:1]),
            not_included_at=Subquery(
                transitions.filter(to_status="not_included", from_status__in=["registered", "intake"]).values(
                    "occurred_at"
                )[:1]
            ),
            withdrawn_at=Subquery(transitions.filter(to_status="withdrawn").values("occurred_at")[:1]),
            formal=_count(members.filter(kind=MemberKind.FORMAL)),
            informal=_count(members.filter(kind=MemberKind.INFORMAL)),
            organisations=Coalesce(
                Subquery(
                    orgs.order_by().values("case_ref").annotate(n=Count("organisation", distinct=True)).values("n")
                ),
                Value(0),
            ),
            support_at_closure=_count(support),
            plan_domains=_joined(domains, "domain"),
            goal_count=_count(goals),
            action_count=_count(actions),
            actions_done=_count(actions.filter(status=ActionStatus.DONE)),
            contact_count=_count(contacts),
            youth_reached=_count(contacts.filter(with_whom=ContactWith.YOUTH, reached=True)),
            again=Exists(again),
        )
        .order_by("registered_on", "pk")
        .values(
            "pk",
            "youth_id",
            "previous_case_id",
            "status",
            "registered_on",
            "age_at_registration",
            "age_at_end",
            "youth_gender",
            "youth_postal_code",
            "referrer_kind",
            "referrer_organisation_type",
            "framework",
            "offence_types",
            "offence_count",
            "in_group",
            "consult_on",
            "intake_on",
            "ot_decision",
            "ot_decision_at",
            "not_included_at",
            "withdrawn_at",
            "first_conversation_on",
            "closed_on",
            "closure_reason",
            "formal",
            "informal",
            "organisations",
            "support_at_closure",
            "plan_domains",
            "goal_count",
            "action_count",
            "actions_done",
            "contact_count",
            "youth_reached",
            "again",
        )
    )


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).date().isoformat()
    return value.isoformat()


def _bool(value: Any) -> str:
    return "true" if value else "false"


def _codes(value: str | None) -> str:
    return ",".join(sorted({v for v in (value or "").split(",") if v}))


def _row(chain: Chain, r: dict) -> list[Any]:
    postal = r["youth_postal_code"] or ""
    minor = r["age_at_registration"] is not None and r["age_at_registration"] < 18
    return [
        pseudonym(chain.pk, "case", r["pk"]),
        pseudonym(chain.pk, "youth", r["youth_id"]),
        pseudonym(chain.pk, "case", r["previous_case_id"]) if r["previous_case_id"] else "",
        chain.slug,
        r["status"],
        _day(r["registered_on"]),
        r["age_at_registration"],
        _bool(minor),
        _bool(minor and r["first_conversation_on"] is not None and (r["age_at_end"] or 0) >= 18),
        r["youth_gender"],
        postal[:2],
        _bool(postal in (chain.postal_codes or [])),
        r["referrer_kind"],
        r["referrer_organisation_type"] or "",
        r["framework"],
        _codes(r["offence_types"]),
        r["offence_count"],
        _bool(r["in_group"]),
        _day(r["consult_on"]),
        _day(r["intake_on"]),
        r["ot_decision"] or "",
        _day(r["ot_decision_at"]),
        _day(r["not_included_at"]),
        _day(r["withdrawn_at"]),
        _day(r["first_conversation_on"]),
        _day(r["closed_on"]),
        r["closure_reason"] or "",
        r["formal"],
        r["informal"],
        r["organisations"],
        r["support_at_closure"],
        _codes(r["plan_domains"]),
        r["goal_count"],
        r["action_count"],
        r["actions_done"],
        r["contact_count"],
        r["youth_reached"],
        _bool(r["again"]) if r["closed_on"] else "",
    ]


def record_header() -> list[str]:
    return [c.key for c in record_columns()]


def record_rows(chain: Chain, period: Period) -> Iterator[list[Any]]:
    """One row per trajectory, read with one query through a cursor (never all rows at once)."""
    with reading_from_replica(), planned_for_reports():
        for r in _record_queryset(chain, period).iterator(chunk_size=CHUNK):
            yield _row(chain, r)
