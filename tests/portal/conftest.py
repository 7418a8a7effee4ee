"""The youth of the shared case with an active "Mijn traject", invited and activated by the domain."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from ketenregie.portal import domain
from ketenregie.portal.enums import PortalRole
from tests.factories import PASSWORD
from tests.threads.conftest import *  # noqa: F403 — the shared case, its plan and the partner


@pytest.fixture
def invite(case_director):
    def make(case, *, email="jens.jongere@example.org", role=PortalRole.YOUTH, member=None, activate=True):
        access = domain.invite(
            actor=case_director,
            case=case,
            role=role,
            email=email,
            youth_agreed_on=timezone.localdate(),
            network_member=member,
        )
        if activate:
            domain.activate(user=access.user, password=PASSWORD)
            access.refresh_from_db()
        return access

    return make


@pytest.fixture
def youth_access(shared, invite):
    return invite(shared["case"])


@pytest.fixture
def youth(youth_access):
    return youth_access.user


@pytest.fixture
def youth_client(youth):
    client = Client()
    client.force_login(youth)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
