"""The case list: every case the user may see, searchable and filtered, in a constant number of queries.

The search box posts to the list, which keeps the text in the session and redirects to the list with a
token for it (cases.search): a youth's name never travels in a URL (SECURITY.md L9).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ketenregie.accounts.queries import chain_ids_of, chains_of, memberships_of
from ketenregie.audit.domain import log
from ketenregie.cases import domain, queries, search
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.forms import CaseFilterForm
from ketenregie.common import chain_version, fragments
from ketenregie.common.access import CHAIN_MEMBER, access_rule
from ketenregie.common.pagination import CountedPaginator
from ketenregie.consent import policy

PER_PAGE = 25


@access_rule(CHAIN_MEMBER)
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "GET" and search.TEXT_PARAM in request.GET:
        # An old link or bookmark with a name in it: not searched, and not repeated in the page's links.
        return HttpResponseRedirect(_list_url(search.without_text(request.GET)))
    today = timezone.localdate()
    chains = chains_of(user)
    coordinator_chains = policy.coordinator_chain_ids(user)
    if request.method == "POST":
        # POST/redirect/GET: the text stays in the session, the URL gets its token and the other filters.
        filters = CaseFilterForm(request.POST, chains=chains, directors=_directors(coordinator_chains)).filters()
        return HttpResponseRedirect(_list_url(search.list_query(request.session, filters)), status=303)
    # Nothing of a search is kept: its text, and so its results, stay out of the cache.
    searching = search.PARAM in request.GET
    htmx = bool(getattr(request, "htmx", False))
    main = fragments.render(
        request,
        "cases/_case_list_main.html#results" if htmx else "cases/_case_list_main.html",
        lambda: _main(request, chains, coordinator_chains, today),
        versions=chain_version.chain_tokens(chain_ids_of(user)),
        varies_on=(request.GET.urlencode(), htmx),
        facts=lambda context: {"count": len(context["cases"])},
        keep=not searching,
    )
    log("case.listed", actor=user, chain_id=chains[0].pk if len(chains) == 1 else None, details=main.facts)
    if htmx:
        return HttpResponse(main.html)
    return render(request, "cases/case_list.html", {"content": main.html})


def _directors(coordinator_chains) -> list[tuple[str, str]] | None:
    # Only coordinators see other people's cases, so only they filter by case director.
    return queries.case_director_choices(coordinator_chains) if coordinator_chains else None


def _main(request: HttpRequest, chains: list, coordinator_chains, today) -> dict:
    """The filters, the counts per status and the page of cases the list shows."""
    user = request.user
    directors = _directors(coordinator_chains)
    text, search_expired = search.recall(request.session, request.GET.get(search.PARAM, ""))
    data = request.GET.copy()
    data[search.TEXT_PARAM] = text
    form = CaseFilterForm(data, chains=chains, directors=directors)
    filters = form.filters()
    chain_id = next((c.pk for c in chains if c.slug == filters.get("keten")), None)

    cases = queries.filter_cases(
        policy.visible_cases(user),
        today=today,
        q=filters.get("q", ""),
        case_director=filters.get("case_director", ""),
        age=filters.get("age", ""),
        framework=filters.get("framework", ""),
        chain_id=chain_id,
    )
    # A coordinator's counts (of thousands of cases) come from the cache until the chain is written;
    # never those of a search: the text would be in the key.
    counts = queries.status_counts(
        cases, cached_for=chain_ids_of(user) if coordinator_chains and not filters.get("q") else None
    )
    statuses = filters.get("status", [])
    if statuses:
        cases = cases.filter(status__in=statuses)
    cases = queries.sort_cases(cases, filters.get("sort", queries.DEFAULT_SORT))
    several_chains = len(chains) > 1
    cases = queries.list_values(cases, with_chain=several_chains)
    # The counts per status already hold the total: no second COUNT(*) for the paginator.
    listed = sum(counts.get(s, 0) for s in statuses) if statuses else sum(counts.values())
    page = CountedPaginator(cases, PER_PAGE, count=listed).get_page(request.GET.get("page"))
    rows = queries.list_rows(page.object_list, today)
    chips = [
        {"value": s.value, "label": s.label, "count": counts.get(s.value, 0), "current": statuses == [s.value]}
        for s in (CaseStatus(v) for v in queries.STATUS_ORDER)
        if counts.get(s.value) or s.value in statuses
    ]
    return {
        # Shown from the valid values only: an ignored value does not come back as an error.
        "form": CaseFilterForm(initial=filters, chains=chains, directors=directors),
        "page": page,
        "cases": rows,
        "rows_html": _table_rows(rows, with_chain=several_chains),
        "chips": chips,
        "total": sum(counts.values()),
        "all_current": not statuses,
        "filtered": any(k in filters for k in ("q", "status", "case_director", "age", "framework", "keten")),
        "search_expired": search_expired,
        "several_chains": several_chains,
        "is_coordinator": bool(coordinator_chains),
        "may_register": any(m.role in domain.REGISTERING_ROLES for m in memberships_of(user)),
    }


_ROW = (
    '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td>'
    '<td><span class="badge badge--{}">{}</span>{}</td><td>{}</td><td>{}</td><td>{}</td>'
)


def _table_rows(rows: list[queries.CaseRow], *, with_chain: bool) -> str:
    """The lines of the table, written here: a page holds 25 of them, each a dozen values, and the
    template engine costs more per value than the rest of the line. Every value is escaped."""
    flagged = format_html(' <span class="badge badge--flagged">{}</span>', _("Back to the OT"))
    unassigned = format_html('<span class="muted">{}</span>', _("Not assigned yet"))
    line = _ROW + ("<td>{}</td></tr>" if with_chain else "</tr>")
    return format_html_join(
        "\n",
        line,
        (
            (
                row.url,
                row.reference,
                row.youth_name,
                row.age,
                row.status,
                row.status_label,
                flagged if row.flagged_for_ot else "",
                row.director_name or unassigned,
                row.registered_on,
                row.framework,
                *((row.chain,) if with_chain else ()),
            )
            for row in rows
        ),
    )


def _list_url(query: str) -> str:
    url = reverse("cases:case_list")
    return f"{url}?{query}" if query else url
