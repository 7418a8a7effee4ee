"""The case list, the case page and the workflow step pages: scope, constant queries, audit, refusals."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain, search
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case, CaseTransition
from ketenregie.cases.views.case_list import PER_PAGE
from tests.cases.conftest import years_before
from tests.security.test_canaries import handed_out_urls

S = CaseStatus


@pytest.fixture
def client_en(client_for):
    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def searched(client, text: str, **filters) -> str:
    """Search the list as its form does (POST) and answer the URL it redirects to."""
    response = client.post(reverse("cases:case_list"), {"q": text, **filters})
    assert response.status_code == 303
    return response["Location"]


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)[search.PARAM][0]


def list_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:case_list"), params)
    assert response.status_code == 200
    return len(captured)


# --- Case list -----------------------------------------------------------------------------------


def test_case_list_query_count_does_not_grow_with_the_cases(client_en, coordinator, make_case, builder):
    for status in (S.REGISTERED, S.INTAKE, S.REGISTERED):
        make_case(status)
    client = client_en(coordinator)
    client.get(reverse("cases:case_list"))  # session and first-request work out of the way
    zoek = token_of(searched(client, "a"))
    with_three = list_queries(client)
    with_three_filtered = list_queries(client, zoek=zoek, age="15-17", status=S.REGISTERED, sort="status")
    for _ in range(27):
        builder.register()
    with_thirty = list_queries(client)
    with_thirty_filtered = list_queries(client, zoek=zoek, age="15-17", status=S.REGISTERED, sort="status")
    assert Case.objects.count() == 30
    assert with_three == with_thirty
    assert with_three_filtered == with_thirty_filtered


def test_case_list_logs_one_audit_entry_without_names(client_en, coordinator, make_case):
    make_case()
    make_case()
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    client_en(coordinator).get(reverse("cases:case_list"))
    listed = list(AuditEvent.objects.filter(id__gt=mark, action="case.listed"))
    assert len(listed) == 1
    assert listed[0].details == {"count": 2}


def test_case_list_is_scoped_to_what_the_user_may_see(
    client_en, case_director, other_case_director, make_case, outsider
):
    mine = make_case(S.INCLUDED, director=case_director)
    theirs = make_case(S.INCLUDED, director=other_case_director)
    response = client_en(case_director).get(reverse("cases:case_list"))
    assert [c.pk for c in response.context["cases"]] == [mine.pk]
    assert theirs.reference not in response.content.decode()
    assert client_en(outsider).get(reverse("cases:case_list")).context["cases"] == []


def test_search_ignores_case_and_accents_and_finds_case_numbers(client_en, coordinator, make_case):
    chloe = make_case(first_name="Chloë", last_name="Lemmens")
    other = make_case(first_name="Bram", last_name="Vermeulen")
    client = client_en(coordinator)
    assert [c.pk for c in client.get(searched(client, "lemmens CHLOE")).context["cases"]] == [chloe.pk]
    assert [c.pk for c in client.get(searched(client, other.reference)).context["cases"]] == [other.pk]


# --- Search without the name in a URL (SECURITY.md L9) ---------------------------------------------


def test_a_search_redirects_to_a_token_and_the_other_filters_never_to_the_name(client_en, coordinator, make_case):
    make_case(first_name="Chloë", last_name="Lemmens")
    client = client_en(coordinator)
    url = searched(client, "Chloë Lemmens", age="15-17", status=S.REGISTERED, framework="")
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == reverse("cases:case_list")
    assert query == {search.PARAM: [query[search.PARAM][0]], "age": ["15-17"], "status": [S.REGISTERED]}
    assert "lemmens" not in url.lower() and "chlo" not in url.lower()
    # The token is random, not made from the text: the same search in another session has another one.
    assert token_of(searched(client_en(coordinator), "Chloë Lemmens")) != query[search.PARAM][0]


def test_the_list_of_a_token_shows_only_the_matches_and_the_text_in_the_search_box(client_en, coordinator, make_case):
    chloe = make_case(first_name="Chloë", last_name="Lemmens")
    make_case(first_name="Bram", last_name="Vermeulen")
    client = client_en(coordinator)
    response = client.get(searched(client, "lemmens"))
    assert [c.pk for c in response.context["cases"]] == [chloe.pk]
    assert response.context["form"]["q"].value() == "lemmens"
    assert 'value="lemmens"' in response.content.decode()
    assert response.context["filtered"]
    assert {chip["value"]: chip["count"] for chip in response.context["chips"]} == {S.REGISTERED: 1}


def next_page(response) -> str:
    """The pager's link to the next page, as the browser would follow it."""
    link = next(url for url in handed_out_urls(response) if "page=" in url and url.startswith("?"))
    return reverse("cases:case_list") + link


