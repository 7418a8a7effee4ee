"""'Mijn traject': invitation, sign-in with an e-mail code and lockout, the youth's view, messages to the
case director, asking to withdraw a consent, the end of access, and the confinement to /mijn-traject/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from ketenregie.accounts.models import Membership
from ketenregie.audit.models import AuditEvent
from ketenregie.common.access import PORTAL
from ketenregie.followup.models import Notification
from ketenregie.portal import domain
from ketenregie.portal.enums import PortalRole
from ketenregie.portal.middleware import PORTAL_ALLOWED_ROUTES, PORTAL_API_PATHS
from ketenregie.portal.models import PortalRequest
from ketenregie.threads import queries as thread_queries
from ketenregie.threads.models import Message, Thread
from tests.factories import PASSWORD
from tests.plans.fixtures import close
from tests.routes import all_routes

HOME = "/mijn-traject/"


# --- Invitation -----------------------------------------------------------------------------------


def test_the_invitation_makes_an_account_without_roles_and_mails_only_a_link(
    shared, case_director, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        access = domain.invite(
            actor=case_director,
            case=shared["case"],
            role=PortalRole.YOUTH,
            email="Jens.Jongere@example.org",
            youth_agreed_on=timezone.localdate(),
        )

    user = access.user
    assert not user.has_usable_password() and not Membership.objects.filter(user=user).exists()
    assert user.email == "jens.jongere@example.org" and not user.is_staff
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    youth = shared["case"].youth
    assert youth.last_name not in body and shared["case"].reference not in body
    link = re.search(r"http\S+/mijn-traject/activeren/\S+/", body).group(0)
    assert AuditEvent.objects.filter(action="portal.invited", case_id=shared["case"].pk).exists()

    client = Client()
    path = link.split("//", 1)[1].split("/", 1)[1]
    page = client.post("/" + path, {"new_password1": "mijn eigen lange zin", "new_password2": "mijn eigen lange zin"})
    assert page.status_code == 302
    user.refresh_from_db()
    assert user.check_password("mijn eigen lange zin")
    assert client.get("/" + path).status_code == 404  # the link works once


def test_the_invitation_refuses_an_address_that_has_an_account(shared, case_director, partner):
    from ketenregie.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        domain.invite(
            actor=case_director,
            case=shared["case"],
            role=PortalRole.YOUTH,
            email=partner.email,
            youth_agreed_on=timezone.localdate(),
        )
    assert refused.value.errors[0]["field"] == "email"


def test_a_trusted_person_is_invited_only_from_the_network_as_trusted_person(shared, case_director, invite):
    from ketenregie.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        invite(shared["case"], role=PortalRole.TRUSTED_PERSON, member=shared["member"], email="x@example.org")


def test_only_the_case_workers_invite(shared, partner):
    from ketenregie.common.errors import NotAllowed

    with pytest.raises(NotAllowed):
        domain.invite(
            actor=partner,
            case=shared["case"],
            role="youth",
            email="y@example.org",
            youth_agreed_on=timezone.localdate(),
        )


def test_the_case_directors_page_invites(shared, case_director, client_for):
    url = reverse("portal:case_access", kwargs={"case_id": shared["case"].pk})
    response = client_for(case_director).post(
        url, {"role": "youth", "email": "jens@example.org", "youth_agreed_on": timezone.localdate().isoformat()}
    )

    assert response.status_code == 302
    assert shared["case"].portal_accesses.get().user.email == "jens@example.org"


# --- Signing in -----------------------------------------------------------------------------------


def test_signing_in_takes_the_password_and_a_code_from_the_mail(youth, settings):
    settings.REQUIRE_2FA = True
    client = Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post(reverse("portal:login"), {"username": youth.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:code")
    assert client.get(HOME)["Location"] == reverse("portal:code")  # no content with the password alone

    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert youth.first_name not in mail.outbox[-1].body
    wrong = "000000" if code != "000000" else "111111"
    assert "This code is not right" in client.post(reverse("portal:code"), {"code": wrong}).content.decode()
    # A wrong guess slows the next one down (django-otp throttling): try again a few seconds later.
    with freeze_time(timezone.now() + timedelta(seconds=5)):
        response = client.post(reverse("portal:code"), {"code": code})
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(action="portal.verified", actor_id=youth.pk).exists()
    assert AuditEvent.objects.filter(action="portal.code_failed", actor_id=youth.pk).exists()


def test_a_staff_account_cannot_sign_in_on_the_portal(case_director):
    response = Client().post(reverse("portal:login"), {"username": "regisseur1", "password": PASSWORD})

    assert response.status_code == 200
    assert "do not match" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_portal_account_out(youth, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("portal:login"), {"username": youth.email, "password": "fout wachtwoord 123"})

    response = client.post(reverse("portal:login"), {"username": youth.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# --- The youth's view -------------------------------------------------------------------------------


def test_the_trajectory_shows_goals_meeting_director_consents_and_steps(youth_client, youth, shared, case_director):
    response = youth_client.get(HOME)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ik wil mijn diploma halen." in html and "Gesprek met de klastitularis" in html
    assert "Nathalie Willems" in html  # who helps with the action
    assert case_director.get_full_name() in html and case_director.email in html
    assert "We may share information with these organisations:" in html and "CLB GO! Genk" in html
    assert "Your trajectory started." in html
    assert "Is slim." not in html  # the professionals' notes are not part of it
    assert "diefstal" not in html
    assert AuditEvent.objects.filter(action="portal.viewed", actor_id=youth.pk, case_id=shared["case"].pk).exists()


def test_the_page_is_for_a_phone_first(youth_client):
    html = youth_client.get(HOME).content.decode()

    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "portal/portal.css" in html
    assert reverse("cases:case_list") not in html  # no staff navigation


def test_the_youth_sends_a_message_to_the_case_director_only(
    youth_client, youth, shared, case_director, partner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = youth_client.post(
            reverse("portal:messages"), {"body": "Mag het overleg later? <b>Ik</b> heb school."}
        )

    assert response.status_code == 302
    thread = Thread.objects.get(portal_user=youth)
    assert set(thread.participants.values_list("user__username", flat=True)) == {youth.username, "regisseur1"}
    assert Notification.objects.filter(user=case_director, kind="portal_message").count() == 1
    assert not Notification.objects.filter(user=partner).exists()
    assert thread_queries.my_threads(partner) == []
    thread.case = shared["case"]
    assert not thread_queries.may_read(partner, thread)
    assert thread_queries.may_read(case_director, thread)

    html = youth_client.get(reverse("portal:messages")).content.decode()
    assert "&lt;b&gt;Ik&lt;/b&gt;" in html and "<b>Ik</b>" not in html
    assert AuditEvent.objects.filter(action="thread.viewed", actor_id=youth.pk).exists()


def test_the_case_director_answers_and_the_youth_reads_it(youth_client, youth, case_director, shared):
    from ketenregie.threads import domain as threads_domain

    domain.send_message(actor=youth, body="Hallo")
    thread = Thread.objects.get(portal_user=youth)
    thread.case = shared["case"]
    threads_domain.post_message(actor=case_director, thread=thread, body="Dag Jens, dat kan.")

    assert "Dag Jens, dat kan." in youth_client.get(reverse("portal:messages")).content.decode()


def test_asking_to_withdraw_a_consent_is_a_task_for_the_case_director(
    youth_client, youth, shared, case_director, client_for, django_capture_on_commit_callbacks
):
    consent = shared["consent"]
    url = reverse("portal:withdrawal", kwargs={"consent_id": consent.pk})
    assert youth_client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        youth_client.post(url, {"note": "Ik wil niet dat de school alles weet."})
        youth_client.post(url, {"note": "Nog eens"})

    request = PortalRequest.objects.get()
    assert request.consent == consent and request.handled_at is None
    consent.refresh_from_db()
    assert consent.withdrawn_on is None  # the case director records the withdrawal after talking
    assert Notification.objects.filter(user=case_director, kind="portal_withdrawal").count() == 1
    assert "You asked to withdraw this." in youth_client.get(HOME).content.decode()
    page = client_for(case_director).get(reverse("portal:case_access", kwargs={"case_id": shared["case"].pk}))
    assert "Ik wil niet dat de school alles weet." in page.content.decode()

    client_for(case_director).post(reverse("portal:request_handled", kwargs={"request_id": request.pk}))
    request.refresh_from_db()
    assert request.handled_at is not None


# --- Access ends -------------------------------------------------------------------------------------


def test_access_ends_when_the_case_closes(youth_client, shared, coordinator):
    close(shared["case"], coordinator)

    html = youth_client.get(HOME).content.decode()
    assert "Your access has ended" in html and "Ik wil mijn diploma halen." not in html
    assert youth_client.post(reverse("portal:messages"), {"body": "Hallo?"}).status_code == 200
    assert not Message.objects.exists()


def test_access_ends_when_the_case_director_ends_it(youth_client, youth_access, case_director, client_for):
    client_for(case_director).post(reverse("portal:access_end", kwargs={"access_id": youth_access.pk}))

    assert "Your access has ended" in youth_client.get(HOME).content.decode()
    assert AuditEvent.objects.filter(action="portal.ended").exists()


# --- Confinement ------------------------------------------------------------------------------------


def test_the_youth_gets_404_on_every_staff_url(youth_client, shared):
    wrong = []
    for route in all_routes():
        if route.access_rule == PORTAL or route.name in PORTAL_ALLOWED_ROUTES or route.url in PORTAL_API_PATHS:
            continue
        response = youth_client.get(route.url)
        if route.name == "home":
            if response.status_code != 302 or response["Location"] != HOME:
                wrong.append(f"{route}: {response.status_code}")
        elif response.status_code != 404:
            wrong.append(f"{route}: {response.status_code}")
    for url in (
        reverse("cases:case_detail", kwargs={"case_id": shared["case"].pk}),
        reverse("threads:case_threads", kwargs={"case_id": shared["case"].pk}),
        reverse("plans:plan", kwargs={"case_id": shared["case"].pk}),
    ):
        if youth_client.get(url).status_code != 404:
            wrong.append(url)
    assert wrong == []
    assert AuditEvent.objects.filter(action="access.denied", details__view="portal_confinement").exists()


def test_the_youth_cannot_open_another_youths_trajectory(youth_client, make_active_case, other_case_director):
    other = make_active_case(director=other_case_director)
    other_consent = other.consents.first()

    assert youth_client.get(reverse("portal:withdrawal", kwargs={"consent_id": other_consent.pk})).status_code == 404
    assert youth_client.post(reverse("portal:withdrawal", kwargs={"consent_id": other_consent.pk})).status_code == 404
    assert youth_client.get(reverse("cases:case_detail", kwargs={"case_id": other.pk})).status_code == 404
    assert other.youth.last_name not in youth_client.get(HOME).content.decode()
    assert not PortalRequest.objects.exists()


def test_staff_get_404_on_the_portal(case_director, partner, client_for):
    for user in (case_director, partner):
        client = client_for(user)
        assert client.get(HOME).status_code == 404
        assert client.get(reverse("portal:messages")).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_portal_login():
    response = Client().get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:login"))


def test_a_trusted_person_sees_the_trajectory_but_cannot_ask_withdrawals(shared, coordinator, invite):
    from ketenregie.network.domain import MemberData, add_network_member

    coach = add_network_member(
        actor=coordinator,
        case=shared["case"],
        data=MemberData(
            kind="informal", name="Coach Marc", role="Voetbaltrainer", is_trusted_person=True, youth_agreed=True
        ),
    )
    access = invite(shared["case"], role=PortalRole.TRUSTED_PERSON, member=coach, email="marc@example.org")
    client = Client()
    client.force_login(access.user)

    html = client.get(HOME).content.decode()
    assert "Ik wil mijn diploma halen." in html and "I want to withdraw this" not in html
    client.post(reverse("portal:withdrawal", kwargs={"consent_id": shared["consent"].pk}), {"note": ""})
    assert not PortalRequest.objects.exists()
