"""Builders for the report tests: cases in any status with their network, plan, meetings and contacts.

Everything is made by the domain functions (the case builder of tests/cases/conftest.py, then
network.domain, plans.domain, meetings.domain and followup.domain), as the demo and the web do.
The cast (chain, coordinator, strategist, case directors, ...) comes from tests/conftest.py.
Youths get a municipality ("Zwartberg") that appears nowhere else, so the scans of the exports
can look for it.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from ketenregie.accounts.enums import Role
from ketenregie.cases.enums import CaseStatus
from ketenregie.followup import domain as followup_domain
from ketenregie.followup.enums import ContactChannel, ContactWith
from ketenregie.meetings import domain as meetings_domain
from ketenregie.meetings.enums import LocationKind
from ketenregie.network.domain import MemberData, add_network_member
from ketenregie.network.enums import MemberKind
from ketenregie.plans import domain as plans_domain
from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput
from ketenregie.reports.periods import CUSTOM, Period
from tests.cases.conftest import *  # noqa: F403 - the case builder fixtures, shared with the workflow tests
from tests.cases.conftest import _english  # noqa: F401 - autouse: English messages
from tests.factories import MembershipFactory, UserFactory

S = CaseStatus
MUNICIPALITY = "Zwartberg"
_serial = itertools.count(1)


def unique_last_name() -> str:
    """A last name no other youth of the test has (the duplicate check compares the first letters)."""
    n = next(_serial)
    return "Q" + "".join(chr(ord("a") + (n // 26**i) % 26) for i in range(4)) + "ens"


@pytest.fixture(autouse=True)
def _urls_loaded():
    """Load the URLconf (and the API's schemas) before a test freezes the clock."""
    from django.urls import reverse

    reverse("reports:report")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts without cached figures (they are cached per chain, period and language)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def regional_analyst(chain, other_chain):
    user = UserFactory(username="analist", first_name="Ann", last_name="Alyse")
    MembershipFactory(user=user, chain=chain, role=Role.REGIONAL_ANALYST)
    MembershipFactory(user=user, chain=other_chain, role=Role.REGIONAL_ANALYST)
    return user


@pytest.fixture
def period() -> Period:
    """The last 365 days: every case the builder makes falls in it."""
    today = timezone.localdate()
    return Period(today - timedelta(days=364), today, CUSTOM)


def params(period: Period, chain=None, **extra) -> dict:
    out = dict(period.as_query())
    if chain is not None:
        out["keten"] = chain.slug
    out.update(extra)
    return out


@pytest.fixture
def youth_case(builder):
    """``youth_case(status, gender=..., postal_code=..., **registration fields)``: a case built by the domain,
    its youth living in Zwartberg (postal code 3600) under a last name of its own."""

    def make(status=S.REGISTERED, *, gender="u", postal_code="3600", director=None, **data_fields):
        original = builder.registration_data

        def patched(**fields):
            data = original(**fields)
            data.youth = dataclasses.replace(
                data.youth,
                gender=gender,
                postal_code=postal_code,
                municipality=MUNICIPALITY,
                last_name=fields.get("last_name") or unique_last_name(),
            )
            return data

        builder.registration_data = patched
        try:
            return builder.make(status, director=director, **data_fields)
        finally:
            builder.registration_data = original

    return make


@pytest.fixture
def enrich(coordinator, school, caw):
    """``enrich(case)``: a network of three, a plan over two life domains, two evaluated meetings, two contacts."""

    def add(case):
        actor = coordinator
        clb = add_network_member(
            actor=actor,
            case=case,
            data=MemberData(
                kind=MemberKind.FORMAL, name="Nathalie Willems", role="Leerlingbegeleider", organisation=school
            ),
        )
        add_network_member(
            actor=actor,
            case=case,
            data=MemberData(
                kind=MemberKind.FORMAL, name="Elif Yilmaz", role="Maatschappelijk werker", organisation=caw
            ),
        )
        aunt = add_network_member(
            actor=actor,
            case=case,
            data=MemberData(
                kind=MemberKind.INFORMAL,
                name="Tante Samira",
                role="Tante",
                is_support_figure=True,
                youth_agreed=True,
            ),
        )
        plans_domain.save_plan(
            actor=actor,
            case=case,
            version=0,
            domains=[
                DomainInput(
                    domain="werk_onderwijs",
                    strengths="Wil leren.",
                    goals=[
                        GoalInput(
                            text="Ik wil mijn diploma halen.",
                            youth_agreed=True,
                            actions=[
                                ActionInput(what="Gesprek met de school", responsible_member=clb.pk, status="done"),
                                ActionInput(what="Elke dag naar school", responsible_member=clb.pk),
                            ],
                        )
                    ],
                ),
                DomainInput(
                    domain="vrije_tijd",
                    goals=[
                        GoalInput(
                            text="Terug voetballen.",
                            actions=[ActionInput(what="Inschrijven bij de club", responsible_member=aunt.pk)],
                        )
                    ],
                ),
            ],
        )
        for days_ago, scores in (
            (20, {"werk_onderwijs": 2, "vrije_tijd": 3}),
            (2, {"werk_onderwijs": 4, "vrije_tijd": 3}),
        ):
            meeting = meetings_domain.record_past_meeting(
                actor=actor,
                case=case,
                starts_at=timezone.now() - timedelta(days=days_ago),
                location_kind=LocationKind.NEUTRAL,
                location="Stadhuis",
                data=meetings_domain.HeldData(youth_attended=True, minutes="Overleg met de jongere."),
            )
            meetings_domain.evaluate_meeting(
                actor=actor,
                meeting=meeting,
                actions=[],
                progress=[meetings_domain.ProgressInput(domain=d, score=s) for d, s in scores.items()],
            )
        for days_ago, reached in ((10, True), (3, False)):
            followup_domain.record_contact(
                actor=actor,
                case=case,
                data=followup_domain.ContactData(
                    contact_at=timezone.now() - timedelta(days=days_ago),
                    with_whom=ContactWith.YOUTH,
                    channel=ContactChannel.PHONE,
                    reached=reached,
                    note="Gesprek over school.",
                ),
            )
        return case

    return add