def test_no_url_the_searched_list_hands_out_carries_the_name(client_en, coordinator, make_case):
    for n in range(PER_PAGE + 1):  # two pages of matches: the pager's links count as well
        make_case(first_name=f"Zwaan{n}", last_name="Vandevelde")
    client = client_en(coordinator)
    post = client.post(reverse("cases:case_list"), {"q": "Zwaan Vandevelde", "sort": "name"}, follow=True)
    assert len(post.context["cases"]) == PER_PAGE
    urls = [location for location, _status in post.redirect_chain] + handed_out_urls(post)
    urls += handed_out_urls(client.get(next_page(post)))
    assert any("page=2" in url for url in urls) and any(f"{search.PARAM}=" in url for url in urls)
    assert [url for url in urls if "vandevelde" in url.lower() or "zwaan" in url.lower()] == []


def test_paging_keeps_the_search(client_en, coordinator, make_case):
    matches = {make_case(first_name=f"Zwaan{n}", last_name="Vandevelde").pk for n in range(PER_PAGE + 1)}
    make_case(first_name="Bram", last_name="Vermeulen")
    client = client_en(coordinator)
    first = client.get(searched(client, "vandevelde"))
    assert first.context["page"].paginator.num_pages == 2
    second = client.get(next_page(first))
    assert second.context["page"].number == 2
    assert {c.pk for c in first.context["cases"]} | {c.pk for c in second.context["cases"]} == matches
    assert second.context["form"]["q"].value() == "vandevelde"


def test_an_unknown_token_shows_the_whole_list_and_says_to_search_again(client_en, coordinator, make_case):
    make_case(first_name="Chloë", last_name="Lemmens")
    make_case(first_name="Bram", last_name="Vermeulen")
    client = client_en(coordinator)
    someone_elses = token_of(searched(client_en(coordinator), "lemmens"))  # a token of another session
    for token in ("made-up", someone_elses):
        response = client.get(reverse("cases:case_list"), {search.PARAM: token, "status": S.REGISTERED})
        assert len(response.context["cases"]) == 2
        assert response.context["search_expired"]
        assert response.context["form"]["q"].value() in (None, "")
        assert "This search has expired. Search again." in response.content.decode()
    fresh = client.get(searched(client, "lemmens"))
    assert not fresh.context["search_expired"]
    assert "This search has expired" not in fresh.content.decode()


def test_a_search_older_than_the_last_twenty_expires(client_en, coordinator, make_case):
    make_case(first_name="Chloë", last_name="Lemmens")
    client = client_en(coordinator)
    first = searched(client, "lemmens")
    for n in range(search.MAX_SEARCHES - 1):
        searched(client, f"andere zoekopdracht {n}")
    assert not client.get(first).context["search_expired"]  # the twentieth search back: still known
    searched(client, "nog een")
    assert client.get(first).context["search_expired"]
    assert len(client.session[search.SESSION_KEY]) == search.MAX_SEARCHES


def test_a_double_submit_gives_the_same_token_and_an_empty_search_clears_it(client_en, coordinator, make_case):
    make_case()
    client = client_en(coordinator)
    once = searched(client, "lemmens", age="15-17")
    assert searched(client, "lemmens", age="15-17") == once
    assert len(client.session[search.SESSION_KEY]) == 1
    cleared = searched(client, "  ", age="15-17")
    assert parse_qs(urlsplit(cleared).query) == {"age": ["15-17"]}
    assert searched(client, "") == reverse("cases:case_list")


