"""Re-authentication before exports, break-the-glass and role changes (SECURITY.md A7)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django_otp.oath import totp
from freezegun import freeze_time

from ketenregie.accounts import domain
from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import Membership
from ketenregie.accounts.reauth import (
    REAUTH_WINDOW,
    ReauthenticationRequired,
    reauth_required,
    recently_authenticated,
)
from ketenregie.audit.models import AuditEvent
from tests.factories import PASSWORD

CONFIRM = reverse("accounts:reauthenticate")
START = "2026-03-02 08:00:00"


def code_for(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def enrol(user):
    device = domain.pending_totp_device(user=user)
    assert domain.confirm_totp_device(actor=user, device=device, code=code_for(device)) is not None
    device.refresh_from_db()
    return device


def actions(user) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(actor_id=user.pk, action__startswith="auth.reauth").values_list("action", "result")
    )


def confirm(client, password=PASSWORD, code=None, next_url="/"):
    data = {"password": password, "next": next_url}
    if code is not None:
        data["code"] = code
    return client.post(f"{CONFIRM}?next={next_url}", data)


def test_the_confirm_page_asks_the_password_and_sends_back_to_next(client_for, coordinator):
    client = client_for(coordinator)
    page = client.get(CONFIRM, {"next": "/dossiers/"})
    assert page.status_code == 200
    assert list(page.context["form"].fields) == ["password"]
    assert not recently_authenticated(page.wsgi_request)

    response = confirm(client, next_url="/dossiers/")

    assert response.status_code == 302
    assert response["Location"] == "/dossiers/"
    assert recently_authenticated(client.get("/").wsgi_request)
    assert actions(coordinator) == [("auth.reauthenticated", "ok")]


def test_a_wrong_password_is_refused_next_to_the_field_and_audited(client_for, coordinator):
    client = client_for(coordinator)

    response = confirm(client, password="not the password at all")

    assert response.status_code == 200
    assert response.context["form"].errors == {"password": ["This password is not right."]}
    assert not recently_authenticated(response.wsgi_request)
    assert actions(coordinator) == [("auth.reauth_failed", "failed")]
    # A failed confirmation counts as a failed login for the lockout (A3, AU3).
    assert AuditEvent.objects.filter(action="auth.login_failed", actor_username="coordinator").exists()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/dossiers/", "//evil.example/", "javascript:alert(1)", "http://testserver.evil/"]
)
def test_next_must_stay_on_this_site(client_for, coordinator, next_url):
    client = client_for(coordinator)

    response = client.post(CONFIRM, {"password": PASSWORD, "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_with_two_factor_the_code_is_asked_too(client_for, coordinator):
    with freeze_time(START) as clock:
        device = enrol(coordinator)
        client = client_for(coordinator)
        page = client.get(CONFIRM)
        assert list(page.context["form"].fields) == ["password", "code"]

        missing = confirm(client)
        assert missing.context["form"].errors == {"code": ["This field is required."]}
        wrong = confirm(client, code="000000" if code_for(device) != "000000" else "111111")
        assert "code" in wrong.context["form"].errors
        assert not recently_authenticated(wrong.wsgi_request)
        wrong_password = confirm(client, password="wrong wrong wrong", code=code_for(device))
        assert "password" in wrong_password.context["form"].errors

        clock.tick(timedelta(seconds=31))  # a fresh code period: a used code does not count twice
        right = confirm(client, code=code_for(device), next_url="/dossiers/")

        assert right.status_code == 302
        assert right["Location"] == "/dossiers/"
        assert recently_authenticated(client.get("/").wsgi_request)
    assert actions(coordinator)[-1] == ("auth.reauthenticated", "ok")
    assert ("auth.reauth_failed", "failed") in actions(coordinator)


def test_the_confirmation_lasts_five_minutes(client_for, coordinator):
    assert timedelta(minutes=5) == REAUTH_WINDOW
    with freeze_time(START) as clock:
        client = client_for(coordinator)
        confirm(client)
        clock.tick(REAUTH_WINDOW - timedelta(seconds=1))
        assert recently_authenticated(client.get("/").wsgi_request)
        clock.tick(timedelta(seconds=2))
        assert not recently_authenticated(client.get("/").wsgi_request)


def test_a_confirmation_belongs_to_the_session_and_ends_with_it(client_for, coordinator):
    first = client_for(coordinator)
    confirm(first)
    other_session = client_for(coordinator)
    assert not recently_authenticated(other_session.get("/").wsgi_request)
    first.post(reverse("accounts:logout"))
    first.force_login(coordinator)
    assert not recently_authenticated(first.get("/").wsgi_request)


def test_repeated_wrong_confirmations_lock_out(client_for, coordinator):
    client = client_for(coordinator)
    responses = [confirm(client, password=f"wrong {n}") for n in range(settings.AXES_FAILURE_LIMIT)]

    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    assert confirm(client).status_code == 429  # the right password does not help while locked
    assert ("auth.reauthenticated", "ok") not in actions(coordinator)


# --- The decorator --------------------------------------------------------------------------------


def _protected(request):
    from django.http import HttpResponse

    return HttpResponse("secret")


def _request(user, path="/dossiers/x/", session=None, token=None, method="get"):
    request = getattr(RequestFactory(), method)(path)
    request.user = user
    request.session = session if session is not None else {}
    request.api_token = token
    return request


def test_the_decorator_redirects_a_page_to_the_confirm_page(coordinator, db):
    response = reauth_required(_protected)(_request(coordinator, "/jongeren/1/inzage.pdf?x=1"))

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == CONFIRM
    assert parse_qs(target.query) == {"next": ["/jongeren/1/inzage.pdf?x=1"]}


def test_the_decorator_lets_a_fresh_confirmation_through(client_for, coordinator):
    client = client_for(coordinator)
    confirm(client)
    request = client.get("/").wsgi_request

    assert reauth_required(_protected)(request).content == b"secret"


def test_the_api_answers_403_problem_json(coordinator, db):
    from ketenregie.api.api import api

    request = _request(coordinator, "/api/v1/youths/1/export")
    with pytest.raises(ReauthenticationRequired) as refused:
        reauth_required(_protected)(request)
    response = api.on_exception(request, refused.value)

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    body = json.loads(response.content)
    assert body["status"] == 403 and CONFIRM in body["detail"]


def test_a_personal_access_token_never_counts_as_a_fresh_confirmation(client_for, coordinator):
    client = client_for(coordinator)
    confirm(client)
    request = client.get("/").wsgi_request
    token, _plaintext = domain.create_token(actor=coordinator, name="script")
    request.api_token = token

    assert not recently_authenticated(request)


# --- Role changes in the administrators' screens --------------------------------------------------


def test_changing_roles_in_the_admin_needs_a_fresh_confirmation(client_for, admin_user, case_director, chain):
    url = reverse("admin:accounts_user_change", args=[case_director.pk])
    with freeze_time(START) as clock:
        client = client_for(admin_user)
        first = client.get(url)
        assert first.status_code == 302
        assert urlsplit(first["Location"]).path == CONFIRM
        assert confirm(client, next_url=url)["Location"] == url

        page = client.get(url)
        assert page.status_code == 200
        data = _change_form_data(page)
        data.update(
            {
                "memberships-1-chain": str(chain.pk),
                "memberships-1-role": Role.OPERATIONAL_COORDINATOR,
                "memberships-1-is_active": "on",
            }
        )
        clock.tick(REAUTH_WINDOW + timedelta(seconds=1))
        late = client.post(url, data)
        assert late.status_code == 302 and urlsplit(late["Location"]).path == CONFIRM
        assert not Membership.objects.filter(user=case_director, role=Role.OPERATIONAL_COORDINATOR).exists()

        confirm(client, next_url=url)
        saved = client.post(url, data)
        assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else ""
        granted = Membership.objects.get(user=case_director, role=Role.OPERATIONAL_COORDINATOR)
        entry = AuditEvent.objects.filter(action="membership.granted").latest("id")
        assert (entry.actor_id, entry.object_id, entry.chain_id) == (admin_user.pk, str(case_director.pk), chain.pk)
        assert entry.details["role"] == Role.OPERATIONAL_COORDINATOR

        # Taking the role away again is an entry of its own, naming the role.
        data = _change_form_data(client.get(url))
        index = next(k.split("-")[1] for k, v in data.items() if k.endswith("-id") and v == granted.pk)
        data[f"memberships-{index}-DELETE"] = "on"
        assert client.post(url, data).status_code == 302
    assert not Membership.objects.filter(pk=granted.pk).exists()
    revoked = AuditEvent.objects.filter(action="membership.revoked").latest("id")
    assert revoked.details["role"] == Role.OPERATIONAL_COORDINATOR and revoked.object_id == str(case_director.pk)


def test_changing_a_password_in_the_admin_needs_a_fresh_confirmation(client_for, admin_user, case_director):
    url = reverse("admin:auth_user_password_change", args=[case_director.pk])
    response = client_for(admin_user).get(url)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == CONFIRM


def test_the_user_list_needs_no_confirmation(client_for, admin_user):
    assert client_for(admin_user).get(reverse("admin:accounts_user_changelist")).status_code == 200


def _change_form_data(page) -> dict:
    """The admin change form as the browser would post it, with its inline formsets."""
    data: dict = {}
    form = page.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        management = fs.management_form
        for name in management.fields:
            data[f"{fs.prefix}-{name}"] = management[name].value()
        for i, inline in enumerate(fs.forms):
            for name in inline.fields:
                value = inline[name].value()
                if value is None or value is False:
                    continue
                data[f"{fs.prefix}-{i}-{name}"] = "on" if value is True else value
    data.pop("password", None)
    data[f"{page.context['inline_admin_formsets'][0].formset.prefix}-TOTAL_FORMS"] = "2"
    return data
