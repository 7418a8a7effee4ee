"""``seed_demo``: two chains and one account per role; rerunning is harmless; demo and test only."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import Membership, User
from ketenregie.chains.management.commands.seed_demo import ACCOUNTS, DEMO_PASSWORD
from ketenregie.chains.models import Chain


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"audit", "sessions", "contenttypes", "auth", "admin", "axes"}
    }


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_the_chains_and_accounts_and_reruns_harmlessly(db):
    output = seed()
    first = _counts()

    assert sorted(Chain.objects.values_list("slug", "age_min", "age_max")) == [
        ("fix-genk", 12, 25),
        ("kompas-antwerpen", 12, 18),
    ]
    # The accounts of the table (other demo seeds, e.g. the youth portal's, add their own).
    assert User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).count() == len(ACCOUNTS) == 10
    admin = User.objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser, admin.memberships.count()) == (True, True, 0)
    roles = set(Membership.objects.values_list("user__username", "chain__slug", "role"))
    assert ("coordinator", "fix-genk", Role.OPERATIONAL_COORDINATOR) in roles
    assert ("coordinator-antwerpen", "kompas-antwerpen", Role.OPERATIONAL_COORDINATOR) in roles
    assert ("strateeg", "kompas-antwerpen", Role.STRATEGIC_COORDINATOR) in roles
    assert Membership.objects.get(user__username="ot-politie").organisation.name == "Politiezone CARMA"
    assert all(check_password(DEMO_PASSWORD, u.password) for u in User.objects.all())
    assert all(u.password.startswith("argon2$") for u in User.objects.all())
    for username, *_rest in ACCOUNTS:
        assert username in output

    seed()

    assert _counts() == first
    assert first["accounts.User"] >= len(ACCOUNTS)


def test_seed_demo_refuses_outside_demo_and_test(db, settings):
    settings.DEMO = False
    settings.TESTING = False

    with pytest.raises(CommandError, match="demo mode"):
        seed()

    assert not User.objects.exists()
    assert not Chain.objects.exists()
