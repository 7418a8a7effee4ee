"""Active cases for the network tests, built through the domain functions like cases/demo.py does.

The cast (chain, coordinator, case directors, OT member, partner, outsider ...) and the autouse
``scopes_disabled`` come from tests/conftest.py. Messages are asserted in English (the msgids).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from ketenregie.cases import domain as cases
from ketenregie.cases import workflow
from ketenregie.cases.enums import CaseStatus, LegalBasisKind, OTDecision, ReferrerKind
from ketenregie.cases.models import Case
from ketenregie.consent.domain import ConsentData, record_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.network.domain import MemberData, add_network_member
from ketenregie.network.enums import MemberKind
from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput, save_plan

NAMES = [
    ("Jens", "Vermeulen"),
    ("Amira", "El Idrissi"),
    ("Youssef", "Amrani"),
    ("Emma", "Wouters"),
    ("Dylan", "Peeters"),
    ("Lina", "Aydin"),
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def legal_basis(chain, coordinator, police, caw, school):
    return cases.add_legal_basis(
        actor=coordinator,
        chain=chain,
        kind=LegalBasisKind.DECREE,
        reference="Decreet jeugddelinquentierecht",
        dated=date(2020, 1, 1),
        valid_from=date(2020, 1, 1),
        valid_until=None,
        purpose="Casusoverleg over jongeren die feiten pleegden.",
        modalities="",
        organisations=[police, caw, school],
        authorised_functions="",
    )


@pytest.fixture
def make_active_case(chain, coordinator, case_director, police, legal_basis):
    """``make_active_case(director=..., ot_attendees=[...])``: an adult youth's case, taken to active."""
    serial = itertools.count()

    def make(*, director=None, ot_attendees=(), framework: str = "voluntary") -> Case:
        n = next(serial)
        first, last = NAMES[n % len(NAMES)]
        today = timezone.localdate()
        registered = today - timedelta(days=30)
        birth = date(registered.year - 19, 1, 1) - timedelta(days=n)
        case = cases.register_case(
            actor=coordinator,
            chain=chain,
            data=cases.RegistrationData(
                youth=cases.YouthData(first, last, birth, "3600", "Genk"),
                referrer_kind=ReferrerKind.ORGANISATION,
                referrer_organisation=police,
                referrer_name="Inspecteur jeugd",
                registered_on=registered,
                youth_informed_on=registered - timedelta(days=2),
                multi_problem="Spijbelt, conflicten thuis, schulden.",
                framework=framework,
                offences=[cases.OffenceData("diefstal", registered - timedelta(days=10))],
            ),
            confirm_not_duplicate=True,
        )
        workflow.transition_case(case, CaseStatus.INTAKE, actor=coordinator)
        cases.save_intake(
            actor=coordinator,
            case=case,
            version=None,
            intake_on=today,
            domains={"vrije_tijd": {"strengths": "Voetbalt graag."}},
            glm_needs=["relaties"],
            youth_words="Ik wil mijn diploma halen.",
            reflection_until=None,
        )
        record_consent(
            actor=coordinator,
            case=case,
            data=ConsentData(
                ConsentKind.OT_DISCUSSION, GivenBy.YOUTH, case.youth.full_name, today, today + timedelta(days=365)
            ),
        )
        workflow.transition_case(case, CaseStatus.AWAITING_OT, actor=coordinator)
        meeting = cases.plan_ot_meeting(
            actor=coordinator,
            chain=chain,
            starts_at=timezone.now() - timedelta(hours=1),
            location="Stadhuis Genk",
            legal_basis=legal_basis,
            attendees=list(ot_attendees),
        )
        item = meeting.items.get(case=case)
        cases.decide_ot_item(
            actor=coordinator,
            item=item,
            data=cases.DecisionData(
                OTDecision.INCLUDE,
                version=item.version,
                chosen_case_director=director or case_director,
                subsidiarity="Geen reguliere structuur kan alle levensdomeinen samen opnemen.",
                guideline="Snel een eerste gesprek.",
            ),
        )
        case.refresh_from_db()
        cases.record_start(
            actor=coordinator, case=case, referrer_informed_on=today, youth_informed_of_decision_on=today
        )
        cases.activate_case(actor=coordinator, case=case, first_conversation_on=today)
        case = Case.objects.select_related("youth", "chain").get(pk=case.pk)
        assert case.status == CaseStatus.ACTIVE
        return case

    return make


@pytest.fixture
def active_case(make_active_case):
    return make_active_case()


def member_data(
    name: str = "Karin Vermeulen", role: str = "Moeder", *, kind: str = MemberKind.INFORMAL, **fields
) -> MemberData:
    return MemberData(kind=kind, name=name, role=role, **fields)


@pytest.fixture
def add_member(coordinator):
    def add(case, name="Karin Vermeulen", role="Moeder", **fields):
        return add_network_member(actor=coordinator, case=case, data=member_data(name, role, **fields))

    return add


@pytest.fixture
def plan_actions(coordinator):
    """``plan_actions(case, [(what, member, status), ...])``: save a plan with these actions."""

    def save(case, actions):
        return save_plan(
            actor=coordinator,
            case=case,
            version=0,
            domains=[
                DomainInput(
                    domain="vrije_tijd",
                    strengths="Voetbalt graag.",
                    goals=[
                        GoalInput(
                            text="Terug naar de voetbalclub.",
                            youth_agreed=True,
                            actions=[
                                ActionInput(what=what, responsible_member=member.pk, status=status)
                                for what, member, status in actions
                            ],
                        ),
                    ],
                )
            ],
        )

    return save
