"""The plan's domain rules as the pages rely on them: versions, the network, closed cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.common.errors import GuardFailed, StaleVersion, ValidationFailed
from ketenregie.network.domain import end_network_member
from ketenregie.plans import domain
from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput
from ketenregie.plans.models import Action, Goal, Plan, PlanDomain, PlanVersion
from tests.plans.fixtures import close, one_domain


def _rows():
    return (
        Plan.objects.count(),
        PlanDomain.objects.count(),
        Goal.objects.count(),
        Action.objects.count(),
        PlanVersion.objects.count(),
        AuditEvent.objects.filter(action="plan.saved").count(),
    )


def test_save_plan_writes_a_version_with_who_and_what(case, case_director, network, save):
    plan = save([one_domain(network, goals=2, actions_per_goal=2)])
    assert plan.version == 1
    version = PlanVersion.objects.get(plan=plan)
    assert version.created_by == case_director
    assert version.snapshot["domains"][0]["goals"][1]["actions"][1]["what"] == "Gesprek met de school 2.2"
    assert Action.objects.filter(case=case).count() == 4
    assert AuditEvent.objects.filter(action="plan.saved", case_id=case.pk).count() == 1


def test_stale_version_is_refused_and_nothing_is_written(case, case_director, coordinator, network, save):
    save([one_domain(network)])
    before = _rows()
    changed = one_domain(network, text="Ik wil stage lopen.")
    with pytest.raises(StaleVersion):
        domain.save_plan(actor=coordinator, case=case, version=0, domains=[changed])
    assert _rows() == before
    assert Plan.objects.get(case=case).version == 1
    assert not Goal.objects.filter(text__startswith="Ik wil stage").exists()


def test_responsible_outside_the_network_is_a_field_error(case, make_active_case, coordinator, network, save):
    other_case = make_active_case()
    from ketenregie.network.domain import MemberData, add_network_member
    from ketenregie.network.enums import MemberKind

    stranger = add_network_member(
        actor=coordinator,
        case=other_case,
        data=MemberData(kind=MemberKind.INFORMAL, name="Iemand Anders", role="Buurman"),
    )
    d = one_domain(network)
    d.goals[0].actions[0].responsible_member = stranger.pk
    before = _rows()
    with pytest.raises(ValidationFailed) as refused:
        save([d])
    assert {
        "field": "domains.0.goals.0.actions.0.responsible_member",
        "message": "The responsible person must be in the youth's current network.",
    } in refused.value.errors
    assert _rows() == before


def test_responsible_whose_part_in_the_network_ended_is_refused(case, coordinator, network, save):
    end_network_member(actor=coordinator, member=network["mother"], on=timezone.localdate() - timedelta(days=1))
    d = one_domain(network)
    d.goals[0].actions[0].responsible_member = network["mother"].pk
    with pytest.raises(ValidationFailed) as refused:
        save([d])
    assert refused.value.errors[0]["field"] == "domains.0.goals.0.actions.0.responsible_member"


def test_nobody_responsible_is_refused(case, network, save):
    d = DomainInput(
        domain="vrije_tijd", goals=[GoalInput(text="Terug voetballen", actions=[ActionInput(what="Inschrijven")])]
    )
    with pytest.raises(ValidationFailed) as refused:
        save([d])
    assert refused.value.errors == [
        {
            "field": "domains.0.goals.0.actions.0.responsible_member",
            "message": "Choose who is responsible: someone from the network or an organisation.",
        }
    ]


def test_a_partner_organisation_may_be_responsible(case, network, save, caw):
    d = one_domain(network)
    d.goals[0].actions[0].responsible_member = None
    d.goals[0].actions[0].responsible_organisation = caw.pk
    save([d])
    assert Action.objects.get(case=case).responsible_organisation == caw


def test_closed_case_plan_cannot_be_changed(case, coordinator, network, save):
    save([one_domain(network)])
    close(case, coordinator)
    case.refresh_from_db()
    before = _rows()
    with pytest.raises(GuardFailed, match="closed"):
        domain.save_plan(actor=coordinator, case=case, version=1, domains=[one_domain(network, text="Nieuw")])
    assert _rows() == before


def test_diff_names_the_life_domain_and_the_field(case, network, save):
    save([one_domain(network)])
    before = domain.snapshot(Plan.objects.get(case=case))
    d = one_domain(network)
    d.goals[0].id = Goal.objects.get().pk
    d.goals[0].actions[0].id = Action.objects.get().pk
    d.goals[0].actions[0].status = "done"
    save([d])
    after = domain.snapshot(Plan.objects.get(case=case))
    changes = domain.diff(before, after, {"werk_onderwijs": "Werk/onderwijs"})
    assert [(c.path, c.before, c.after) for c in changes] == [
        ("Werk/onderwijs › goal 1 › action 1 › status", "planned", "done")
    ]


def test_a_finished_action_of_someone_who_left_does_not_block_the_plan(case, coordinator, network, save):
    d = one_domain(network)
    d.goals[0].actions[0].status = "done"
    save([d])
    end_network_member(actor=coordinator, member=network["clb"], on=timezone.localdate() - timedelta(days=1))
    current = domain.snapshot(Plan.objects.get(case=case))
    from ketenregie.plans.views import domain_input_from_snapshot

    unchanged = domain_input_from_snapshot(current["domains"][0])
    other = DomainInput(domain="vrije_tijd", strengths="Voetbalt graag.")
    save([other, unchanged])  # only "vrije tijd" is new
