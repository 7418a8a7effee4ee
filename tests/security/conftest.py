"""The demo data set (``seed_demo``) as the ground for the security tests: believable cases in every
status, with intakes, consents, networks, plans and meetings, made by the domain functions.

Seeding takes seconds, so each test module seeds once, inside a transaction of its own that is
rolled back when the module is done; every test runs in a savepoint within it (pytest-django's
``db``), so what one test changes is gone for the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django_scopes import scopes_disabled

from ketenregie.accounts.models import User
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.chains.models import Chain
from tests.security.headers import PRODUCTION_HEADERS


@dataclass
class Demo:
    chain: Chain
    coordinator: User
    active_case: Case  # a case with intake, network and plan, worked on by regisseur1
    intake_case: Case  # a case waiting for its intake


@pytest.fixture(scope="module")
def _demo_seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), scopes_disabled():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_seeded, db) -> Demo:
    chain = Chain.objects.get(slug="fix-genk")
    cases = Case.objects.filter(chain=chain).select_related("youth").order_by("created_at")
    return Demo(
        chain=chain,
        coordinator=User.objects.get(username="coordinator"),
        active_case=cases.filter(status=CaseStatus.ACTIVE, case_director__username="regisseur1").first(),
        intake_case=cases.filter(status=CaseStatus.INTAKE).first(),
    )


@pytest.fixture
def production_headers(settings):
    """Production's header and cookie settings (tests/security/headers.py checks they are)."""
    for name, value in PRODUCTION_HEADERS.items():
        setattr(settings, name, value)
