"""The weekly intervision page: every active case of the chain, summaries of colleagues' cases, advice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.timeline import build_timeline
from ketenregie.followup import domain
from ketenregie.followup.models import IntervisionAdvice, IntervisionSession, Notification
from tests.followup.conftest import S, contact

pytestmark = pytest.mark.django_db

SECRET_NOTE = "Vertelde in vertrouwen over de schulden van zijn vader."
POSITIVE_NOTE = "Heeft zijn eerste week stage volgehouden."


@pytest.fixture
def team(make_case, case_director, other_case_director, coordinator):
    """One active case of each case director, each with contacts, one positive; the colleague's with an event."""
    mine = make_case(S.ACTIVE)
    theirs = make_case(S.ACTIVE, director=other_case_director)
    contact(mine, case_director, note=POSITIVE_NOTE, positive_development=True)
    contact(mine, case_director, reached=False)
    contact(theirs, other_case_director, note=SECRET_NOTE, positive_development=True)
    domain.record_event(
        actor=other_case_director,
        case=theirs,
        kind="crisis",
        occurred_on=timezone.localdate(),
        description="Crisisopname na een conflict thuis.",
    )
    return mine, theirs


def rows(response) -> dict:
    return {r.case.pk: r for r in response.context["overview"].rows}


def test_a_case_director_reads_their_own_cases_and_only_figures_of_colleagues(team, client_for, case_director):
    mine, theirs = team
    response = client_for(case_director).get(reverse("followup:intervision"))
    assert response.status_code == 200
    by_case = rows(response)
    assert by_case[mine.pk].full and not by_case[theirs.pk].full
    assert (by_case[mine.pk].reached, by_case[mine.pk].not_reached, by_case[mine.pk].positive) == (1, 1, 1)
    assert (by_case[theirs.pk].positive, by_case[theirs.pk].events) == (1, 1)
    html = response.content.decode()
    assert POSITIVE_NOTE in html and mine.youth.full_name in html
    # The colleague's case: reference, first name and initial, status, counts — no content, no last name.
    assert theirs.reference in html
    assert f"{theirs.youth.first_name} {theirs.youth.last_name[0]}." in html
    assert theirs.youth.last_name not in html
    assert SECRET_NOTE not in html and "Crisisopname" not in html
    assert reverse("followup:intervision_advice", kwargs={"case_id": theirs.pk}) not in html
    assert reverse("cases:case_detail", kwargs={"case_id": theirs.pk}) not in html
    audit = AuditEvent.objects.filter(action="case.listed", actor_id=case_director.pk).last()
    assert audit.details == {"view": "intervision", "count": 2}


def test_the_coordinator_reads_every_active_case(team, client_for, coordinator, make_case):
    mine, theirs = team
    make_case(S.INCLUDED)  # not active yet: not discussed
    response = client_for(coordinator).get(reverse("followup:intervision"))
    assert set(rows(response)) == {mine.pk, theirs.pk}
    assert all(r.full for r in rows(response).values())
    html = response.content.decode()
    assert SECRET_NOTE in html and "Crisisopname na een conflict thuis." in html


@pytest.mark.parametrize("who", ["ot_member", "partner", "strategic"])
def test_intervision_is_for_the_chains_coordinators_and_case_directors(who, request, client_for):
    assert client_for(request.getfixturevalue(who)).get(reverse("followup:intervision")).status_code == 404


def test_another_chains_coordinator_sees_only_their_own_chain(team, client_for, outsider):
    mine, theirs = team
    response = client_for(outsider).get(reverse("followup:intervision"))
    assert response.context["overview"].rows == []
    assert response.context["chain"] == outsider.memberships.get().chain
    html = response.content.decode()
    assert mine.reference not in html and theirs.reference not in html
    assert client_for(outsider).get(reverse("followup:intervision"), {"keten": mine.chain.slug}).status_code == 404


