"""Password storage and rules (SECURITY.md A2): Argon2id; 12 to 128 characters; no common or
context passwords; no composition rules."""

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import PASSWORD

NEW_PASSWORD = "zeven paarse olifanten dansen traag"


def _codes(password, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


def test_password_changed_through_the_account_page_is_stored_with_argon2id(client_for, coordinator):
    client = client_for(coordinator)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.password.startswith("argon2$argon2id$")
    assert check_password(NEW_PASSWORD, coordinator.password)
    # Changing the password keeps this session (Django rotates its hash) and the new one works.
    assert client.get(reverse("home")).status_code == 200


def test_password_change_refuses_a_short_password_and_keeps_the_old_one(client_for, coordinator):
    response = client_for(coordinator).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "kort1234", "new_password2": "kort1234"},
    )

    assert response.status_code == 200
    assert "password_too_short" in {e.code for e in response.context["form"].errors.as_data()["new_password2"]}
    coordinator.refresh_from_db()
    assert check_password(PASSWORD, coordinator.password)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("a" * 11, "password_too_short"),
        ("x" * 129, "password_too_long"),
        ("qwerty123456", "password_too_common"),
        ("1q2w3e4r5t6y", "password_too_common"),
        ("ketenregie2025", "password_context_word"),
        ("Casusregie!!", "password_context_word"),
        ("kompas-2025!", "password_context_word"),
    ],
)
def test_validators_refuse(password, code):
    assert code in _codes(password)


@pytest.mark.parametrize(
    "password",
    [
        "b" * 6 + "c" * 6,  # exactly 12
        "lange zin zonder hoofdletters",  # no composition rules
        "z" * 128,  # exactly the maximum
        "ketenregie is een platform voor jongeren",  # a context word inside a long passphrase is fine
    ],
)
def test_validators_accept(password):
    assert _codes(password) == set()


def test_validator_refuses_a_password_like_the_username(db):
    from tests.factories import UserFactory

    user = UserFactory.build(username="lotte.janssens", first_name="Lotte", last_name="Janssens", email="")
    assert "password_too_similar" in _codes("lotte.janssens1", user)
