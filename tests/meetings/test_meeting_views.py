"""The meeting pages: planning, the invitation, recording as held (never without the youth), evaluation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.meetings import domain
from ketenregie.meetings.domain import HeldData
from ketenregie.meetings.enums import MeetingStatus
from ketenregie.meetings.models import ActionEvaluation, DomainProgress, NetworkMeeting
from ketenregie.plans.models import Action, Plan
from tests.plans.fixtures import one_domain

HOSTILE = '<script>alert("x")</script>'
LONG = "Lange tekst. " * 1200


@pytest.fixture
def meeting(case, case_director, network, legal_basis):
    return domain.plan_meeting(
        actor=case_director,
        case=case,
        starts_at=timezone.now() + timedelta(minutes=30),
        location_kind="neutral",
        location="Stadhuis Genk, zaal 2.14",
        agenda="Plan van aanpak maken.",
        invitees=list(network.values()),
    )


@pytest.fixture
def with_plan(case, case_director, network):
    from ketenregie.plans.domain import save_plan

    save_plan(actor=case_director, case=case, version=0, domains=[one_domain(network)])
    return Plan.objects.get(case=case)


def urls(case, meeting=None) -> dict[str, str]:
    result = {"list": reverse("meetings:list", args=[case.pk]), "create": reverse("meetings:create", args=[case.pk])}
    if meeting is not None:
        args = [case.pk, meeting.pk]
        result.update(
            detail=reverse("meetings:detail", args=args),
            ics=reverse("meetings:ics", args=args),
            invitation=reverse("meetings:invitation", args=args),
            hold=reverse("meetings:hold", args=args),
            evaluate=reverse("meetings:evaluate", args=args),
        )
    return result


def local_input(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


# --- Who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "create", "detail", "ics", "invitation", "hold", "evaluate"])
def test_outsider_gets_404(case, meeting, client_for, outsider, other_case_director, name):
    for user in (outsider, other_case_director):
        assert client_for(user).get(urls(case, meeting)[name]).status_code == 404


def test_an_ot_member_who_sees_the_case_gets_no_meeting_pages(case, meeting, client_for, ot_member):
    # OT members see a dossier's OT summary only (policy.can_view_case_content): meetings are content.
    client = client_for(ot_member)
    for name in ("list", "detail", "create", "hold", "evaluate"):
        assert client.get(urls(case, meeting)[name]).status_code == 404
    assert client.post(urls(case, meeting)["hold"], {"youth_attended": "on"}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


# --- Planning ------------------------------------------------------------------------------------


def _plan_data(network, starts_at, **extra):
    data = {
        "kind": "fix",
        "starts_at": local_input(starts_at),
        "duration_minutes": "90",
        "location_kind": "neutral",
        "location": "Stadhuis Genk, zaal 2.14",
        "agenda": "Plan maken.",
        "invitees": [str(network["clb"].pk), str(network["mother"].pk)],
    }
    data.update(extra)
    return data


def test_plan_a_meeting(case, network, legal_basis, client_for, case_director):
    client = client_for(case_director)
    form = client.get(urls(case)["create"]).content.decode()
    assert "Elif Yilmaz" in form  # the current network as checkboxes
    response = client.post(urls(case)["create"], _plan_data(network, timezone.now() + timedelta(days=7)))
    meeting = NetworkMeeting.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == urls(case, meeting)["detail"]
    assert set(meeting.invitees.all()) == {network["clb"], network["mother"]}


def test_a_meeting_in_the_past_is_refused_next_to_the_field(case, network, legal_basis, client_for, case_director):
    response = client_for(case_director).post(
        urls(case)["create"], _plan_data(network, timezone.now() - timedelta(days=1))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"][0].startswith("A planned meeting lies in the future")
    assert not NetworkMeeting.objects.exists()


def test_meeting_list_query_count_is_constant(case, network, legal_basis, client_for, case_director):
    def plan(n):
        for i in range(n):
            domain.plan_meeting(
                actor=case_director,
                case=case,
                starts_at=timezone.now() + timedelta(days=3 + i),
                location_kind="home",
                location="Thuis",
                invitees=list(network.values()),
            )

    client = client_for(case_director)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(urls(case)["list"]).status_code == 200
        return len(captured)

    plan(1)
    count()
    one = count()
    plan(2)
    assert count() == one


# --- Invitation ----------------------------------------------------------------------------------


def test_ics_download_is_a_calendar_attachment_without_the_youth_and_audited(case, meeting, client_for, case_director):
    response = client_for(case_director).get(urls(case, meeting)["ics"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content.decode()
    assert case.reference in body and case.youth.last_name not in body and case.youth.first_name not in body
    assert AuditEvent.objects.filter(action="meeting.invite_downloaded", object_id=str(meeting.pk)).count() == 1


def test_printable_invitation_has_the_facts_and_no_offence_or_youth_name(case, meeting, client_for, case_director):
    content = client_for(case_director).get(urls(case, meeting)["invitation"]).content.decode()
    start = content.index('<article class="invitation">')
    invitation = content[start : content.index("</article>", start)]
    for text in (
        "Stadhuis Genk, zaal 2.14",
        "Plan van aanpak maken.",
        "Nathalie Willems",
        "Fatima Vermeulen",
        timezone.localtime(meeting.starts_at).strftime("%H:%M"),
        case.reference,
    ):
        assert text in invitation
    assert case.youth.last_name not in invitation
    assert "diefstal" not in invitation.lower() and "Schoolverzuim" not in invitation


# --- Recording as held -------------------------------------------------------------------------


def test_held_without_the_youth_shows_the_rule_next_to_the_field(case, meeting, network, client_for, case_director):
    response = client_for(case_director).post(
        urls(case, meeting)["hold"],
        {
            "present": [str(network["mother"].pk)],
            "minutes": "Jongere niet gekomen.",
            "agreements-TOTAL_FORMS": "3",
            "agreements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "Zonder jongere, geen FIX-overleg" in content
    assert 'class="rule-refused" role="alert"' in content
    assert response.context["form"].errors["youth_attended"]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert AuditEvent.objects.filter(action="meeting.refused", object_id=str(meeting.pk), result="denied").exists()


def test_professional_without_acknowledgement_is_refused_in_the_form(case, meeting, network, client_for, case_director):
    response = client_for(case_director).post(
        urls(case, meeting)["hold"],
        {
            "youth_attended": "on",
            "present": [str(network["clb"].pk)],
            "agreements-TOTAL_FORMS": "3",
            "agreements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 422
    assert response.context["form"].errors["acknowledged"] == [
        "Nathalie Willems (professional) must acknowledge confidentiality for this meeting."
    ]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_held_with_agreements_adds_actions_to_the_plan(case, meeting, network, with_plan, client_for, case_director):
    goal = with_plan.domains.get().goals.get()
    client = client_for(case_director)
    assert client.get(urls(case, meeting)["hold"]).status_code == 200
    response = client.post(
        urls(case, meeting)["hold"],
        {
            "youth_attended": "on",
            "present": [str(network["clb"].pk), str(network["mother"].pk)],
            "acknowledged": [str(network["clb"].pk)],
            "minutes": "Goed gesprek.",
            "information_shared": "CLB: aanwezigheden sinds maart.",
            "agreements-TOTAL_FORMS": "3",
            "agreements-INITIAL_FORMS": "0",
            "agreements-0-goal": str(goal.pk),
            "agreements-0-what": "Mama belt de school",
            "agreements-0-responsible": str(network["mother"].pk),
            "agreements-0-due_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert Action.objects.get(source_meeting=meeting).what == "Mama belt de school"
    assert Plan.objects.get(case=case).version == 2
    detail = client.get(urls(case, meeting)["detail"]).content.decode()
    assert "Mama belt de school" in detail and "acknowledged on" in detail


def test_a_meeting_far_ahead_cannot_be_recorded_yet(case, network, legal_basis, client_for, case_director):
    later = domain.plan_meeting(
        actor=case_director,
        case=case,
        starts_at=timezone.now() + timedelta(days=3),
        location_kind="home",
        location="Thuis",
    )
    response = client_for(case_director).post(urls(case, later)["hold"], {"youth_attended": "on"})
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.status == MeetingStatus.PLANNED


# --- Evaluation ------------------------------------------------------------------------------------


def test_evaluation_form_records_each_open_action_and_the_scores(case, meeting, with_plan, client_for, case_director):
    domain.hold_meeting(actor=case_director, meeting=meeting, data=HeldData(youth_attended=True))
    action = Action.objects.get(case=case)
    client = client_for(case_director)
    page = client.get(urls(case, meeting)["evaluate"]).content.decode()
    assert "Gesprek met de school 1.1" in page and "5 — goal (almost) reached" in page
    response = client.post(
        urls(case, meeting)["evaluate"],
        {
            f"kept_{action.pk}": "partly",
            f"realistic_{action.pk}": "no",
            f"note_{action.pk}": "Te snel gepland.",
            "score_werk_onderwijs": "3",
            "scorenote_werk_onderwijs": "Gaat beter.",
            "cooperation": "Vlot.",
        },
    )
    assert response.status_code == 302
    evaluation = ActionEvaluation.objects.get(meeting=meeting)
    assert (evaluation.kept, evaluation.realistic) == ("partly", False)
    assert DomainProgress.objects.get(meeting=meeting).score == 3
    plan_page = client.get(reverse("plans:plan", args=[case.pk])).content.decode()
    assert 'role="img"' in plan_page and "Progress per life domain" in plan_page


def test_evaluation_refuses_a_score_out_of_range(case, meeting, with_plan, client_for, case_director):
    domain.hold_meeting(actor=case_director, meeting=meeting, data=HeldData(youth_attended=True))
    response = client_for(case_director).post(urls(case, meeting)["evaluate"], {"score_werk_onderwijs": "7"})
    assert response.status_code == 200
    assert response.context["form"].errors["score_werk_onderwijs"]
    assert not DomainProgress.objects.exists()


# --- Hostile and very long input ---------------------------------------------------------------


def test_long_texts_and_markup_are_stored_and_rendered_escaped(
    case, network, with_plan, legal_basis, client_for, case_director
):
    client = client_for(case_director)
    text = HOSTILE + LONG
    response = client.post(
        urls(case)["create"], _plan_data(network, timezone.now() + timedelta(minutes=20), agenda=text, location=HOSTILE)
    )
    assert response.status_code == 302
    meeting = NetworkMeeting.objects.get(case=case)
    assert meeting.agenda == text.strip() and meeting.location == HOSTILE
    goal = with_plan.domains.get().goals.get()
    action = Action.objects.get(case=case)
    assert (
        client.post(
            urls(case, meeting)["hold"],
            {
                "youth_attended": "on",
                "present": [str(network["mother"].pk)],
                "minutes": text,
                "information_shared": text,
                "agreements-TOTAL_FORMS": "1",
                "agreements-INITIAL_FORMS": "0",
                "agreements-0-goal": str(goal.pk),
                "agreements-0-what": text,
                "agreements-0-responsible": str(network["mother"].pk),
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            urls(case, meeting)["evaluate"],
            {
                f"kept_{action.pk}": "yes",
                f"realistic_{action.pk}": "yes",
                f"note_{action.pk}": text,
                "score_werk_onderwijs": "4",
                "scorenote_werk_onderwijs": text,
                "cooperation": text,
            },
        ).status_code
        == 302
    )
    meeting.refresh_from_db()
    assert [meeting.minutes, meeting.information_shared, meeting.cooperation] == [text.strip()] * 3
    assert Action.objects.get(source_meeting=meeting).what == text.strip()
    assert ActionEvaluation.objects.get().note == text.strip()
    assert DomainProgress.objects.get().note == text.strip()
    for name in ("list", "detail", "invitation", "evaluate"):
        content = client.get(urls(case, meeting)[name]).content.decode()
        assert HOSTILE not in content, name
        if name != "list":  # the list of held meetings shows no free text
            assert "&lt;script&gt;" in content, name
    assert HOSTILE not in client.get(reverse("plans:plan", args=[case.pk])).content.decode()
