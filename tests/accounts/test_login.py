"""Logging in (SECURITY.md A2, A4, A6): username or e-mail, no enumeration, Argon2id, new session id."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse

from ketenregie.audit.models import AuditEvent
from tests.factories import PASSWORD

LOGIN = reverse("accounts:login")


def _login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.mark.parametrize(
    "login_name",
    ["coordinator", "COORDINATOR", " Coordinator ", "sofie.claes@genk.example", "Sofie.Claes@GENK.example"],
)
def test_login_by_username_or_email_case_insensitively(client, coordinator, login_name):
    coordinator.email = "sofie.claes@genk.example"
    coordinator.save(update_fields=["email"])

    response = _login(client, login_name)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(coordinator.pk)
    event = AuditEvent.objects.filter(action="auth.login").get()
    assert event.actor_id == coordinator.pk
    assert event.actor_roles == "operational_coordinator"


def test_login_lands_on_next_when_it_is_local(client, coordinator):
    response = client.post(
        f"{LOGIN}?next=/account/", {"username": "coordinator", "password": PASSWORD, "next": "/account/"}
    )
    assert response["Location"] == "/account/"


def test_login_never_redirects_to_another_host(client, coordinator):
    response = client.post(LOGIN, {"username": "coordinator", "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_email_shared_by_two_accounts_logs_nobody_in(client, coordinator, case_director):
    # The e-mail constraint is case-insensitive, but a username may look like someone's e-mail.
    case_director.username = "sofie@genk.example"
    case_director.save(update_fields=["username"])
    coordinator.email = "Sofie@genk.example"
    coordinator.save(update_fields=["email"])

    response = _login(client, "sofie@genk.example")

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def _form_errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


def _page_without_echoes(html: bytes) -> str:
    """The page without what differs between any two requests: CSRF tokens and the typed login name."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r'name="username" value="[^"]*"', 'name="username"', html)


def test_unknown_user_and_wrong_password_get_the_same_answer(client, coordinator):
    unknown = _login(client, "nobody-here", "whatever whatever")
    wrong_password = _login(client, "coordinator", "whatever whatever")
    inactive_user = coordinator
    inactive_user.is_active = False
    inactive_user.save(update_fields=["is_active"])
    inactive = _login(client, "coordinator", PASSWORD)

    assert unknown.status_code == wrong_password.status_code == inactive.status_code == 200
    assert _form_errors(unknown) == _form_errors(wrong_password) == _form_errors(inactive)
    assert len(_form_errors(unknown)) == 1
    # Not only the message: the whole page is the same, so nothing else gives the account away.
    pages = {_page_without_echoes(r.content) for r in (unknown, wrong_password, inactive)}
    assert len(pages) == 1
    assert SESSION_KEY not in client.session
    failed = AuditEvent.objects.filter(action="auth.login_failed")
    assert list(failed.values_list("actor_username", "result")) == [
        ("nobody-here", "failed"),
        ("coordinator", "failed"),
        ("coordinator", "failed"),
    ]
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_login_gives_a_new_session_id(client, coordinator):
    session = client.session  # an anonymous session, as a visitor has before logging in
    session["probe"] = "before"
    session.save()
    before = session.session_key

    _login(client, "coordinator")

    after = client.cookies["ketenregie_session"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert Session.objects.filter(session_key=after).exists()


def test_authenticated_user_opening_the_login_page_goes_home(client_for, coordinator):
    response = client_for(coordinator).get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
