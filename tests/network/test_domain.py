"""The network domain: adding, changing and ending members, and the rules it enforces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.models import Case
from ketenregie.common.errors import GuardFailed, ValidationFailed
from ketenregie.network.domain import add_network_member, end_network_member, update_network_member
from ketenregie.network.enums import MemberKind
from ketenregie.network.models import NetworkMember
from ketenregie.plans.enums import ActionStatus
from ketenregie.plans.models import Action
from tests.factories import OrganisationFactory
from tests.network.conftest import member_data

pytestmark = pytest.mark.django_db


def _fields(exc) -> set[str]:
    return {e["field"] for e in exc.value.errors}


def test_ending_a_member_with_open_actions_without_reassigning_is_refused_and_changes_nothing(
    active_case, add_member, plan_actions, coordinator
):
    coach = add_member(active_case, "Marc Thijs", "Voetbaltrainer")
    plan_actions(
        active_case,
        [
            ("Meetrainen op woensdag", coach, ActionStatus.PLANNED),
            ("Inschrijving club regelen", coach, ActionStatus.RUNNING),
        ],
    )
    audit_before = AuditEvent.objects.count()

    with pytest.raises(GuardFailed) as exc:
        end_network_member(actor=coordinator, member=coach)

    assert _fields(exc) == {"reassign_to"}
    assert "2 open actions" in exc.value.detail
    coach.refresh_from_db()
    assert coach.until is None
    assert set(Action.objects.filter(case=active_case).values_list("responsible_member", flat=True)) == {coach.pk}
    assert AuditEvent.objects.count() == audit_before


def test_ending_a_member_with_reassignment_moves_only_the_open_actions(
    active_case, add_member, plan_actions, coordinator
):
    coach = add_member(active_case, "Marc Thijs", "Voetbaltrainer")
    mother = add_member(active_case, "Karin Vermeulen", "Moeder")
    plan_actions(
        active_case,
        [
            ("Meetrainen op woensdag", coach, ActionStatus.PLANNED),
            ("Inschrijving club regelen", coach, ActionStatus.DONE),
        ],
    )
    today = timezone.localdate()

    end_network_member(actor=coordinator, member=coach, on=today, reassign_to=mother)

    coach.refresh_from_db()
    assert coach.until == today
    by_what = {a.what: a.responsible_member_id for a in Action.objects.filter(case=active_case)}
    assert by_what == {"Meetrainen op woensdag": mother.pk, "Inschrijving club regelen": coach.pk}
    event = AuditEvent.objects.filter(action="network.member_ended").get()
    assert event.object_id == str(coach.pk) and event.details == {"reassigned_actions": 1}


def test_reassigning_to_someone_who_already_left_is_refused(active_case, add_member, plan_actions, coordinator):
    coach = add_member(active_case, "Marc Thijs", "Voetbaltrainer")
    gone = add_member(active_case, "Oude buur", "Buurman")
    end_network_member(actor=coordinator, member=gone, on=timezone.localdate() - timedelta(days=3))
    plan_actions(active_case, [("Meetrainen op woensdag", coach, ActionStatus.PLANNED)])

    with pytest.raises(ValidationFailed) as exc:
        end_network_member(actor=coordinator, member=coach, reassign_to=gone)

    assert _fields(exc) == {"reassign_to"}
    coach.refresh_from_db()
    assert coach.until is None


def test_a_new_trusted_person_replaces_the_previous_one_and_is_named_on_the_case(active_case, add_member, coordinator):
    first = add_member(
        active_case, "Marc Thijs", "Voetbaltrainer", is_trusted_person=True, youth_agreed=True, phone="0470 12 34 56"
    )
    assert Case.objects.get(pk=active_case.pk).trusted_person_name == "Marc Thijs"

    aunt = add_member(active_case, "Tante Samira", "Tante")
    update_network_member(
        actor=coordinator,
        member=aunt,
        data=member_data(
            "Tante Samira", "Tante", is_trusted_person=True, youth_agreed=True, email="samira@example.org"
        ),
    )

    trusted = NetworkMember.objects.filter(case=active_case, is_trusted_person=True)
    assert list(trusted) == [aunt]
    first.refresh_from_db()
    assert not first.is_trusted_person
    case = Case.objects.get(pk=active_case.pk)
    assert (case.trusted_person_name, case.trusted_person_contact) == ("Tante Samira", "samira@example.org")


def test_a_trusted_person_needs_the_youths_agreement(active_case, coordinator):
    with pytest.raises(ValidationFailed) as exc:
        add_network_member(
            actor=coordinator,
            case=active_case,
            data=member_data("Marc Thijs", "Voetbaltrainer", is_trusted_person=True),
        )
    assert "youth_agreed" in _fields(exc)
    assert not NetworkMember.objects.filter(case=active_case).exists()


def test_an_informal_member_with_an_organisation_is_refused(active_case, coordinator, school):
    with pytest.raises(ValidationFailed) as exc:
        add_network_member(
            actor=coordinator, case=active_case, data=member_data("Karin Vermeulen", "Moeder", organisation=school)
        )
    assert _fields(exc) == {"kind"}
    assert not NetworkMember.objects.filter(case=active_case).exists()


def test_a_partner_account_of_another_organisation_is_refused(active_case, coordinator, partner, caw):
    # ``partner`` is a partner of the chain for the CLB, not for the CAW.
    with pytest.raises(ValidationFailed) as exc:
        add_network_member(
            actor=coordinator,
            case=active_case,
            data=member_data(
                "Nathalie Willems", "CLB-medewerker", kind=MemberKind.FORMAL, organisation=caw, user=partner
            ),
        )
    assert _fields(exc) == {"user"}
    assert not NetworkMember.objects.filter(case=active_case).exists()


def test_a_partner_account_of_its_own_organisation_is_linked(active_case, coordinator, partner, school):
    member = add_network_member(
        actor=coordinator,
        case=active_case,
        data=member_data(
            "Nathalie Willems",
            "CLB-medewerker",
            kind=MemberKind.FORMAL,
            organisation=school,
            user=partner,
            life_domains=["werk_onderwijs"],
        ),
    )
    assert (member.organisation, member.user, member.life_domains) == (school, partner, ["werk_onderwijs"])


def test_a_professional_needs_an_organisation_and_unknown_life_domains_are_refused(active_case, coordinator):
    OrganisationFactory(name="Niet in de keten")
    with pytest.raises(ValidationFailed) as exc:
        add_network_member(
            actor=coordinator,
            case=active_case,
            data=member_data("Dr. An Claes", "Huisarts", kind=MemberKind.FORMAL, life_domains=["astrologie"]),
        )
    assert _fields(exc) == {"organisation", "life_domains"}


def test_an_end_date_set_by_an_edit_cannot_orphan_open_actions(active_case, add_member, plan_actions, coordinator):
    coach = add_member(active_case, "Marc Thijs", "Voetbaltrainer")
    plan_actions(active_case, [("Meetrainen op woensdag", coach, ActionStatus.PLANNED)])
    data = member_data("Marc Thijs", "Voetbaltrainer", until=timezone.localdate())

    with pytest.raises(GuardFailed) as exc:
        update_network_member(actor=coordinator, member=coach, data=data)

    assert _fields(exc) == {"until"}
    coach.refresh_from_db()
    assert coach.until is None
