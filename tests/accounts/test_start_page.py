"""The start page shows one section per role; an administrator sees the administration, not cases."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from ketenregie.accounts.models import User
from ketenregie.chains.management.commands.seed_demo import ACCOUNTS

HOME = reverse("home")


@pytest.fixture
def demo(db):
    from io import StringIO

    call_command("seed_demo", stdout=StringIO())


def _headings(user) -> list[str]:
    with translation.override("nl"):
        return sorted(f"{m.get_role_display()} · {m.chain.name}" for m in user.memberships.select_related("chain"))


def test_every_demo_account_sees_a_section_per_role(client, demo):
    accounts_with_roles = [a[0] for a in ACCOUNTS if a[4]]
    assert len(accounts_with_roles) == 9
    for username in accounts_with_roles:
        user = User.objects.get(username=username)
        client.force_login(user)

        response = client.get(HOME, HTTP_ACCEPT_LANGUAGE="nl")

        assert response.status_code == 200, username
        with translation.override("nl"):
            assert sorted(f"{s.role_label} · {s.chain.name}" for s in response.context["sections"]) == _headings(user)
        html = response.content.decode()
        for heading in _headings(user):
            assert heading in html, (username, heading)
        assert reverse("admin:index") not in html, username


def test_administrator_sees_the_administration_and_no_case_content(client, demo):
    admin = User.objects.get(username="admin")
    client.force_login(admin)

    response = client.get(HOME)

    assert response.status_code == 200
    assert response.context["sections"] == []
    html = response.content.decode()
    for name in (
        "admin:chains_chain_changelist",
        "admin:accounts_organisation_changelist",
        "admin:accounts_user_changelist",
        "admin:index",
    ):
        assert reverse(name) in html
    # The demo has cases; none of them (nor their youths) may show up for the administrator.
    from ketenregie.cases.models import Case

    for case in Case.objects.select_related("youth"):
        assert case.youth.last_name not in html
        assert str(case.pk) not in html


def test_user_without_a_role_sees_the_empty_state(client_for, no_role_user):
    response = client_for(no_role_user).get(HOME, HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 200
    assert response.context["sections"] == []
    with translation.override("nl"):
        assert translation.gettext("No role yet") in response.content.decode()
    assert reverse("admin:index") not in response.content.decode()


def test_ended_membership_no_longer_shows(client_for, case_director):
    case_director.memberships.update(is_active=False)

    response = client_for(case_director).get(HOME)

    assert response.context["sections"] == []


def test_non_administrator_is_refused_the_administration(client_for, coordinator):
    client = client_for(coordinator)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.status_code == 403
    assert [url for url, _status in response.redirect_chain] == [
        f"{reverse('admin:login')}?next={reverse('admin:index')}"
    ]
