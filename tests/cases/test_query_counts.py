"""Pages whose query count must not grow with the data: the case list and the case page with 10 and
with 200 cases in the chain, and the OT meeting page with 1 and with 10 agenda items.

Each page is requested once to get first-request work (session, content types) out of the way,
then measured on the second request. The cases are registered through the domain in a loop
(cases.domain.register_case); every third one gets a case director and every fourth one moves to
intake, so the list has several statuses, directors and pages. Nothing is written to the tables
directly. (tests/cases/test_views_case_list.py and test_views_ot.py check 3 vs 30 cases and 1 vs 3
agenda items; these check the sizes of a real chain.)
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ketenregie.cases import domain, workflow
from ketenregie.cases.domain import GuardianData, OffenceData, RegistrationData, YouthData
from ketenregie.cases.enums import CaseStatus, GuardianRelation, ReferrerKind
from ketenregie.cases.models import Case
from ketenregie.cases.views.case_list import PER_PAGE
from tests.cases.conftest import years_before

S = CaseStatus


def queries(client, url: str, params: dict | None = None) -> int:
    """The number of queries of the second request of ``url`` (the first one warms up)."""
    assert client.get(url, params or {}).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def register_many(chain, coordinator, case_director, police):
    """``register_many(n)``: n more registered cases, each with its own youth, through the domain."""
    made = []

    def register(n: int) -> None:
        today = timezone.localdate()
        for _ in range(n):
            i = len(made)
            registered = today - timedelta(days=30 + i % 60)
            case = domain.register_case(
                actor=coordinator,
                chain=chain,
                confirm_not_duplicate=True,
                data=RegistrationData(
                    youth=YouthData(
                        first_name=f"Jongere{i}",
                        last_name=f"Familie{i}",
                        birth_date=years_before(registered, 13 + i % 5) - timedelta(days=i),
                        postal_code="3600",
                        municipality="Genk",
                    ),
                    referrer_kind=ReferrerKind.ORGANISATION,
                    referrer_organisation=police,
                    referrer_name="Inspecteur Wouters",
                    registered_on=registered,
                    youth_informed_on=registered - timedelta(days=1),
                    parents_informed_on=registered - timedelta(days=1),
                    multi_problem="Schoolverzuim en conflicten thuis.",
                    offences=[OffenceData(offence_type="diefstal", committed_on=registered - timedelta(days=10))],
                    guardians=[GuardianData(name=f"Ouder {i}", relation=GuardianRelation.MOTHER)],
                ),
            )
            if i % 3 == 0:
                domain.assign_case_director(actor=coordinator, case=case, case_director=case_director)
            if i % 4 == 0:
                workflow.transition_case(case, S.INTAKE, actor=coordinator)
            made.append(case)

    return register


def test_case_list_runs_the_same_queries_for_10_and_200_cases(client_for, coordinator, case_director, register_many):
    url = reverse("cases:case_list")
    filtered = {"status": S.REGISTERED, "sort": "status", "age": "15-17"}
    # The coordinator sees every case of the chain, the case director only their own (every third).
    clients = {"coordinator": client_for(coordinator), "case_director": client_for(case_director)}

    # A search by name, as the search box makes it: posted, then the list of its token (every youth of
    # register_many matches, so both sizes list rows).
    searched = {
        who: {
            "sort": "status",
            "zoek": parse_qs(urlsplit(client.post(url, {"q": "familie"})["Location"]).query)["zoek"][0],
        }
        for who, client in clients.items()
    }

    register_many(10)
    with_10 = {who: queries(client, url) for who, client in clients.items()}
    with_10_filtered = {who: queries(client, url, filtered) for who, client in clients.items()}
    with_10_searched = {who: queries(client, url, searched[who]) for who, client in clients.items()}

    register_many(190)
    assert Case.objects.count() == 200
    assert Case.objects.filter(case_director=case_director).count() == 67 > PER_PAGE  # several pages for both
    for who, client in clients.items():
        assert queries(client, url) == with_10[who], who
        assert queries(client, url, {"page": 2}) == with_10[who], who
        assert queries(client, url, {"page": 999}) == with_10[who], who  # the last page
        assert queries(client, url, filtered) == with_10_filtered[who], who
        assert queries(client, url, searched[who]) == with_10_searched[who], who
        assert client.get(url, searched[who]).context["form"]["q"].value() == "familie"


def test_case_page_runs_the_same_queries_with_10_and_200_cases_in_the_chain(
    client_for, coordinator, make_case, register_many
):
    # An active case has the longest page: transitions, consents, an OT decision, the start.
    case = make_case(S.ACTIVE)
    client = client_for(coordinator)
    url = reverse("cases:case_detail", kwargs={"case_id": case.pk})

    register_many(9)
    assert Case.objects.count() == 10
    with_10 = queries(client, url)

    register_many(190)
    assert Case.objects.count() == 200
    assert queries(client, url) == with_10


@pytest.mark.parametrize("who", ["coordinator", "ot_member"])
def test_ot_meeting_page_runs_the_same_queries_for_1_and_10_agenda_items(
    client_for, coordinator, ot_member, make_case, builder, who
):
    make_case(S.AWAITING_OT)
    meeting = builder.plan_meeting(starts_at=timezone.now() + timedelta(days=2), attendees=[coordinator, ot_member])
    domain.acknowledge_confidentiality(actor=ot_member, meeting=meeting, attendee=ot_member)
    client = client_for(coordinator if who == "coordinator" else ot_member)
    url = reverse("cases:ot_detail", kwargs={"meeting_id": meeting.pk})

    def measured(items: int) -> int:
        count = queries(client, url)
        response = client.get(url)
        rows = response.context["agenda"].rows
        assert len(rows) == items
        assert all(row.visible for row in rows)  # every dossier is shown, not only its placeholder
        if who == "coordinator":
            # A link opens each decision form: the agenda itself renders none.
            assert all(row.can_decide and row.form is None for row in rows)
        return count

    one = measured(1)
    for _ in range(9):
        make_case(S.AWAITING_OT)
    assert domain.refresh_agenda(actor=coordinator, meeting=meeting) == 9
    assert measured(10) == one
