"""The partner workspace: "Mijn acties" with status updates, and "Mijn overleggen" with invitations."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.timeline import build_timeline
from ketenregie.consent.domain import withdraw_consent
from ketenregie.followup.models import Notification
from ketenregie.meetings import domain as meetings_domain
from ketenregie.meetings.enums import LocationKind
from ketenregie.plans.enums import ActionStatus


def update_url(action) -> str:
    return reverse("threads:action_update", kwargs={"action_id": action.pk})


def test_my_actions_lists_only_the_partners_actions_in_shared_domains(shared, partner, client_for):
    response = client_for(partner).get(reverse("threads:my_actions"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Gesprek met de klastitularis" in html
    assert "Inschrijven bij de club" not in html  # a life domain not shared with the CLB
    assert "Budgetbegeleiding aanvragen" not in html  # the CAW's action
    assert AuditEvent.objects.filter(action="case.listed", actor_id=partner.pk, details__view="my_actions").exists()


def test_the_partner_completes_an_action_with_a_note(
    shared, partner, case_director, client_for, django_capture_on_commit_callbacks
):
    action = shared["mine"]
    prefix = str(action.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(partner).post(
            update_url(action), {f"{prefix}-status": ActionStatus.DONE, f"{prefix}-note": "Gesprek gehad op 3/3."}
        )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.note == "Gesprek gehad op 3/3."
    notification = Notification.objects.get(user=case_director, kind="action_updated")
    assert notification.case_id == shared["case"].pk
    assert AuditEvent.objects.filter(action="plan.action_updated", actor_id=partner.pk).exists()
    sentences = [e.sentence for e in build_timeline(shared["case"])]
    assert any("Nathalie Willems set an action of the plan to “Done”." == s for s in sentences)


def test_a_partner_updating_an_action_they_are_not_responsible_for_gets_404(shared, partner, client_for):
    client = client_for(partner)
    for action in (shared["caw"], shared["not_shared"]):
        prefix = str(action.pk)
        response = client.post(update_url(action), {f"{prefix}-status": ActionStatus.DONE, f"{prefix}-note": "Klaar"})
        assert response.status_code == 404
        action.refresh_from_db()
        assert action.status == ActionStatus.PLANNED


def test_after_the_consent_is_withdrawn_the_actions_are_gone(shared, partner, coordinator, client_for):
    withdraw_consent(actor=coordinator, consent=shared["consent"], note="Niet meer delen.")
    client = client_for(partner)

    assert "Gesprek met de klastitularis" not in client.get(reverse("threads:my_actions")).content.decode()
    prefix = str(shared["mine"].pk)
    assert client.post(update_url(shared["mine"]), {f"{prefix}-status": ActionStatus.DONE}).status_code == 404


def test_an_invalid_status_is_shown_next_to_the_field(shared, partner, client_for):
    prefix = str(shared["mine"].pk)
    response = client_for(partner).post(update_url(shared["mine"]), {f"{prefix}-status": "gedaan"})

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


def _meeting(case, case_director, invitees):
    return meetings_domain.plan_meeting(
        actor=case_director,
        case=case,
        starts_at=timezone.now() + timedelta(days=5),
        location_kind=LocationKind.NEUTRAL,
        location="Stadhuis Genk",
        agenda="Evaluatie van het plan",
        invitees=invitees,
    )


def test_my_meetings_lists_the_meetings_the_partner_is_invited_to_with_an_ics(
    shared, partner, case_director, client_for
):
    invited = _meeting(shared["case"], case_director, [shared["member"]])
    other = _meeting(shared["case"], case_director, [])
    client = client_for(partner)

    html = client.get(reverse("threads:my_meetings")).content.decode()
    assert reverse("threads:meeting_ics", args=[invited.pk]) in html
    assert reverse("threads:meeting_ics", args=[other.pk]) not in html

    ics = client.get(reverse("threads:meeting_ics", args=[invited.pk]))
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content and shared["case"].youth.last_name.encode() not in ics.content
    assert AuditEvent.objects.filter(action="meeting.invite_downloaded", object_id=str(invited.pk)).exists()
    assert client.get(reverse("threads:meeting_ics", args=[other.pk])).status_code == 404


def test_the_workspace_is_empty_for_a_new_account(no_role_user, client_for):
    client = client_for(no_role_user)
    assert "No open actions for you." in client.get(reverse("threads:my_actions")).content.decode()
    assert "No meeting planned with you." in client.get(reverse("threads:my_meetings")).content.decode()
