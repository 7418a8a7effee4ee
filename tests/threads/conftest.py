"""A case shared with the cast's partner, built by the domain functions.

The active case and its network come from the plan fixtures (tests/plans/fixtures.py). On top:
the partner (CLB) is a network member linked to their account, and the youth signed a sharing
consent for the CLB covering the life domain "werk_onderwijs". The plan has three actions: one
of the partner's in that domain, one of the partner's in "vrije_tijd" (not shared with them),
and one of the CAW's in "werk_onderwijs".
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ketenregie.consent.domain import ConsentData, record_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.network.domain import MemberData, add_network_member
from ketenregie.network.enums import MemberKind
from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput, save_plan
from ketenregie.plans.models import Action
from tests.plans.fixtures import *  # noqa: F403 — the shared plan and meeting fixtures

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "verslag.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def partner_member(case, coordinator, partner, school):
    return add_network_member(
        actor=coordinator,
        case=case,
        data=MemberData(
            kind=MemberKind.FORMAL,
            name="Nathalie Willems",
            role="Leerlingbegeleider",
            organisation=school,
            user=partner,
            life_domains=["werk_onderwijs"],
        ),
    )


@pytest.fixture
def caw_member(case, coordinator, caw):
    return add_network_member(
        actor=coordinator,
        case=case,
        data=MemberData(kind=MemberKind.FORMAL, name="Elif Yilmaz", role="Maatschappelijk werker", organisation=caw),
    )


@pytest.fixture
def sharing_consent(case, coordinator, school):
    return record_consent(
        actor=coordinator,
        case=case,
        data=ConsentData(
            kind=ConsentKind.SHARING,
            given_by=GivenBy.YOUTH,
            given_by_name=case.youth.full_name,
            signed_on=timezone.localdate(),
            valid_until=None,
            organisations=[school],
            life_domains=["werk_onderwijs"],
        ),
    )


@pytest.fixture
def shared(case, case_director, partner_member, caw_member, sharing_consent):
    """The case shared with the partner, with a plan of three actions (see the module docstring)."""
    due = timezone.localdate() + timedelta(days=7)
    save_plan(
        actor=case_director,
        case=case,
        version=0,
        domains=[
            DomainInput(
                domain="werk_onderwijs",
                strengths="Is slim.",
                goals=[
                    GoalInput(
                        text="Ik wil mijn diploma halen.",
                        youth_agreed=True,
                        actions=[
                            ActionInput(
                                what="Gesprek met de klastitularis", responsible_member=partner_member.pk, due_on=due
                            ),
                            ActionInput(
                                what="Budgetbegeleiding aanvragen", responsible_member=caw_member.pk, due_on=due
                            ),
                        ],
                    )
                ],
            ),
            DomainInput(
                domain="vrije_tijd",
                goals=[
                    GoalInput(
                        text="Ik wil terug voetballen.",
                        actions=[ActionInput(what="Inschrijven bij de club", responsible_member=partner_member.pk)],
                    )
                ],
            ),
        ],
    )
    actions = {a.what: a for a in Action.objects.filter(case=case)}
    return {
        "case": case,
        "mine": actions["Gesprek met de klastitularis"],
        "not_shared": actions["Inschrijven bij de club"],
        "caw": actions["Budgetbegeleiding aanvragen"],
        "consent": sharing_consent,
        "member": partner_member,
    }


@pytest.fixture
def thread(shared, case_director, partner):
    from ketenregie.threads import domain

    return domain.start_thread(
        actor=case_director,
        case=shared["case"],
        subject="Schoolverzuim",
        body="Hoe gaat het op school?",
        participants=[partner],
        action=shared["mine"],
    )
