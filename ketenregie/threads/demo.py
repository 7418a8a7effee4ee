"""Believable demo conversations, built through threads.domain. Every name is invented.

For an active case whose network holds a partner account that shares the case (the CLB worker
linked to "partner-school"), the case director asks about the partner's action and the partner
answers. Rerunning is harmless: a case that already has conversations is left alone.
"""

from __future__ import annotations

from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.consent import policy
from ketenregie.plans.models import Action
from ketenregie.threads import domain, queries
from ketenregie.threads.models import Thread


def seed_demo_threads(case: Case) -> Thread | None:
    scope = {"chain": case.chain_id}
    if case.status != CaseStatus.ACTIVE or case.case_director is None:
        return None
    if Thread.objects.with_scope(**scope).filter(case=case).exists():
        return None
    director = case.case_director
    partners = [u for u in queries.eligible_participants(case) if policy.is_partner_of(u, case)]
    if not partners:
        return None
    partner = partners[0]
    action = next(
        (
            a
            for a in Action.objects.with_scope(**scope)
            .filter(case=case, responsible_member__user=partner)
            .select_related("goal__plan_domain")
            if queries.may_see_domain(partner, case, queries.action_domain(a))
        ),
        None,
    )
    first = case.youth.first_name
    thread = domain.start_thread(
        actor=director,
        case=case,
        subject="Afspraak met de school" if action else f"Opvolging {first}",
        body=(
            f"Dag @{partner.get_username()}, hoe loopt het met {first} op school? "
            "Lukt het gesprek met de klastitularis nog voor het volgende overleg?"
        ),
        participants=[partner],
        action=action,
    )
    domain.post_message(
        actor=partner,
        thread=thread,
        body=(
            f"Dag @{director.get_username()}, {first} was deze week elke dag op school. "
            "Het gesprek staat gepland voor donderdag; ik laat weten hoe het ging."
        ),
    )
    return thread
