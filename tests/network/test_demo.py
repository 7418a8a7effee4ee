"""The demo network: believable, made through the domain, linked to the demo partner account."""

from __future__ import annotations

import pytest

from ketenregie.accounts.enums import OrganisationKind
from ketenregie.cases.models import Case
from ketenregie.network.demo import seed_demo_network
from ketenregie.network.enums import MemberKind
from ketenregie.network.models import NetworkMember
from tests.factories import ChainPartnerFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def gp_practice():
    # seed_demo creates this organisation (no chain partner) before the demo networks.
    return OrganisationFactory(name="Huisartsenpraktijk Zwartberg", kind=OrganisationKind.OTHER)


@pytest.fixture
def youth_court(chain):
    org = OrganisationFactory(name="Parket Limburg — afdeling jeugd", kind=OrganisationKind.YOUTH_COURT)
    ChainPartnerFactory(chain=chain, organisation=org)
    return org


def test_a_voluntary_case_gets_family_coach_gp_and_the_linked_clb_worker(active_case, school, partner):
    members = seed_demo_network(active_case, {school.name: school})

    by_role = {m.role: m for m in members}
    assert {"Moeder", "Vader", "Huisarts", "CLB-medewerker"} <= set(by_role)
    assert any(m.role.startswith("Voetbaltrainer") for m in members)
    clb = by_role["CLB-medewerker"]
    assert (clb.kind, clb.organisation, clb.user) == (MemberKind.FORMAL, school, partner)
    assert not any("jeugdrechtbank" in m.role for m in members)
    trusted = NetworkMember.objects.get(case=active_case, is_trusted_person=True)
    assert Case.objects.get(pk=active_case.pk).trusted_person_name == trusted.name
    assert seed_demo_network(active_case, {}) == []  # rerunning changes nothing
    assert NetworkMember.objects.filter(case=active_case).count() == len(members)


def test_an_imposed_case_also_gets_the_youth_court_consultant(make_active_case, youth_court, school, partner):
    case = make_active_case(framework="imposed")
    members = seed_demo_network(case, {})
    consultant = next(m for m in members if "jeugdrechtbank" in m.role)
    assert consultant.organisation == youth_court
    assert not consultant.youth_agreed
