"""Fixtures shared by the plan and meeting tests: an active case and its network, made by the domain.

The case goes the ordinary way (as ketenregie/cases/demo.py does): registration, intake, consents,
OT decision, start, activation; network members are added with network.domain.add_network_member.
Nothing writes a status or a plan row directly. The cast (chain, coordinator, case director, OT
member, outsider, ...) and the autouse ``scopes_disabled`` come from tests/conftest.py.
Messages are asserted in English (the msgids).
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone, translation

from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain as cases_domain
from ketenregie.cases import workflow
from ketenregie.cases.domain import DecisionData, GuardianData, OffenceData, RegistrationData, YouthData
from ketenregie.cases.enums import CaseStatus, ClosureReason, GuardianRelation, LegalBasisKind, ReferrerKind
from ketenregie.cases.models import Case
from ketenregie.consent.domain import ConsentData, record_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.network.domain import MemberData, add_network_member
from ketenregie.network.enums import MemberKind
from ketenregie.plans import domain as plans_domain
from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput

NAMES = [("Jens", "Vermeulen"), ("Amira", "El Idrissi"), ("Youssef", "Amrani"), ("Emma", "Wouters")]
_serial = itertools.count()


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def legal_basis(chain, coordinator, police, caw, school):
    return cases_domain.add_legal_basis(
        actor=coordinator,
        chain=chain,
        kind=LegalBasisKind.DECREE,
        reference="Decreet jeugddelinquentierecht, art. 458ter Sw.",
        dated=date(2020, 1, 1),
        valid_from=date(2020, 1, 1),
        valid_until=None,
        purpose="Casusoverleg over jongeren die feiten pleegden.",
        modalities="",
        organisations=[police, caw, school],
        authorised_functions="",
    )


@pytest.fixture
def make_active_case(chain, coordinator, case_director, police, legal_basis, ot_member):
    """An active case directed by ``case_director`` (or ``director``), taken there by the domain.

    The OT member attended the OT meeting that included it, so they can read the case (read-only)."""

    def make(*, director=None) -> Case:
        director = director or case_director
        today = timezone.localdate()
        n = next(_serial)
        first, last = NAMES[n % len(NAMES)]
        registered = today - timedelta(days=40)
        birth = registered.replace(year=registered.year - 16) - timedelta(days=n + 1)
        case = cases_domain.register_case(
            actor=coordinator,
            chain=chain,
            confirm_not_duplicate=True,
            data=RegistrationData(
                youth=YouthData(
                    first_name=first, last_name=f"{last}{n}", birth_date=birth, postal_code="3600", municipality="Genk"
                ),
                referrer_kind=ReferrerKind.ORGANISATION,
                referrer_organisation=police,
                referrer_name="Inspecteur",
                registered_on=registered,
                youth_informed_on=registered - timedelta(days=2),
                parents_informed_on=registered - timedelta(days=2),
                multi_problem="Schoolverzuim, conflicten thuis en middelengebruik.",
                offences=[OffenceData(offence_type="diefstal", committed_on=registered - timedelta(days=10))],
                guardians=[GuardianData(name="Ouder", relation=GuardianRelation.MOTHER)],
            ),
        )
        workflow.transition_case(case, CaseStatus.INTAKE, actor=coordinator)
        cases_domain.save_intake(
            actor=coordinator,
            case=case,
            version=None,
            intake_on=today,
            domains={"vrije_tijd": {"strengths": "Goede voetballer."}},
            glm_needs=["relaties"],
            youth_words="Ik wil terug naar school.",
        )
        for kind, given_by in (
            (ConsentKind.OT_DISCUSSION, GivenBy.YOUTH),
            (ConsentKind.PARENTAL, GivenBy.PARENT),
            (ConsentKind.ENGAGEMENT, GivenBy.YOUTH),
        ):
            record_consent(
                actor=coordinator,
                case=case,
                data=ConsentData(
                    kind=kind, given_by=given_by, given_by_name=case.youth.full_name, signed_on=today, valid_until=None
                ),
            )
        workflow.transition_case(case, CaseStatus.AWAITING_OT, actor=coordinator)
        meeting = cases_domain.plan_ot_meeting(
            actor=coordinator,
            chain=chain,
            starts_at=timezone.now() - timedelta(hours=1),
            location="Stadhuis",
            legal_basis=legal_basis,
            attendees=[ot_member],
        )
        item = meeting.items.get(case=case)
        cases_domain.decide_ot_item(
            actor=coordinator,
            item=item,
            data=DecisionData(
                decision="include",
                version=item.version,
                chosen_case_director=director,
                guideline="Start met wekelijkse gesprekken.",
                subsidiarity="Geen andere structuur kan dit opnemen.",
            ),
        )
        case.refresh_from_db()
        cases_domain.record_start(
            actor=coordinator,
            case=case,
            referrer_informed_on=today,
            youth_informed_of_decision_on=today,
            trusted_person_name="Coach Marc",
        )
        cases_domain.activate_case(actor=coordinator, case=case, first_conversation_on=today)
        case = Case.objects.select_related("youth", "chain", "case_director").get(pk=case.pk)
        assert case.status == CaseStatus.ACTIVE
        return case

    return make


@pytest.fixture
def case(make_active_case):
    return make_active_case()


@pytest.fixture
def network(case, coordinator, school, caw):
    """Three people around the youth: a CLB pupil counsellor, a CAW social worker, the mother."""
    clb = add_network_member(
        actor=coordinator,
        case=case,
        data=MemberData(
            kind=MemberKind.FORMAL, name="Nathalie Willems", role="Leerlingbegeleider", organisation=school
        ),
    )
    welfare = add_network_member(
        actor=coordinator,
        case=case,
        data=MemberData(kind=MemberKind.FORMAL, name="Elif Yilmaz", role="Maatschappelijk werker", organisation=caw),
    )
    mother = add_network_member(
        actor=coordinator,
        case=case,
        data=MemberData(kind=MemberKind.INFORMAL, name="Fatima Vermeulen", role="Moeder", youth_agreed=True),
    )
    return {"clb": clb, "caw": welfare, "mother": mother}


def one_domain(
    network,
    *,
    goals: int = 1,
    actions_per_goal: int = 1,
    code: str = "werk_onderwijs",
    text: str = "Ik wil mijn diploma halen.",
) -> DomainInput:
    return DomainInput(
        domain=code,
        strengths="Is slim en wil leren.",
        situation="Spijbelt twee dagen per week.",
        risks="Dreigt uit te vallen.",
        glm_needs=["meesterschap"],
        goals=[
            GoalInput(
                text=f"{text} ({g + 1})",
                youth_agreed=g % 2 == 0,
                intended_result="Elke dag naar school.",
                actions=[
                    ActionInput(
                        what=f"Gesprek met de school {g + 1}.{a + 1}",
                        responsible_member=network["clb"].pk,
                        due_on=timezone.localdate() + timedelta(days=7 + a),
                    )
                    for a in range(actions_per_goal)
                ],
            )
            for g in range(goals)
        ],
    )


@pytest.fixture
def save(case, case_director):
    """Save a whole plan document as the case director, from the plan's current version."""

    def do(domains: list[DomainInput], *, actor=None):
        from ketenregie.plans.models import Plan

        plan = Plan.objects.filter(case=case).first()
        return plans_domain.save_plan(
            actor=actor or case_director, case=case, version=plan.version if plan else 0, domains=domains
        )

    return do


@pytest.fixture
def new_audit():
    def since(mark: int | None = None):
        if mark is None:
            return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        return list(AuditEvent.objects.filter(id__gt=mark).order_by("id"))

    return since


def close(case, coordinator):
    return cases_domain.close_case(
        actor=coordinator,
        case=case,
        closure_reason=ClosureReason.GOALS_REACHED,
        closure_summary={"vrije_tijd": "Speelt opnieuw voetbal."},
    )


@pytest.fixture
def client_for(client_for):
    """The cast's logged-in client, asking for English pages: the tests pin the msgids."""

    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make
