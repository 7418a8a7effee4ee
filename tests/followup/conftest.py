"""Builders for the follow-up tests: cases in any status, contacts, plans and meetings, all made by the domain.

The cast (chain, coordinator, case directors, OT member, partner, outsider, ...) and the autouse
``scopes_disabled`` come from tests/conftest.py; the case builder from tests/cases/conftest.py
(register → intake → consents → OT decision → start → activation, as ketenregie/cases/demo.py does).
Messages are asserted in English (the msgids).
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from ketenregie.cases import domain as cases_domain
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.followup import domain as followup_domain
from ketenregie.followup.enums import ContactChannel, ContactWith
from tests.cases.conftest import *  # noqa: F403 - the case builder fixtures, shared with the workflow tests
from tests.cases.conftest import GUIDELINE, SUBSIDIARITY, _english  # noqa: F401 - _english is autouse

S = CaseStatus
_serial = itertools.count(1)


def unique_last_name() -> str:
    """A last name no other youth of the test has, down to its first four letters (the duplicate check
    compares those): many cases never look like the same youth."""
    n = next(_serial)
    return "".join(chr(ord("a") + (n // 26**i) % 26) for i in range(4)).capitalize() + "mans"


@pytest.fixture(autouse=True)
def _urls_loaded():
    """Load the URLconf (and the API's schemas) before a test freezes the clock: pydantic cannot build
    schemas from freezegun's fake date class."""
    from django.urls import reverse

    reverse("api:list_signals")


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute`` Belgian time."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def contact(case, actor, at: datetime | None = None, *, with_whom=ContactWith.YOUTH, reached: bool = True, **fields):
    data = followup_domain.ContactData(
        contact_at=at or timezone.now() - timedelta(minutes=1),
        with_whom=with_whom,
        channel=fields.pop("channel", ContactChannel.FACE_TO_FACE),
        reached=reached,
        **fields,
    )
    return followup_domain.record_contact(actor=actor, case=case, data=data)


@pytest.fixture
def log_contact(case_director):
    """``log_contact(case, at=..., reached=..., actor=...)``: a contact logged by the case director."""

    def make(case, at=None, *, actor=None, **fields):
        return contact(case, actor or case_director, at, **fields)

    return make


@pytest.fixture
def active_cases(builder):
    """``active_cases(n, director=...)``: n active cases decided on one OT meeting (fast for many)."""

    def make(n: int, *, director=None) -> list[Case]:
        cases = [builder.register(last_name=unique_last_name()) for _ in range(n)]
        for case in cases:
            builder.start_intake(case)
            builder.submit_to_ot(case)
        meeting = builder.plan_meeting()
        for case in cases:
            item = meeting.items.get(case=case)
            cases_domain.decide_ot_item(
                actor=builder.coordinator,
                item=item,
                data=cases_domain.DecisionData(
                    decision="include",
                    version=item.version,
                    chosen_case_director=director or builder.case_director,
                    guideline=GUIDELINE,
                    subsidiarity=SUBSIDIARITY,
                ),
            )
            case.refresh_from_db()
            builder.activate(case)
        return list(Case.objects.filter(pk__in=[c.pk for c in cases]).select_related("youth", "chain"))

    return make


def add_member(case, actor, *, name: str = "Nathalie Willems", organisation=None):
    from ketenregie.network.domain import MemberData, add_network_member
    from ketenregie.network.enums import MemberKind

    kind = MemberKind.FORMAL if organisation is not None else MemberKind.INFORMAL
    return add_network_member(
        actor=actor,
        case=case,
        data=MemberData(
            kind=kind,
            name=name,
            role="Leerlingbegeleider" if organisation else "Tante",
            organisation=organisation,
            youth_agreed=True,
        ),
    )


def plan_with_action(case, actor, *, due_on: date, member=None):
    """A plan of approach with one goal and one action due on ``due_on`` (plans.domain.save_plan)."""
    from ketenregie.plans import domain as plans_domain
    from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput
    from ketenregie.plans.models import Plan

    member = member or add_member(case, actor, name="Coach Marc")
    plan = Plan.objects.filter(case=case).first()
    return plans_domain.save_plan(
        actor=actor,
        case=case,
        version=plan.version if plan else 0,
        domains=[
            DomainInput(
                domain="werk_onderwijs",
                strengths="Wil leren.",
                goals=[
                    GoalInput(
                        text="Ik wil mijn diploma halen.",
                        youth_agreed=True,
                        actions=[
                            ActionInput(what="Gesprek met de school.", responsible_member=member.pk, due_on=due_on),
                        ],
                    )
                ],
            )
        ],
    )


def plan_network_meeting(case, actor, *, starts_at: datetime):
    from ketenregie.meetings import domain as meetings_domain
    from ketenregie.meetings.enums import LocationKind

    return meetings_domain.plan_meeting(
        actor=actor, case=case, starts_at=starts_at, location_kind=LocationKind.NEUTRAL, location="Jeugdhuis Kompas"
    )


def hold_network_meeting(meeting, actor):
    from ketenregie.meetings import domain as meetings_domain

    return meetings_domain.hold_meeting(
        actor=actor, meeting=meeting, data=meetings_domain.HeldData(youth_attended=True, minutes="Plan overlopen.")
    )


@pytest.fixture
def seen_by_ot_member(make_case, builder, ot_member):
    """An active case that was included at an OT meeting the OT member attended: they see it (read-only)."""

    def make():
        case = make_case(S.AWAITING_OT)
        builder.plan_meeting(attendees=[ot_member])
        builder.decide(case)
        builder.activate(Case.objects.get(pk=case.pk))
        return Case.objects.select_related("youth", "chain").get(pk=case.pk)

    return make


@pytest.fixture
def client_for(client_for):
    """The cast's logged-in client, reading English (the msgids the tests assert on)."""

    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make
