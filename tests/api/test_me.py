"""``GET /api/v1/me`` and personal access tokens (bearer authentication)."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from freezegun import freeze_time

from ketenregie.accounts import domain
from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import PersonalAccessToken
from ketenregie.audit.models import AuditEvent
from tests.factories import MembershipFactory

ME = "/api/v1/me"


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def assert_unauthorized(response, detail_part: str) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["WWW-Authenticate"] == 'Bearer realm="ketenregie"'
    body = response.json()
    assert body["status"] == 401
    assert body["title"] == "Unauthorized"
    assert detail_part in body["detail"]


def test_me_with_a_token(client, ot_member, chain, police):
    _token, plaintext = domain.create_token(actor=ot_member, name="script", valid_days=30)

    response = client.get(ME, **bearer(plaintext))

    assert response.status_code == 200
    assert response.json() == {
        "id": str(ot_member.pk),
        "username": "ot-politie",
        "name": "Bart Maes",
        "email": ot_member.email,
        "is_administrator": False,
        "chains": [{"slug": "fix-genk", "name": "FIX Genk", "id": str(chain.pk)}],
        "roles": [
            {
                "chain": "fix-genk",
                "chain_name": "FIX Genk",
                "role": "ot_member",
                "role_label": str(Role.OT_MEMBER.label),
                "organisation": "Politiezone CARMA",
            }
        ],
    }
    # A token request carries no session cookie back.
    assert "ketenregie_session" not in response.cookies


def test_me_lists_every_chain_and_role(client_for, strategic, chain, other_chain):
    MembershipFactory(user=strategic, chain=other_chain, role=Role.STRATEGIC_COORDINATOR)
    MembershipFactory(user=strategic, chain=chain, role=Role.CASE_DIRECTOR)

    body = client_for(strategic).get(ME).json()

    assert sorted(c["slug"] for c in body["chains"]) == ["fix-genk", "kompas-antwerpen"]
    assert sorted((r["chain"], r["role"]) for r in body["roles"]) == [
        ("fix-genk", "case_director"),
        ("fix-genk", "strategic_coordinator"),
        ("kompas-antwerpen", "strategic_coordinator"),
    ]


def test_me_for_an_administrator_without_roles(client_for, admin_user):
    body = client_for(admin_user).get(ME).json()
    assert (body["is_administrator"], body["chains"], body["roles"]) == (True, [], [])


def test_ended_membership_is_not_listed(client_for, coordinator):
    coordinator.memberships.update(is_active=False)
    assert client_for(coordinator).get(ME).json()["roles"] == []


def test_anonymous_gets_401_problem(client):
    assert_unauthorized(client.get(ME), "Log in")


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda plaintext: "kr_deadbeef_" + "x" * 43, id="unknown-prefix"),
        pytest.param(
            lambda plaintext: plaintext[:-2] + ("AA" if not plaintext.endswith("AA") else "BB"), id="wrong-secret"
        ),
        pytest.param(lambda plaintext: "not-a-token", id="garbage"),
    ],
)
def test_invalid_token_gets_401(client, coordinator, make_token):
    _token, plaintext = domain.create_token(actor=coordinator, name="script")

    response = client.get(ME, **bearer(make_token(plaintext)))

    assert_unauthorized(response, "invalid, expired or revoked")
    assert AuditEvent.objects.filter(action="token.rejected", result="denied").count() == 1


def test_revoked_token_gets_401(client, coordinator):
    token, plaintext = domain.create_token(actor=coordinator, name="script")
    assert client.get(ME, **bearer(plaintext)).status_code == 200
    domain.revoke_token(actor=coordinator, token=token)

    assert_unauthorized(client.get(ME, **bearer(plaintext)), "invalid, expired or revoked")
    assert AuditEvent.objects.get(action="token.rejected").object_id == str(token.pk)


def test_expired_token_gets_401(client, coordinator):
    with freeze_time("2026-03-02 08:00:00") as clock:
        _token, plaintext = domain.create_token(actor=coordinator, name="script", valid_days=30)
        clock.tick(timedelta(days=29, hours=23))
        assert client.get(ME, **bearer(plaintext)).status_code == 200
        clock.tick(timedelta(hours=2))

        assert_unauthorized(client.get(ME, **bearer(plaintext)), "invalid, expired or revoked")


def test_token_of_a_deactivated_user_gets_401(client, coordinator):
    _token, plaintext = domain.create_token(actor=coordinator, name="script")
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])

    assert_unauthorized(client.get(ME, **bearer(plaintext)), "invalid, expired or revoked")


def test_bad_token_does_not_fall_back_to_the_session(client_for, coordinator):
    response = client_for(coordinator).get(ME, **bearer("kr_deadbeef_nope"))
    assert_unauthorized(response, "invalid, expired or revoked")


def test_token_use_is_recorded_at_most_every_five_minutes(client, coordinator):
    with freeze_time("2026-03-02 08:00:00") as clock:
        token, plaintext = domain.create_token(actor=coordinator, name="script")
        client.get(ME, **bearer(plaintext))
        token.refresh_from_db()
        first_use = token.last_used_at
        assert first_use == timezone.now()
        clock.tick(60)
        client.get(ME, **bearer(plaintext))
        token.refresh_from_db()
        assert token.last_used_at == first_use
        clock.tick(5 * 60)
        client.get(ME, **bearer(plaintext))
        token.refresh_from_db()
        assert token.last_used_at == timezone.now()


def test_only_the_owner_may_revoke_a_token(coordinator, case_director):
    token, _plaintext = domain.create_token(actor=coordinator, name="script")

    with pytest.raises(PermissionError):
        domain.revoke_token(actor=case_director, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


# --- issue_token ---------------------------------------------------------------------------


def test_issue_token_prints_a_working_token_and_stores_only_its_digest(client, coordinator):
    out = StringIO()

    call_command("issue_token", "coordinator", "--name", "backup script", "--days", "7", stdout=out)

    plaintext = out.getvalue().strip()
    assert plaintext.startswith(domain.TOKEN_PREFIX)
    token = PersonalAccessToken.objects.get()
    assert token.user == coordinator
    assert token.name == "backup script"
    assert token.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
    stored = " ".join(str(v) for v in PersonalAccessToken.objects.values().get().values())
    assert plaintext not in stored
    assert plaintext.rsplit("_", 1)[1] not in stored
    assert client.get(ME, **bearer(plaintext)).json()["username"] == "coordinator"
    assert AuditEvent.objects.filter(action="token.created", actor_id=coordinator.pk).count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "No active account with username 'nobody'"),
        (["coordinator", "--days", "0"], "--days must be between 1 and 3650"),
        (["coordinator", "--days", "3651"], "--days must be between 1 and 3650"),
    ],
)
def test_issue_token_refuses(coordinator, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("issue_token", *args, stdout=StringIO())
    assert not PersonalAccessToken.objects.exists()


def test_issue_token_refuses_a_deactivated_account(coordinator):
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])

    with pytest.raises(CommandError, match="No active account"):
        call_command("issue_token", "coordinator", stdout=StringIO())