def test_a_name_in_the_query_string_is_not_searched_and_not_repeated(client_en, coordinator, make_case):
    make_case(first_name="Chloë", last_name="Lemmens")
    make_case(first_name="Bram", last_name="Vermeulen")
    client = client_en(coordinator)
    response = client.get(reverse("cases:case_list"), {"q": "Lemmens", "status": S.REGISTERED})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query) == {"status": [S.REGISTERED]}
    listed = client.get(response["Location"])
    assert len(listed.context["cases"]) == 2
    assert [url for url in handed_out_urls(listed) if "lemmens" in url.lower()] == []


def test_an_htmx_search_answers_the_results_and_clears_the_expiry_note(client_en, coordinator, make_case):
    chloe = make_case(first_name="Chloë", last_name="Lemmens")
    make_case(first_name="Bram", last_name="Vermeulen")
    client = client_en(coordinator)
    response = client.post(reverse("cases:case_list"), {"q": "lemmens"}, headers={"HX-Request": "true"}, follow=True)
    html = response.content.decode()
    assert [c.pk for c in response.context["cases"]] == [chloe.pk]
    assert "<html" not in html and 'id="case-results"' in html
    assert 'id="search-note" class="error" role="status" hx-swap-oob="innerHTML"></span>' in html
    assert "lemmens" not in response.redirect_chain[0][0].lower()


@pytest.mark.parametrize("text", ["a\x00b", "x" * 101, '"><script>alert(1)</script>'])
def test_hostile_search_text_is_escaped_or_dropped_never_an_error(client_en, coordinator, make_case, text):
    make_case()
    client = client_en(coordinator)
    response = client.post(reverse("cases:case_list"), {"q": text}, follow=True)
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()
    # Text the search box refuses (a NUL, over 100 characters) is no search; markup is one, shown as text.
    refused = len(text) > 100 or "\x00" in text
    assert response.context["form"]["q"].value() == (None if refused else text)
    assert (search.PARAM in response.redirect_chain[0][0]) == (not refused)


def test_the_search_needs_the_csrf_token(coordinator, make_case):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert client.post(reverse("cases:case_list"), {"q": "lemmens"}).status_code == 403
    page = client.get(reverse("cases:case_list"))
    token = page.cookies["csrftoken"].value
    assert client.post(reverse("cases:case_list"), {"q": "lemmens", "csrfmiddlewaretoken": token}).status_code == 303


def test_age_bands_are_computed_from_birth_dates(client_en, coordinator, make_case):
    today = timezone.localdate()
    fourteen = make_case(birth_date=years_before(today, 15) + timedelta(days=1))  # 15 tomorrow
    fifteen = make_case(birth_date=years_before(today, 15))  # 15 today
    seventeen = make_case(birth_date=years_before(today, 18) + timedelta(days=1))
    client = client_en(coordinator)

    def band(age):
        return {c.pk for c in client.get(reverse("cases:case_list"), {"age": age}).context["cases"]}

    assert band("12-14") == {fourteen.pk}
    assert band("15-17") == {fifteen.pk, seventeen.pk}
    assert band("18-21") == set()


def test_counts_per_status_ignore_the_status_filter(client_en, coordinator, make_case):
    make_case(S.REGISTERED)
    make_case(S.REGISTERED)
    make_case(S.INTAKE)
    response = client_en(coordinator).get(reverse("cases:case_list"), {"status": S.INTAKE})
    chips = {chip["value"]: chip["count"] for chip in response.context["chips"]}
    assert chips == {S.REGISTERED: 2, S.INTAKE: 1}
    assert response.context["total"] == 3
    assert len(response.context["cases"]) == 1


def test_unknown_filter_values_are_ignored(client_en, coordinator, make_case):
    make_case()
    response = client_en(coordinator).get(
        reverse("cases:case_list"),
        {
            "status": "bogus",
            "case_director": "not-a-uuid",
            "age": "99",
            "framework": "x",
            "sort": "drop table",
            "page": "abc",
            "keten": "nope",
        },
    )
    assert response.status_code == 200
    assert len(response.context["cases"]) == 1


