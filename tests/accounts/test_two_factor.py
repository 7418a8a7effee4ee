"""Two-factor login (SECURITY.md A1): TOTP with single-use recovery codes; a password alone reaches
only the second-factor pages."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from ketenregie.accounts import domain
from ketenregie.audit.models import AuditEvent
from ketenregie.common.access import API, PUBLIC
from tests.factories import PASSWORD
from tests.routes import API_ROOT, API_SCHEMA, all_routes

LOGIN = reverse("accounts:login")
HOME = reverse("home")
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
START = "2026-03-02 08:00:00"


@pytest.fixture(autouse=True)
def _require_2fa(settings):
    settings.REQUIRE_2FA = True


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` periods from now)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"


def enrolled(user) -> TOTPDevice:
    device = domain.pending_totp_device(user=user)
    with freeze_time("2026-03-01 12:00:00"):
        assert domain.confirm_totp_device(actor=user, device=device, code=code_for(device)) is not None
    device.refresh_from_db()
    return device


def password_login(client, username="coordinator"):
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def actions() -> list[str]:
    return list(AuditEvent.objects.values_list("action", flat=True))


def test_enrolment_from_password_login_to_recovery_codes(client, coordinator):
    with freeze_time(START):
        password_login(client)
        assert client.get(HOME)["Location"] == SETUP

        page = client.get(SETUP)
        assert page.status_code == 200
        device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
        # The key shown for manual entry is the device's key.
        shown = page.context["secret"].replace(" ", "")
        assert base64.b32decode(shown + "=" * (-len(shown) % 8)) == device.bin_key
        assert page.context["qr_data_uri"].startswith("data:image/svg+xml")

        response = client.post(SETUP, {"code": code_for(device)})

        assert response["Location"] == reverse("accounts:recovery_codes")
        codes_page = client.get(response["Location"])
        codes = codes_page.context["codes"]
        assert len(codes) == domain.RECOVERY_CODE_COUNT == len(set(codes))
        assert client.get(HOME).status_code == 200
        device.refresh_from_db()
        assert device.confirmed
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        # Shown once: reloading the page offers new codes instead of repeating the old ones.
        assert client.get(reverse("accounts:recovery_codes")).context["codes"] is None
    assert StaticToken.objects.filter(device__user=coordinator).count() == domain.RECOVERY_CODE_COUNT
    assert actions() == ["auth.login", "2fa.enrolled"]


def test_wrong_code_at_enrolment_confirms_nothing(client, coordinator):
    password_login(client)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "000000"})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(HOME)["Location"] == SETUP
    assert actions() == ["auth.login", "2fa.failed"]


def test_second_login_with_a_fresh_totp_code(client, coordinator):
    device = enrolled(coordinator)
    with freeze_time(START) as clock:
        password_login(client)
        assert client.get(HOME)["Location"] == VERIFY

        response = client.post(VERIFY, {"code": code_for(device)})

        assert response["Location"] == HOME
        assert client.get(HOME).status_code == 200
        first_code = code_for(device)
        client.post(reverse("accounts:logout"))

        # The same code may not be used twice, not even in its own 30 seconds.
        password_login(client)
        replay = client.post(VERIFY, {"code": first_code})
        assert replay.status_code == 200
        assert DEVICE_ID_SESSION_KEY not in client.session

        clock.tick(31)  # the next period, and past the throttle the failure started
        fresh = client.post(VERIFY, {"code": code_for(device)})
        assert fresh["Location"] == HOME
        assert client.get(HOME).status_code == 200
    assert actions().count("2fa.verified") == 2
    assert actions().count("2fa.failed") == 1


def test_verify_follows_a_local_next_only(client, coordinator):
    device = enrolled(coordinator)
    with freeze_time(START):
        password_login(client)
        response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": code_for(device)})
    assert response["Location"] == HOME


def test_recovery_code_works_once(client, coordinator):
    enrolled(coordinator)
    code = StaticToken.objects.filter(device__user=coordinator).first().token
    with freeze_time(START) as clock:
        password_login(client)

        response = client.post(VERIFY, {"code": code.upper()})

        assert response["Location"] == HOME
        assert client.get(HOME).status_code == 200
        assert domain.recovery_codes_left(coordinator) == domain.RECOVERY_CODE_COUNT - 1
        client.post(reverse("accounts:logout"))
        clock.tick(60)

        password_login(client)
        again = client.post(VERIFY, {"code": code})

        assert again.status_code == 200
        assert again.context["form"].errors["code"]
        assert client.get(HOME)["Location"] == VERIFY
    assert actions().count("2fa.recovery_used") == 1
    assert actions()[-1] == "2fa.failed"


def test_verify_throttles_guessing(client, coordinator):
    device = enrolled(coordinator)
    with freeze_time(START):
        password_login(client)
        client.post(VERIFY, {"code": "123456"})

        # Right after a failure even the right code is refused: guessing is slowed down.
        response = client.post(VERIFY, {"code": code_for(device)})

    assert response.status_code == 200
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_password_alone_cannot_replace_an_enrolled_device(client, coordinator):
    """Otherwise someone with only the password enrols their own app and is in."""
    victim_device = enrolled(coordinator)
    with freeze_time(START):
        password_login(client)

        page = client.get(SETUP)
        attempt = client.post(SETUP, {"code": "123456"})

    assert page.status_code == 302
    assert page["Location"].startswith(VERIFY)
    assert attempt.status_code == 302
    assert attempt["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=coordinator)) == [victim_device]
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_verified_user_may_replace_their_device(client, coordinator):
    old = enrolled(coordinator)
    with freeze_time(START):
        password_login(client)
        client.post(VERIFY, {"code": code_for(old)})
        client.get(SETUP)
        new = TOTPDevice.objects.get(user=coordinator, confirmed=False)

        response = client.post(SETUP, {"code": code_for(new)})

    assert response["Location"] == reverse("accounts:recovery_codes")
    assert list(TOTPDevice.objects.filter(user=coordinator)) == [new]
    assert StaticDevice.objects.filter(user=coordinator).count() == 1


def test_verified_session_skips_the_verify_page(client, coordinator):
    device = enrolled(coordinator)
    with freeze_time(START):
        password_login(client)
        client.post(VERIFY, {"code": code_for(device)})

        response = client.get(VERIFY)

    assert response["Location"] == HOME


def test_without_2fa_required_a_password_is_enough(client, coordinator, settings):
    settings.REQUIRE_2FA = False
    enrolled(coordinator)

    password_login(client)

    assert client.get(HOME).status_code == 200
    assert client.session[SESSION_KEY] == str(coordinator.pk)


# --- No route with the password alone ------------------------------------------------------

# The pages a password-only session needs to finish logging in. Adding one is a security decision.
UNVERIFIED_PAGES = {"accounts:logout", "accounts:two_factor_setup", "accounts:two_factor_verify"}


def _answer(client, route) -> str:
    response = client.get(route.url)
    if route.access_rule == API:
        ok = response.status_code in (401, 405) and (
            response.status_code == 405 or response["Content-Type"].startswith("application/problem+json")
        )
        if response.status_code == 405:
            method = response["Allow"].split(",")[0].strip().lower()
            response = getattr(client, method)(route.url, data={}, content_type="application/json")
            ok = response.status_code == 401
        return "ok" if ok else f"API answers {response.status_code}"
    if response.status_code == 302 and urlsplit(response["Location"]).path in {SETUP, VERIFY}:
        return "ok"
    return f"answers {response.status_code} {response.get('Location', '')}"


@pytest.mark.parametrize("has_device", [False, True], ids=["not-enrolled", "enrolled"])
def test_password_alone_reaches_no_route_but_the_second_factor_pages(client, coordinator, has_device):
    if has_device:
        enrolled(coordinator)
    password_login(client)
    reached = []
    checked = 0
    for route in all_routes():
        if route.access_rule == PUBLIC or route.name in UNVERIFIED_PAGES or route.name in (API_SCHEMA, API_ROOT):
            continue
        checked += 1
        answer = _answer(client, route)
        if answer != "ok":
            reached.append(f"{route}: {answer}")
    assert checked > 10
    assert reached == []
    # Where the sweep is sent depends on whether there is a device to verify with.
    assert client.get(HOME)["Location"] == (VERIFY if has_device else SETUP)


def test_only_the_listed_views_let_a_password_only_session_through():
    allowed = {route.name for route in all_routes() if getattr(route.callback, "allow_unverified", False)}
    assert allowed == UNVERIFIED_PAGES


def test_unverified_session_gets_401_from_the_api(client, coordinator):
    enrolled(coordinator)
    password_login(client)

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")


def test_verified_session_reaches_the_api(client, coordinator):
    device = enrolled(coordinator)
    with freeze_time(START):
        password_login(client)
        client.post(VERIFY, {"code": code_for(device)})

        assert client.get("/api/v1/me").json()["username"] == "coordinator"
