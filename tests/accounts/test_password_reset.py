"""Password reset (SECURITY.md A4, A5): no enumeration, single-use link, and no way around two-factor."""

import re

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.urls import reverse

NEW_PASSWORD = "zeven paarse olifanten dansen traag"


def _request_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_known_and_unknown_addresses_get_the_same_answer(client, coordinator):
    known = _request_reset(client, coordinator.email)
    unknown = _request_reset(client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert [m.to for m in mail.outbox] == [[coordinator.email]]


def test_reset_link_works_once_and_does_not_log_in(client, coordinator, settings):
    settings.REQUIRE_2FA = True
    _request_reset(client, coordinator.email)
    link = _link(mail.outbox[0])
    assert coordinator.email not in link  # no personal data in URLs

    form = client.get(link, follow=True)
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done["Location"] == reverse("accounts:password_reset_complete")
    coordinator.refresh_from_db()
    assert check_password(NEW_PASSWORD, coordinator.password)
    # Choosing a new password is no login: the second factor is still ahead.
    assert SESSION_KEY not in client.session
    again = client.get(link, follow=True)
    assert again.context["validlink"] is False