def test_htmx_gets_only_the_results(client_en, coordinator, make_case):
    make_case()
    response = client_en(coordinator).get(reverse("cases:case_list"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="case-results"' in html
    assert "<html" not in html


def test_empty_list_says_what_to_do_next(client_en, coordinator):
    html = client_en(coordinator).get(reverse("cases:case_list")).content.decode()
    assert "No cases yet" in html
    assert reverse("cases:register") in html


# --- Case page -----------------------------------------------------------------------------------


def test_outsider_gets_404_on_the_case_page(client_en, outsider, make_case):
    case = make_case()
    assert client_en(outsider).get(reverse("cases:case_detail", kwargs={"case_id": case.pk})).status_code == 404


def test_malformed_or_unknown_case_ids_are_404(client_en, coordinator):
    client = client_en(coordinator)
    assert client.get("/dossiers/not-a-uuid/").status_code == 404
    assert client.get("/dossiers/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_case_page_shows_step_options_and_what_is_missing(client_en, coordinator, make_case):
    case = make_case(S.INTAKE)
    response = client_en(coordinator).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    html = response.content.decode()
    assert 'aria-current="step"' in html
    submit = next(o for o in response.context["options"] if o.name == "submit_to_ot")
    assert submit.blocked
    assert "Record the intake conversation first (date and intake form)." in [b.message for b in submit.blockers]
    assert reverse("cases:intake", kwargs={"case_id": case.pk}) in html
    assert reverse("cases:consent_list", kwargs={"case_id": case.pk}) in html
    assert [e.kind for e in response.context["history"].events] == ["transition", "transition"]


def test_ot_member_sees_the_summary_not_the_dossier(client_en, coordinator, ot_member, make_case, builder):
    case = make_case(S.AWAITING_OT)
    builder.plan_meeting(attendees=[ot_member])
    html_ot = client_en(ot_member).get(reverse("cases:case_detail", kwargs={"case_id": case.pk})).content.decode()
    assert case.youth.full_name in html_ot
    assert case.multi_problem in html_ot
    assert "Diefstal" not in html_ot  # the offences stay in the dossier
    assert "History" not in html_ot
    html_coordinator = (
        client_en(coordinator).get(reverse("cases:case_detail", kwargs={"case_id": case.pk})).content.decode()
    )
    assert "Diefstal" in html_coordinator


def test_closed_case_is_read_only_with_a_new_trajectory_for_coordinators(client_en, coordinator, make_case):
    case = make_case(S.CLOSED)
    response = client_en(coordinator).get(reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    assert response.context["options"] == []
    assert reverse("cases:new_trajectory", kwargs={"case_id": case.pk}) in response.content.decode()


def test_case_page_query_count_is_constant(client_en, coordinator, make_case, builder):
    case = make_case(S.ACTIVE)
    client = client_en(coordinator)
    url = reverse("cases:case_detail", kwargs={"case_id": case.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(4):
        builder.consent(case, signed_on=timezone.localdate() - timedelta(days=n))
        domain.record_start(
            actor=coordinator,
            case=case,
            referrer_informed_on=case.registered_on,
            youth_informed_of_decision_on=case.registered_on,
            trusted_person_name=f"Coach {n}",
        )
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(before) == len(after)


# --- Steps ---------------------------------------------------------------------------------------


def test_start_intake_asks_for_confirmation_then_moves_the_case(client_en, coordinator, make_case):
    case = make_case(S.REGISTERED)
    url = reverse("cases:take_step", kwargs={"case_id": case.pk, "transition": "start_intake"})
    client = client_en(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["expected_version"].value() == case.version
    response = client.post(url, {"expected_version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.INTAKE
    assert CaseTransition.objects.filter(case=case, to_status=S.INTAKE, actor=coordinator).exists()


def test_a_stale_version_changes_nothing_and_says_to_reload(client_en, coordinator, make_case):
    case = make_case(S.REGISTERED)
    url = reverse("cases:take_step", kwargs={"case_id": case.pk, "transition": "start_intake"})
    response = client_en(coordinator).post(url, {"expected_version": case.version - 1 or 99})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this case in the meantime. Reload the page and try again." in html
    assert "The case now has the status “Registered”." in html
    case.refresh_from_db()
    assert case.status == S.REGISTERED


def test_a_failing_guard_is_shown_and_nothing_changes(client_en, coordinator, make_case):
    case = make_case(S.ACTIVE)
    url = reverse("cases:take_step", kwargs={"case_id": case.pk, "transition": "close"})
    response = client_en(coordinator).post(url, {"expected_version": case.version, "closure_reason": "goals_reached"})
    assert response.context["guard_messages"] == ["Write the closing summary for at least one life domain."]
    case.refresh_from_db()
    assert case.status == S.ACTIVE


def test_close_with_a_summary_per_life_domain(client_en, coordinator, make_case):
    case = make_case(S.ACTIVE)
    url = reverse("cases:take_step", kwargs={"case_id": case.pk, "transition": "close"})
    response = client_en(coordinator).post(
        url,
        {
            "expected_version": case.version,
            "closure_reason": "goals_reached",
            "summary_vrije_tijd": "Voetbalt weer.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert case.closure_summary == {"vrije_tijd": "Voetbalt weer."}


@pytest.mark.parametrize("name", ["bogus", "include", "close"])
def test_unknown_or_unavailable_steps_are_404(client_en, coordinator, make_case, name):
    case = make_case(S.REGISTERED)  # "include" is OT-only; "close" is not possible from registered
    url = reverse("cases:take_step", kwargs={"case_id": case.pk, "transition": name})
    assert client_en(coordinator).get(url).status_code == 404


def test_steps_are_404_for_outsiders_and_403_where_the_role_is_missing(client_en, outsider, case_director, make_case):
    case = make_case(S.INCLUDED, director=case_director)
    assert client_en(outsider).get(reverse("cases:record_start", kwargs={"case_id": case.pk})).status_code == 404
    assert client_en(case_director).get(reverse("cases:assign", kwargs={"case_id": case.pk})).status_code == 403
    assert client_en(case_director).get(reverse("cases:record_start", kwargs={"case_id": case.pk})).status_code == 200


def test_assign_a_case_director(client_en, coordinator, other_case_director, make_case):
    case = make_case(S.INCLUDED)
    response = client_en(coordinator).post(
        reverse("cases:assign", kwargs={"case_id": case.pk}),
        {
            "expected_version": case.version,
            "case_director": str(other_case_director.pk),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.case_director == other_case_director


def test_flag_for_ot_needs_a_reason(client_en, coordinator, make_case):
    case = make_case(S.ACTIVE)
    url = reverse("cases:flag_for_ot", kwargs={"case_id": case.pk})
    client = client_en(coordinator)
    assert "reason" in client.post(url, {"reason": ""}).context["form"].errors
    assert client.post(url, {"reason": "Jongere wil stoppen."}).status_code == 302
    case.refresh_from_db()
    assert case.flagged_for_ot and case.flag_reason == "Jongere wil stoppen."


def test_list_lines_carry_the_chain_when_the_list_spans_several(make_case, chain, case_director):
    from ketenregie.cases import queries

    unassigned, directed = make_case(), make_case(S.INCLUDED, director=case_director)
    cases = Case.objects.filter(pk__in=[unassigned.pk, directed.pk]).order_by("reference")
    today = timezone.localdate()

    with_chain = queries.list_rows(queries.list_values(cases, with_chain=True), today)
    without = queries.list_rows(queries.list_values(cases), today)

    assert [row.chain for row in with_chain] == [chain.name, chain.name]
    assert [row.chain for row in without] == ["", ""]
    assert [row.director_name for row in without] == ["", case_director.get_full_name()]
    assert [row.youth_name for row in without] == [unassigned.youth.full_name, directed.youth.full_name]
    assert with_chain[0]._replace(chain="") == without[0]


def test_the_table_lines_escape_what_they_show(client_en, coordinator, make_case):
    make_case(first_name='<script>alert("x")</script>', last_name="O'Brien & Co")

    html = client_en(coordinator).get(reverse("cases:case_list")).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#x27;Brien &amp; Co" in html
    assert '<span class="muted">Not assigned yet</span>' in html
