"""Reusable queries on cases: list filters, counts per status, look-ups for the workflow pages.

Every function takes an already scoped queryset (``policy.visible_cases``) or a chain, so nothing
here widens what a user may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

from django.db.models import Case as CaseWhen
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import User
from ketenregie.accounts.queries import person_name
from ketenregie.cases.domain import search_key
from ketenregie.cases.eligibility import age_on
from ketenregie.cases.enums import OPEN_STATUSES, CaseStatus, Framework
from ketenregie.cases.models import Case, OTAgendaItem, OTMeeting, Youth
from ketenregie.common import chain_version
from ketenregie.common.case_urls import case_url

# The order in which a case meets its statuses; side exits last.
STATUS_ORDER = [
    CaseStatus.REGISTERED,
    CaseStatus.INTAKE,
    CaseStatus.AWAITING_OT,
    CaseStatus.INCLUDED,
    CaseStatus.ACTIVE,
    CaseStatus.CLOSED,
    CaseStatus.NOT_INCLUDED,
    CaseStatus.WITHDRAWN,
]

# Age bands of the case list, in completed years today.
AGE_BANDS = {"12-14": (12, 14), "15-17": (15, 17), "18-21": (18, 21), "22-25": (22, 25)}

SORTS = {
    "-registered": (_("Newest registration first"), ("-registered_on", "-created_at")),
    "registered": (_("Oldest registration first"), ("registered_on", "created_at")),
    "name": (_("Name (A–Z)"), ("youth__last_name", "youth__first_name", "-registered_on")),
    "status": (_("Status (in the order of the steps)"), ("status_rank", "-registered_on")),
}
DEFAULT_SORT = "-registered"


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birth_date_range(band: str, today: date) -> tuple[date, date]:
    """(born after, born on or before) for the youths whose age today lies within ``band``."""
    low, high = AGE_BANDS[band]
    # age >= low  <=>  born on or before today minus ``low`` years;
    # age <= high <=>  not yet ``high + 1``  <=>  born after today minus ``high + 1`` years.
    return years_before(today, high + 1), years_before(today, low)


def search_filter(text: str) -> Q:
    """Every word of ``text`` in the (accent-free) name, or the text in the case number.

    Written as ``id IN (case numbers UNION names)``: each half is answered by its own index (the
    trigram indexes of cases/migrations/0003 on PostgreSQL), where "number OR name" across the join
    with the youth would read every case of the chain. SQLite answers the same query by scanning.
    """
    by_reference = Case.objects.with_scopes_disabled().filter(reference__icontains=text.strip())
    ids = by_reference.order_by().values("pk")
    words = search_key(text, "").split()
    if words:
        youths = Youth.objects.with_scopes_disabled().all()
        for word in words:
            youths = youths.filter(search_name__icontains=word)
        by_name = Case.objects.with_scopes_disabled().filter(youth__in=youths.order_by().values("pk"))
        ids = ids.union(by_name.order_by().values("pk"))
    return Q(pk__in=ids)


def filter_cases(
    cases: QuerySet[Case],
    *,
    today: date,
    q: str = "",
    case_director: str = "",
    age: str = "",
    framework: str = "",
    chain_id=None,
) -> QuerySet[Case]:
    """The list filters except the status (the counts per status are taken before it)."""
    if q.strip():
        cases = cases.filter(search_filter(q))
    if case_director == "none":
        cases = cases.filter(case_director__isnull=True)
    elif case_director:
        cases = cases.filter(case_director_id=case_director)
    if age in AGE_BANDS:
        born_after, born_until = birth_date_range(age, today)
        cases = cases.filter(youth__birth_date__gt=born_after, youth__birth_date__lte=born_until)
    if framework:
        cases = cases.filter(framework=framework)
    if chain_id is not None:
        cases = cases.filter(chain_id=chain_id)
    return cases


def status_counts(cases: QuerySet[Case], *, cached_for: Iterable[Any] | None = None) -> dict[str, int]:
    """How many cases per status, in one aggregate query.

    ``cached_for``: the chains ``cases`` lies in; the counts then come from the cache while nothing in
    those chains was written (a coordinator's list counts twenty thousand cases on every page).
    """
    # COUNT(*), not COUNT(id): the (chain, status) index alone answers it.
    rows = cases.order_by().values("status").annotate(n=Count("*"))
    if cached_for is None:
        return _by_status(rows)
    return chain_version.cached_query("case-status-counts", cached_for, rows, _by_status)


def _by_status(rows: QuerySet) -> dict[str, int]:
    return {row["status"]: row["n"] for row in rows}


# What lists of cases show of the youth and the case director (the case list, intervision).
NAME_COLUMNS = (
    "youth__first_name",
    "youth__last_name",
    "youth__birth_date",
    "case_director__username",
    "case_director__first_name",
    "case_director__last_name",
)
# What a row of the case list shows (cases/case_list.html), read as plain values: the rest of a case, its
# youth and its case director is neither read nor decrypted for the list, and no model is built.
LIST_VALUES = ("pk", "reference", "status", "flagged_for_ot", "registered_on", "framework", *NAME_COLUMNS)


class CaseRow(NamedTuple):
    """One line of the case list, its texts written once in Python: the template only places them."""

    pk: object
    url: str
    reference: str
    youth_name: str
    age: int | None
    status: str
    status_label: str
    flagged_for_ot: bool
    director_name: str  # empty: not assigned yet
    registered_on: str  # as {{ day|date:"j M Y" }}
    framework: str
    chain: str  # empty unless the list has cases of several chains


def list_values(cases: QuerySet[Case], *, with_chain: bool = False) -> QuerySet:
    """``cases`` as the tuples ``list_rows`` writes lines of (``LIST_VALUES``, the chain's name last)."""
    return cases.values_list(*LIST_VALUES, *(("chain__name",) if with_chain else ()))


def list_rows(values: Iterable[tuple], today: date) -> list[CaseRow]:
    """The case list's lines for the tuples of ``list_values``."""
    statuses = {value: str(label) for value, label in CaseStatus.choices}
    frameworks = {value: str(label) for value, label in Framework.choices}
    rows = []
    for value in values:
        pk, reference, status, flagged, registered, framework, first, last, born = value[:9]
        login, director_first, director_last = value[9:12]
        chain = value[12] if len(value) > len(LIST_VALUES) else ""
        director_name = person_name(director_first, director_last, login) if login else ""  # empty: none yet
        rows.append(
            CaseRow(
                pk,
                case_url("cases:case_detail", pk),
                reference,
                f"{first} {last}",
                age_on(born, today),
                status,
                statuses.get(status, status),
                flagged,
                director_name,
                f"{registered.day} {MONTHS_3[registered.month].title()} {registered.year}" if registered else "",
                frameworks.get(framework, framework),
                chain,
            )
        )
    return rows


def sort_cases(cases: QuerySet[Case], sort: str) -> QuerySet[Case]:
    _label, ordering = SORTS.get(sort, SORTS[DEFAULT_SORT])
    if "status_rank" in ordering:
        cases = cases.annotate(
            status_rank=CaseWhen(
                *[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)],
                default=Value(len(STATUS_ORDER)),
                output_field=IntegerField(),
            )
        )
    return cases.order_by(*ordering)


def case_director_choices(chain_ids: list) -> list[tuple[str, str]]:
    """(id, name) of everyone with an active case director role in one of ``chain_ids``, by name."""
    if not chain_ids:
        return []
    people = (
        User.objects.filter(
            memberships__chain_id__in=chain_ids,
            memberships__role=Role.CASE_DIRECTOR,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
        .values_list("pk", "first_name", "last_name", "username")  # a filter's options: names only
    )
    return [(str(pk), person_name(first, last, username)) for pk, first, last, username in people]


# --- Registration -------------------------------------------------------------------------------


def cases_of_youths(visible: QuerySet[Case], youths: list) -> QuerySet[Case]:
    """The cases of ``youths`` among those the user may see (for the duplicate warning)."""
    return visible.filter(youth__in=youths).select_related("youth").order_by("youth_id", "-registered_on")


def has_open_case(chain_id, youths: list) -> bool:
    """Whether one of ``youths`` still has an open case: then registering again is refused."""
    return Case.objects.with_scope(chain=chain_id).filter(youth__in=youths, status__in=OPEN_STATUSES).exists()


# --- Read pages of one case -----------------------------------------------------------------------


def for_read_page(user: User, *related: str) -> QuerySet[Case]:
    """The cases ``user`` may see, loaded for a page that only reads one (``views.base.get_case``).

    The case's active restriction (the banner of the case tabs, the refused steps) comes along in
    the same query, and so do the one-to-one ``related`` parts the page shows (select_related).
    Not for writes: they look the restriction up again inside their own transaction.
    """
    from ketenregie.consent import policy
    from ketenregie.privacy.queries import with_active_restriction

    cases = with_active_restriction(policy.visible_cases(user))
    return cases.select_related(*related) if related else cases  # select_related() alone would follow every key


def for_page_head(user: User) -> QuerySet[Case]:
    """The cases ``user`` may see, with only what the policy and a page's title need: for a page
    whose main part usually comes from the cache (``common.fragments``), which loads the rest."""
    from ketenregie.consent import policy

    return (
        policy.visible_cases(user)
        .select_related("youth")
        .only("chain", "youth", "case_director", "reference", "status", "youth__first_name", "youth__last_name")
    )


def with_item_counts(meetings: QuerySet[OTMeeting]) -> QuerySet[OTMeeting]:
    """OT meetings with ``item_count`` and ``open_count`` (the items without a decision).

    Counted per meeting in a correlated subquery, so a page of meetings counts only its own items
    (a COUNT over a join grouped every item of the chain before the page was cut). The subquery
    needs no scope of its own: it only counts items of the meetings of ``meetings``.
    """
    items = OTAgendaItem.objects.with_scopes_disabled().filter(meeting=OuterRef("pk")).order_by().values("meeting")
    return meetings.annotate(
        item_count=Coalesce(Subquery(items.annotate(n=Count("*")).values("n")), 0),
        open_count=Coalesce(Subquery(items.filter(decision="").annotate(n=Count("*")).values("n")), 0),
    )
