"""The fixed cast every test can use, and the browser set-up.

Cast (see STYLE.md "Tests"): one chain like FIX Genk with its partner organisations and one
account per role, plus a second chain (like KOMPAS+) whose coordinator is the outsider.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from django_scopes import scopes_disabled

from ketenregie.accounts.enums import OrganisationKind, Role
from tests.factories import ChainFactory, ChainPartnerFactory, MembershipFactory, OrganisationFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"

# Chromium writes its profile and caches under these; keep them inside the work tree.
os.environ["XDG_CONFIG_HOME"] = str(ROOT / ".cache" / "xdg-config")
os.environ["XDG_CACHE_HOME"] = str(ROOT / ".cache" / "xdg-cache")


@pytest.fixture(autouse=True)
def _scopes_disabled():
    """Test set-up queries chain-owned models directly; requests still set their own scope."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _english_by_default(request, settings):
    """Tests assert on the English source messages; the Dutch catalog has its own tests.

    Browser tests keep the product's default (their browser asks for nl-BE), and so do tests
    that send their own Accept-Language or language cookie.
    """
    if request.node.get_closest_marker("browser"):
        yield
        return
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def fragments_kept(settings):
    """Pages keep their main part in the cache, as in a deployment (off in tests: common/fragments.py)."""
    from django.core.cache import cache

    settings.KETENREGIE_FRAGMENT_CACHE = True
    cache.clear()
    yield
    cache.clear()


# --- The cast ---------------------------------------------------------------------------------


@pytest.fixture
def chain(db):
    return ChainFactory(
        name="FIX Genk", slug="fix-genk", municipality="Genk", age_min=12, age_max=25, postal_codes=["3600"]
    )


@pytest.fixture
def other_chain(db):
    return ChainFactory(
        name="KOMPAS+ Antwerpen",
        slug="kompas-antwerpen",
        municipality="Antwerpen",
        age_min=12,
        age_max=18,
        follow_up_after_max_age=True,
        postal_codes=["2000", "2018", "2060"],
    )


@pytest.fixture
def police(chain):
    org = OrganisationFactory(name="Politiezone CARMA", kind=OrganisationKind.POLICE)
    ChainPartnerFactory(chain=chain, organisation=org)
    return org


@pytest.fixture
def caw(chain):
    org = OrganisationFactory(name="CAW Limburg", kind=OrganisationKind.CAW)
    ChainPartnerFactory(chain=chain, organisation=org)
    return org


@pytest.fixture
def school(chain):
    org = OrganisationFactory(name="CLB GO! Genk", kind=OrganisationKind.SCHOOL)
    ChainPartnerFactory(chain=chain, organisation=org, in_operational_team=False)
    return org


def _member(username: str, chain, role: Role, organisation=None, **user_fields):
    user = UserFactory(username=username, **user_fields)
    MembershipFactory(user=user, chain=chain, role=role, organisation=organisation)
    return user


@pytest.fixture
def coordinator(chain):
    return _member("coordinator", chain, Role.OPERATIONAL_COORDINATOR, first_name="Sofie", last_name="Claes")


@pytest.fixture
def case_director(chain):
    return _member("regisseur1", chain, Role.CASE_DIRECTOR, first_name="Lotte", last_name="Janssens")


@pytest.fixture
def other_case_director(chain):
    return _member("regisseur2", chain, Role.CASE_DIRECTOR, first_name="Yusuf", last_name="Demir")


@pytest.fixture
def ot_member(chain, police):
    return _member("ot-politie", chain, Role.OT_MEMBER, police, first_name="Bart", last_name="Maes")


@pytest.fixture
def partner(chain, school):
    return _member("partner-school", chain, Role.PARTNER, school, first_name="Nathalie", last_name="Willems")


@pytest.fixture
def strategic(chain):
    return _member("strateeg", chain, Role.STRATEGIC_COORDINATOR, first_name="Koen", last_name="Peeters")


@pytest.fixture
def outsider(other_chain):
    return _member(
        "coordinator-antwerpen", other_chain, Role.OPERATIONAL_COORDINATOR, first_name="Hanne", last_name="Wouters"
    )


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", first_name="Pieter", last_name="Beheer", is_staff=True, is_superuser=True)


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="nieuwkomer", first_name="Noor", last_name="Nieuw")


@pytest.fixture
def client_for(db):
    """A test client logged in as ``user`` (password only: two-factor is off in test mode)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


# --- Browser tests ----------------------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    browser_dir = Path(__file__).parent / "browser"
    missing = not Path(CHROMIUM).exists()
    skip = pytest.mark.skip(reason=f"Debian's Chromium ({CHROMIUM}) is not installed: sudo apt-get install -y chromium")
    for item in items:
        path = Path(item.fspath)
        if browser_dir in path.parents:
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(skip)
        if path.name in SCANS:
            item.add_marker(pytest.mark.scan)
        if "demo" in path.name or "demo" in item.name:
            item.add_marker(pytest.mark.demo)


# Scans that exercise forms and a demo server, not the database layer (the API fuzzing and the
# header sweep run on both databases).
SCANS = {"test_form_fuzz.py", "test_wapiti.py"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    for folder in (os.environ["XDG_CONFIG_HOME"], os.environ["XDG_CACHE_HOME"]):
        Path(folder).mkdir(parents=True, exist_ok=True)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-playwright's fallback ``base_url``, which pytest 9 warns about (an instance-method
    session fixture, PytestRemovedIn10Warning; filterwarnings=error turns that into an error).
    Tests build their URLs from ``live_server.url``."""
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The UI is Dutch first: browse as a Flemish user would.
    return {**browser_context_args, "locale": "nl-BE", "timezone_id": "Europe/Brussels"}


@pytest.fixture
def page(page):
    """Every page is watched for console errors and CSP violations from its first request on."""
    from tests.browser.helpers import watch

    watch(page)
    return page
