"""The intervision page a page at a time: own cases first, then case director by case director; the
advice form of a case on a later page brings the team back to that page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketenregie.cases.models import Case
from ketenregie.followup import queries
from ketenregie.followup.models import IntervisionAdvice
from tests.followup.conftest import contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(queries, "INTERVISION_PER_PAGE", 2)


@pytest.fixture
def five_cases(active_cases, case_director, other_case_director):
    """Two cases of the case director, three of the colleague."""
    mine = active_cases(2)
    theirs = active_cases(3, director=other_case_director)
    for case in mine + theirs:
        contact(case, case.case_director)
    return mine, theirs


def pages(client, n: int) -> list[list]:
    out = []
    for number in range(1, n + 1):
        response = client.get(reverse("followup:intervision"), {"page": number})
        assert response.status_code == 200
        out.append([row.case.pk for row in response.context["overview"].rows])
    return out


def test_the_cases_come_a_page_at_a_time_own_cases_first(
    small_pages, five_cases, client_for, case_director, other_case_director
):
    mine, theirs = five_cases
    client = client_for(case_director)
    first = client.get(reverse("followup:intervision"))
    overview = first.context["overview"]
    assert (overview.total, overview.mine, overview.others, overview.page.paginator.num_pages) == (5, 2, 3, 3)
    html = first.content.decode()
    assert 'rel="next"' in html and "?page=2" in html and 'rel="prev"' not in html
    assert 'Your cases <span class="count">(2)</span>' in html
    seen = pages(client, 3)
    assert [len(p) for p in seen] == [2, 2, 1]
    flat = [pk for p in seen for pk in p]
    assert sorted(flat[:2], key=str) == sorted((c.pk for c in mine), key=str), "own cases first"
    assert set(flat[2:]) == {c.pk for c in theirs}
    assert len(set(flat)) == 5, "every active case once"
    last = client.get(reverse("followup:intervision"), {"page": 3}).content.decode()
    assert 'rel="prev"' in last and 'rel="next"' not in last
    # The colleague walks the same list with their own cases first.
    assert set(pages(client_for(other_case_director), 2)[0]) < {c.pk for c in theirs}


def test_the_coordinator_walks_the_cases_by_case_director(small_pages, five_cases, client_for, coordinator):
    flat = [pk for p in pages(client_for(coordinator), 3) for pk in p]
    directors = [Case.objects.get(pk=pk).case_director for pk in flat]
    names = [(d.last_name, d.first_name) for d in directors]
    assert names == sorted(names)


def test_advice_from_a_later_page_returns_to_that_page(small_pages, five_cases, client_for, coordinator):
    _mine, _theirs = five_cases
    client = client_for(coordinator)
    second = client.get(reverse("followup:intervision"), {"page": 2})
    row = second.context["overview"].rows[0]
    html = second.content.decode()
    assert '<input type="hidden" name="page" value="2">' in html
    url = reverse("followup:intervision_advice", kwargs={"case_id": row.case.pk})
    response = client.post(url, {"advice": "Betrek de school.", "page": "2"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('followup:intervision')}?page=2#case-{row.case.pk}"
    assert IntervisionAdvice.objects.get(case=row.case).advice == "Betrek de school."
    back = client.get(response["Location"].split("#")[0]).content.decode()
    assert "Betrek de school." in back


def test_a_refused_advice_is_shown_on_its_page_next_to_the_field(small_pages, five_cases, client_for, coordinator):
    client = client_for(coordinator)
    row = client.get(reverse("followup:intervision"), {"page": 3}).context["overview"].rows[0]
    url = reverse("followup:intervision_advice", kwargs={"case_id": row.case.pk})
    response = client.post(url, {"advice": "  ", "page": "3"})
    assert response.status_code == 200
    assert response.context["overview"].page.number == 3
    shown = {r.case.pk: r for r in response.context["overview"].rows}
    assert shown[row.case.pk].error_form.errors["advice"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not IntervisionAdvice.objects.exists()


def test_a_refused_advice_for_a_case_no_longer_on_that_page_is_said_at_the_top(
    small_pages, five_cases, client_for, coordinator
):
    client = client_for(coordinator)
    row = client.get(reverse("followup:intervision"), {"page": 3}).context["overview"].rows[0]
    url = reverse("followup:intervision_advice", kwargs={"case_id": row.case.pk})
    response = client.post(url, {"advice": "", "page": "1"})
    assert response.status_code == 200
    assert row.case.pk not in {r.case.pk for r in response.context["overview"].rows}
    assert "This field is required." in [str(m) for m in response.context["messages"]]
