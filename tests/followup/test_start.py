"""The "Vandaag" start page per role: signals first, cases with their last contact, the next OT agenda,
the strategists' figures — in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tests.followup.conftest import S, contact, local, plan_network_meeting, unique_last_name

pytestmark = pytest.mark.django_db


def home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def section(response, role):
    return next(s for s in response.context["sections"] if s.role == role)


@pytest.fixture
def overdue_cases(make_case, other_case_director):
    with freeze_time(timezone.now() - timedelta(days=28)):  # before "no plan" (30 days), whatever the hour
        mine = make_case(S.ACTIVE)
        theirs = make_case(S.ACTIVE, director=other_case_director)
    return mine, theirs


def test_a_case_director_sees_their_own_signals_first_then_their_cases(overdue_cases, client_for, case_director):
    mine, theirs = overdue_cases
    when = timezone.now() - timedelta(days=2)
    contact(mine, case_director, at=when, reached=False)
    meeting = plan_network_meeting(mine, case_director, starts_at=timezone.now() + timedelta(days=3))
    response = home(client_for(case_director))
    director = section(response, "case_director")
    assert {i["signal"].case_id for i in director.followup.items} == {mine.pk}
    assert director.followup.mine and director.followup.total >= 1
    note = director.items[0].note
    assert "Active" in note
    assert "last contact " + timezone.localtime(when).strftime("%-d") in note
    assert "network meeting " + timezone.localtime(meeting.starts_at).strftime("%-d") in note
    html = response.content.decode()
    assert html.index("Your signals") < html.index(mine.youth.full_name + " (" + mine.reference + ")")
    assert theirs.reference not in html
    assert reverse("followup:signals") in html and reverse("followup:intervision") in html


def test_the_top_ten_signals_and_a_link_to_all(active_cases, client_for, case_director):
    # 25 days: past "out of view" (21), before "no plan" (30) — in Brussels' days whatever the hour in UTC.
    with freeze_time(timezone.now() - timedelta(days=25)):
        active_cases(6)  # each: contact overdue and out of view
    director = section(home(client_for(case_director)), "case_director")
    assert len(director.followup.items) == 10
    assert director.followup.total == 12


def test_the_coordinator_sees_the_chains_signals_registrations_and_the_next_ot_agenda(
    overdue_cases, client_for, coordinator, builder
):
    builder.register()
    meeting = builder.plan_meeting(starts_at=timezone.now() + timedelta(days=4))
    builder.submit_to_ot(builder.start_intake(builder.register()))
    from ketenregie.cases import domain as cases_domain

    cases_domain.refresh_agenda(actor=coordinator, meeting=meeting)
    response = home(client_for(coordinator))
    coord = section(response, "operational_coordinator")
    assert {i["signal"].case_id for i in coord.followup.items} == {c.pk for c in overdue_cases}
    assert not coord.followup.mine
    labels = [i.label for i in coord.items]
    assert "Registrations to process: 1" in labels
    ot = next(i for i in coord.items if i.label.startswith("Next OT meeting"))
    assert ot.url == reverse("cases:ot_detail", kwargs={"meeting_id": meeting.pk})
    n = meeting.items.count()
    assert n >= 1 and f"{n} case" in ot.note
    assert "Signals of the chain" in response.content.decode()


def test_an_ot_member_sees_the_next_agenda_they_attend_and_no_signals(overdue_cases, client_for, ot_member, builder):
    meeting = builder.plan_meeting(starts_at=timezone.now() + timedelta(days=4), attendees=[ot_member])
    ot = section(home(client_for(ot_member)), "ot_member")
    assert not getattr(ot, "followup", None)
    item = ot.items[0]
    assert item.url == reverse("cases:ot_detail", kwargs={"meeting_id": meeting.pk})
    assert "on the agenda" in item.note


def test_the_strategist_sees_figures_only(overdue_cases, client_for, strategic, make_case):
    make_case(S.CLOSED)
    make_case(S.REGISTERED)
    response = home(client_for(strategic))
    figures = {i.label: i.note for i in section(response, "strategic_coordinator").items}
    assert figures["Active cases"] == "2"
    assert figures["Closed this year"] == "1"
    from ketenregie.cases.models import Case

    this_month = Case.objects.filter(registered_on__gte=timezone.localdate().replace(day=1)).count()
    assert figures["New registrations this month"] == str(this_month)
    per_status = {i.label: i.note for i in section(response, "strategic_coordinator").figures_by_status}
    assert per_status == {"Registered": "1", "Active": "2", "Closed": "1"}
    html = response.content.decode()
    for case in overdue_cases:
        assert case.reference not in html and case.youth.first_name not in html
    assert "Counts only" in html


def test_the_start_page_takes_the_same_number_of_queries_for_5_and_50_cases(
    active_cases, builder, client_for, case_director, coordinator, strategic, ot_member
):
    def measure() -> tuple[int, ...]:
        counts = []
        for user in (case_director, coordinator, strategic, ot_member):
            client = client_for(user)
            home(client)
            with CaptureQueriesContext(connection) as ctx:
                home(client)
            counts.append(len(ctx))
        return tuple(counts)

    def add(n: int) -> None:
        with freeze_time(timezone.now() - timedelta(days=20)):
            cases = active_cases(n)
        for i, case in enumerate(cases):
            if i % 2:
                contact(case, case_director, at=local(timezone.localdate() - timedelta(days=1), 9))
        for _ in range(max(1, n // 10)):
            builder.register(last_name=unique_last_name())

    builder.plan_meeting(starts_at=timezone.now() + timedelta(days=4), attendees=[ot_member])
    add(5)
    small = measure()
    add(45)
    assert measure() == small