def test_developments_are_counted_since_the_last_session(team, client_for, case_director, coordinator):
    mine, _theirs = team
    with freeze_time(timezone.now() - timedelta(days=10)):
        domain.start_intervision(actor=coordinator, chain=mine.chain, held_on=timezone.localdate())
    response = client_for(case_director).get(reverse("followup:intervision"))
    overview = response.context["overview"]
    assert overview.last_session is not None
    assert overview.since == timezone.localdate() - timedelta(days=10)
    assert rows(response)[mine.pk].contacts == 2


def test_without_a_session_the_page_looks_back_seven_days(make_case, case_director, client_for):
    case = make_case(S.ACTIVE)
    contact(case, case_director, at=timezone.now() - timedelta(days=8))
    contact(case, case_director, at=timezone.now() - timedelta(days=2))
    response = client_for(case_director).get(reverse("followup:intervision"))
    assert response.context["overview"].since == timezone.localdate() - timedelta(days=7)
    assert rows(response)[case.pk].contacts == 1


def test_recording_the_teams_advice_lands_in_the_timeline_and_notifies_the_director(
    team, client_for, coordinator, case_director
):
    mine, _theirs = team
    url = reverse("followup:intervision_advice", kwargs={"case_id": mine.pk})
    response = client_for(coordinator).post(url, {"advice": "Plan een netwerkoverleg met de school."})
    assert response.status_code == 302 and response["Location"].endswith(f"#case-{mine.pk}")
    advice = IntervisionAdvice.objects.get(case=mine)
    assert advice.session.held_on == timezone.localdate() and advice.created_by == coordinator
    assert IntervisionSession.objects.count() == 1
    timeline = build_timeline(mine)
    assert any(e.kind == "intervision" and e.note == "Plan een netwerkoverleg met de school." for e in timeline)
    assert Notification.objects.filter(user=case_director, kind="intervision_advice", case=mine).exists()
    page = client_for(case_director).get(reverse("followup:intervision")).content.decode()
    assert "Advice recorded today" in page and "Plan een netwerkoverleg met de school." in page


def test_empty_advice_is_refused_next_to_the_field(team, client_for, case_director):
    mine, _ = team
    response = client_for(case_director).post(
        reverse("followup:intervision_advice", kwargs={"case_id": mine.pk}), {"advice": "  "}
    )
    assert response.status_code == 200
    row = rows(response)[mine.pk]
    assert row.error_form.errors["advice"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not IntervisionAdvice.objects.exists()


def test_a_case_director_cannot_record_advice_on_a_colleagues_case(team, client_for, case_director):
    _mine, theirs = team
    url = reverse("followup:intervision_advice", kwargs={"case_id": theirs.pk})
    assert client_for(case_director).post(url, {"advice": "Iets"}).status_code == 404
    assert client_for(case_director).get(url).status_code == 405
    assert not IntervisionAdvice.objects.exists()


def test_the_timeline_tells_contacts_and_events(team, other_case_director):
    _mine, theirs = team
    events = build_timeline(theirs)
    kinds = [e.kind for e in events]
    assert "contact" in kinds and "event" in kinds
    event = next(e for e in events if e.kind == "event")
    assert "Crisis" in event.sentence and "The case went back to the OT." in event.note


def test_the_intervision_page_takes_the_same_number_of_queries_for_2_and_8_cases(
    active_cases, client_for, case_director, other_case_director, coordinator
):
    def measure(user) -> int:
        client = client_for(user)
        client.get(reverse("followup:intervision"))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("followup:intervision")).status_code == 200
        return len(ctx)

    for case in active_cases(1) + active_cases(1, director=other_case_director):
        contact(case, case.case_director, positive_development=True, note="Goed bezig.")
    small = (measure(case_director), measure(coordinator))
    for case in active_cases(3) + active_cases(3, director=other_case_director):
        contact(case, case.case_director, positive_development=True, note="Goed bezig.")
        domain.record_event(actor=coordinator, case=case, kind="move", occurred_on=timezone.localdate())
    assert (measure(case_director), measure(coordinator)) == small
