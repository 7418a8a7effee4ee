"""The OT agenda opens a decision form per item on request (issue #8): the agenda itself renders no
form, a link opens one (with htmx in place, without JavaScript on the agenda page), and the meeting
list shows the held meetings a page at a time. Query counts stay the same whatever the data size."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ketenregie.cases import domain
from ketenregie.cases.enums import CaseStatus, OTDecision, OTMeetingStatus
from ketenregie.cases.models import OTAgendaItem
from ketenregie.cases.views.ot import HELD_PER_PAGE

S = CaseStatus


def form_url(item) -> str:
    return reverse("cases:ot_decision_form", kwargs={"item_id": item.pk})


def detail_url(meeting) -> str:
    return reverse("cases:ot_detail", kwargs={"meeting_id": meeting.pk})


def decide_url(item) -> str:
    return reverse("cases:ot_decide", kwargs={"item_id": item.pk})


def queries(client, url: str, **extra) -> int:
    """The number of queries of the second request of ``url`` (the first one warms up)."""
    assert client.get(url, **extra).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def client_en(client_for):
    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def agenda(make_case, builder, coordinator, ot_member):
    """A meeting an hour ago with two new cases on its agenda."""
    first, second = make_case(S.AWAITING_OT), make_case(S.AWAITING_OT)
    meeting = builder.plan_meeting(attendees=[coordinator, ot_member])
    return meeting, meeting.items.get(case=first), meeting.items.get(case=second)


# --- The agenda and the link that opens a form ---------------------------------------------------------


def test_the_agenda_links_each_open_item_to_its_form_and_renders_none(client_en, coordinator, agenda):
    meeting, first, second = agenda
    html = client_en(coordinator).get(detail_url(meeting)).content.decode()
    for item in (first, second):
        assert f'href="{form_url(item)}#item-{item.pk}"' in html
        assert f'hx-get="{form_url(item)}"' in html and f'hx-target="#item-{item.pk}-decision"' in html
    assert html.count("Record a decision") == 2
    assert 'class="decision-form"' not in html and "Record the decision" not in html


def test_htmx_gets_only_the_form_in_place_of_the_link(client_en, coordinator, case_director, agenda):
    meeting, first, second = agenda
    response = client_en(coordinator).get(form_url(first), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<h1" not in html and "<article" not in html
    assert f'hx-post="{decide_url(first)}"' in html and f'action="{decide_url(first)}#item-{first.pk}"' in html
    assert f'name="item-{first.pk}-version" value="{first.version}"' in html
    assert case_director.get_full_name() in html  # the choice of case director
    assert "autofocus" in html  # the opened form takes the focus
    assert first.case.youth.full_name not in html and first.case.multi_problem not in html  # no dossier content
    assert not response.has_header("Location")
    assert "HX-Request" in response["Vary"]


def test_without_javascript_the_link_opens_the_agenda_with_that_form(client_en, coordinator, agenda):
    meeting, first, second = agenda
    response = client_en(coordinator).get(form_url(first))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1  # the whole agenda page
    assert html.count('class="decision-form"') == 1
    assert f'hx-post="{decide_url(first)}"' in html
    assert f'hx-get="{form_url(second)}"' in html and f'hx-get="{form_url(first)}"' not in html
    assert first.case.youth.full_name in html and second.case.youth.full_name in html


def test_a_recorded_decision_is_unchanged_by_opening_the_form(client_en, coordinator, builder, agenda):
    """Opening the form is a GET: it writes nothing, and a decided item has no form left to open."""
    meeting, first, second = agenda
    builder.decide(first.case, OTDecision.NOT_INCLUDE)
    client = client_en(coordinator)
    fragment = client.get(form_url(first), HTTP_HX_REQUEST="true").content.decode()
    assert "A decision was already recorded for this item. Reload the page to see it." in fragment
    assert 'class="decision-form"' not in fragment
    page = client.get(form_url(first)).content.decode()
    assert 'class="decision-form"' not in page and "Decision: Do not include" in page
    assert f'hx-get="{form_url(second)}"' in page  # the other item still has its link
    stored = OTAgendaItem.objects.get(pk=first.pk)
    assert stored.decision == OTDecision.NOT_INCLUDE and stored.version == first.version + 1


def test_a_parked_item_offers_to_change_the_decision(client_en, coordinator, builder, agenda):
    meeting, first, second = agenda
    builder.decide(first.case, OTDecision.PARK, park_until=timezone.localdate() + timedelta(days=30))
    client = client_en(coordinator)
    html = client.get(detail_url(meeting)).content.decode()
    assert f'hx-get="{form_url(first)}"' in html
    assert "Change the decision (the case is parked)" in html
    fragment = client.get(form_url(first), HTTP_HX_REQUEST="true").content.decode()
    assert '<details class="decision-change" open>' in fragment and f'hx-post="{decide_url(first)}"' in fragment


def test_htmx_decision_with_errors_keeps_its_form_and_success_gives_the_link_back(
    client_en, coordinator, case_director, agenda
):
    meeting, first, second = agenda
    client = client_en(coordinator)
    prefix = f"item-{first.pk}-"
    refused = client.post(
        decide_url(first), {prefix + "version": first.version, prefix + "decision": "include"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Choose the case director." in refused  # next to its field, in the form that came back
    assert f'id="id_{prefix}chosen_case_director_error"' in refused
    assert f'hx-post="{decide_url(first)}"' in refused
    park = timezone.localdate() + timedelta(days=14)
    recorded = client.post(
        decide_url(first),
        {prefix + "version": first.version, prefix + "decision": "park", prefix + "park_until": park.isoformat()},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "The decision is recorded." in recorded
    assert 'class="decision-form"' not in recorded and f'hx-get="{form_url(first)}"' in recorded


# --- Who may open a form ---------------------------------------------------------------------------------


def test_only_a_coordinator_of_the_chain_opens_a_form(
    client_en, coordinator, ot_member, outsider, case_director, partner, agenda
):
    meeting, first, second = agenda
    # The OT member attends the meeting and sees the agenda, but has no decision form.
    assert client_en(ot_member).get(detail_url(meeting)).status_code == 200
    for user in (ot_member, outsider, case_director, partner):
        for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
            assert client_en(user).get(form_url(first), **extra).status_code == 404, user
    missing = reverse("cases:ot_decision_form", kwargs={"item_id": uuid.uuid4()})
    assert client_en(coordinator).get(missing).status_code == 404
    assert client_en(coordinator).get(f"/ot/punten/{first.pk}x/beslissingsformulier/").status_code == 404
    assert client_en(coordinator).post(form_url(first)).status_code == 405  # it only shows, never records


# --- Query counts ----------------------------------------------------------------------------------------


def test_agenda_with_an_open_form_and_the_fragment_keep_their_queries_for_2_and_8_items(
    client_en, coordinator, make_case, builder, agenda
):
    meeting, first, second = agenda
    client = client_en(coordinator)
    with_2 = {
        "agenda": queries(client, detail_url(meeting)),
        "agenda with a form": queries(client, form_url(first)),
        "fragment": queries(client, form_url(first), HTTP_HX_REQUEST="true"),
    }
    for _ in range(6):
        make_case(S.AWAITING_OT)
    assert domain.refresh_agenda(actor=coordinator, meeting=meeting) == 6
    with_8 = {
        "agenda": queries(client, detail_url(meeting)),
        "agenda with a form": queries(client, form_url(first)),
        "fragment": queries(client, form_url(first), HTTP_HX_REQUEST="true"),
    }
    assert with_8 == with_2
    assert with_2["agenda"] <= 12


# --- The meeting list --------------------------------------------------------------------------------


def _held_meeting(builder, make_case, coordinator, hours_ago: int):
    """A meeting ``hours_ago`` hours ago with one case of its own on the agenda, recorded as held."""
    make_case(S.AWAITING_OT)
    meeting = builder.plan_meeting(starts_at=timezone.now() - timedelta(hours=hours_ago), attendees=[coordinator])
    domain.acknowledge_confidentiality(actor=coordinator, meeting=meeting, attendee=coordinator)
    return domain.mark_meeting_held(actor=coordinator, meeting=meeting)


def test_meeting_list_pages_the_held_meetings_with_the_same_queries(
    client_en, coordinator, ot_member, make_case, builder
):
    make_case(S.AWAITING_OT)
    upcoming = builder.plan_meeting(starts_at=timezone.now() + timedelta(days=3), attendees=[ot_member])
    held = [_held_meeting(builder, make_case, coordinator, hours_ago=1)]
    client = client_en(coordinator)
    url = reverse("cases:ot_list")
    with_1 = queries(client, url)

    held += [_held_meeting(builder, make_case, coordinator, hours_ago=2 + i) for i in range(HELD_PER_PAGE + 2)]
    assert queries(client, url) == with_1
    assert queries(client, url + "?page=2") == with_1
    assert with_1 <= 12

    first_page = client.get(url).content.decode()
    assert detail_url(upcoming) in first_page
    newest_first = held[:HELD_PER_PAGE]  # held[0] is the most recent one
    assert all(detail_url(m) in first_page for m in newest_first)
    assert detail_url(held[-1]) not in first_page
    assert "Page 1 of 2" in first_page and 'rel="next"' in first_page
    second_page = client.get(url, {"page": 2}).content.decode()
    assert all(detail_url(m) in second_page for m in held[HELD_PER_PAGE:])
    assert detail_url(held[0]) not in second_page
    assert detail_url(upcoming) in second_page  # what is coming up stays on top of every page


def test_meeting_list_counts_the_items_of_each_meeting(client_en, coordinator, make_case, builder):
    make_case(S.AWAITING_OT)
    make_case(S.AWAITING_OT)
    meeting = builder.plan_meeting(starts_at=timezone.now() + timedelta(days=3), attendees=[coordinator])
    item = meeting.items.first()
    builder.decide(item.case, OTDecision.NOT_INCLUDE)
    response = client_en(coordinator).get(reverse("cases:ot_list"))
    listed = response.context["upcoming"]
    assert [(m.pk, m.item_count, m.open_count) for m in listed] == [(meeting.pk, 2, 1)]
    assert "2 cases" in response.content.decode() and "1 without decision" in response.content.decode()
    assert meeting.status == OTMeetingStatus.PLANNED
