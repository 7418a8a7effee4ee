"""A believable plan of approach for an active demo case, built through the domain functions.

Every name is invented. Rerunning is harmless: a case that already has a plan, or that has no
network yet, is left alone. Call from the demo seed after the network exists::

    for case in active_cases:
        seed_demo_network(case, organisations)
        seed_demo_plan(case, case.case_director)

The plan is saved with plans.domain.save_plan. Meetings that already took place are entered with
meetings.domain.record_past_meeting — the domain's own way to record a meeting afterwards, with the
same rules as holding one (the youth attended, professionals acknowledged confidentiality, a valid
legal basis) — never by writing rows around the domain. The next meeting is planned with plan_meeting.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from ketenregie.accounts.models import Organisation, User
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.meetings import domain as meetings
from ketenregie.network.enums import MemberKind
from ketenregie.network.models import NetworkMember
from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput, save_plan
from ketenregie.plans.enums import ActionStatus, ProposedBy
from ketenregie.plans.models import Action, Goal, Plan


def _pick(members: list[NetworkMember], *, domain: str = "", role: str = "", kind: str = "") -> NetworkMember:
    """The first network member who works on ``domain`` or whose role mentions ``role``; else anyone."""
    for m in members:
        if (domain and domain in (m.life_domains or [])) or (role and role.lower() in m.role.lower()):
            if not kind or m.kind == kind:
                return m
    return members[0]


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed_demo_plan(case: Case, actor: User) -> Plan | None:
    """Two held network meetings (entered afterwards), a plan with three life domains — strengths
    first, goals in the youth's own words, five actions — progress scores, and the next meeting."""
    scope = {"chain": case.chain_id}
    if case.status != CaseStatus.ACTIVE or Plan.objects.with_scope(**scope).filter(case=case).exists():
        return None
    today = timezone.localdate()
    members = [m for m in NetworkMember.objects.with_scope(**scope).filter(case=case) if m.is_current_on(today)]
    if not members:
        return None
    first = case.youth.first_name
    coach = _pick(members, domain="vrije_tijd", role="train")
    school = _pick(members, domain="werk_onderwijs", role="CLB")
    mother = _pick(members, role="moeder")
    partner_ids = set(Organisation.objects.filter(chain_partnerships__chain=case.chain).values_list("pk", flat=True))
    caw = next((o for o in Organisation.objects.filter(pk__in=partner_ids, kind="caw")), None)

    plan = save_plan(
        actor=actor,
        case=case,
        version=0,
        domains=[
            DomainInput(
                domain="vrije_tijd",
                strengths=f"{first} voetbalt graag en is goed in teamsport. De trainer is een vaste steunfiguur.",
                situation="Na school veel tijd op straat met een oudere vriendengroep.",
                risks="De vriendengroep was betrokken bij de feiten.",
                glm_needs=["relaties", "meesterschap"],
                goals=[
                    GoalInput(
                        text="Ik wil terug elke week voetballen en er bij de ploeg bij horen.",
                        proposed_by=ProposedBy.YOUTH,
                        intended_result="Twee trainingen per week en de wedstrijd op zaterdag.",
                        youth_agreed=True,
                        actions=[
                            ActionInput(
                                what="Opnieuw inschrijven bij de club en lidgeld regelen (sociaal tarief).",
                                responsible_member=coach.pk,
                                due_on=today - timedelta(days=5),
                                status=ActionStatus.DONE,
                                note="Inschrijving rond, lidgeld via OCMW-tarief.",
                            ),
                            ActionInput(
                                what="Samen een vast vervoer naar de training afspreken.",
                                responsible_member=coach.pk,
                                due_on=today + timedelta(days=10),
                            ),
                        ],
                    )
                ],
            ),
            DomainInput(
                domain="werk_onderwijs",
                strengths=f"{first} is handig met techniek en wil een diploma halen.",
                situation="Spijbelt twee dagen per week; de school wil samen een oplossing zoeken.",
                risks="Dreigt het schooljaar niet af te ronden.",
                glm_needs=["meesterschap", "autonomie"],
                goals=[
                    GoalInput(
                        text="Ik wil mijn diploma halen en later elektricien worden.",
                        proposed_by=ProposedBy.YOUTH,
                        intended_result="Elke dag op school tot de zomer; een stageplaats.",
                        youth_agreed=True,
                        actions=[
                            ActionInput(
                                what="Wekelijks kort gesprek met de leerlingbegeleider over de aanwezigheden.",
                                responsible_member=school.pk,
                                due_on=today - timedelta(days=2),
                                status=ActionStatus.RUNNING,
                            ),
                            ActionInput(
                                what="Een proefdag in een technische richting plannen.",
                                responsible_member=school.pk,
                                due_on=today + timedelta(days=21),
                            ),
                        ],
                    )
                ],
            ),
            DomainInput(
                domain="gezinscontext",
                strengths="Moeder is betrokken en wil mee naar het overleg.",
                situation="Veel ruzie met vader over uitgaan en geld.",
                glm_needs=["relaties", "innerlijke_vrede"],
                goals=[
                    GoalInput(
                        text="Ik wil minder ruzie thuis.",
                        proposed_by=ProposedBy.NETWORK,
                        intended_result="Afspraken over uitgaan waar iedereen zich aan houdt.",
                        youth_agreed=False,
                        actions=[
                            ActionInput(
                                what="Een gesprek met het gezin over huisregels plannen.",
                                responsible_organisation=caw.pk if caw else None,
                                responsible_member=None if caw else mother.pk,
                                due_on=today + timedelta(days=14),
                            )
                        ],
                    )
                ],
            ),
        ],
    )

    # The first network meeting (made the plan) and the second (evaluated it), entered afterwards.
    professionals = [m for m in members if m.kind == MemberKind.FORMAL]
    present = list(dict.fromkeys([mother.pk, coach.pk, school.pk]))
    present_professionals = [pk for pk in present if pk in {m.pk for m in professionals}]
    started = case.first_conversation_on or today - timedelta(days=28)
    first_day = min(max(started + timedelta(days=3), today - timedelta(days=24)), today - timedelta(days=7))
    school_goal = Goal.objects.with_scope(**scope).get(plan_domain__plan=plan, plan_domain__domain="werk_onderwijs")
    first_meeting = meetings.record_past_meeting(
        actor=actor,
        case=case,
        starts_at=_at(first_day, 16),
        location_kind="neutral",
        location="Stadhuis Genk, vergaderzaal 1.08",
        agenda="Kennismaking met het netwerk en het plan van aanpak.",
        invitees=members,
        data=meetings.HeldData(
            youth_attended=True,
            attendee_ids=present,
            acknowledged_ids=present_professionals,
            minutes=f"{first} vertelde zelf wat goed gaat (voetbal, techniek) en wat moeilijk is (school, thuis). "
            "Samen de doelen per levensdomein opgesteld.",
            information_shared="CLB: aanwezigheden van de laatste twee maanden. Trainer: houding op training.",
            agreements=[
                meetings.Agreement(
                    goal_id=school_goal.pk,
                    what="Mama brengt de school op de hoogte van het plan.",
                    responsible_member=mother.pk,
                    due_on=first_day + timedelta(days=7),
                )
            ],
        ),
    )
    meetings.evaluate_meeting(
        actor=actor,
        meeting=first_meeting,
        actions=[],
        progress=[
            meetings.ProgressInput("vrije_tijd", 2, "Startpunt: niet meer naar de club."),
            meetings.ProgressInput("werk_onderwijs", 1, "Startpunt: spijbelt veel."),
            meetings.ProgressInput("gezinscontext", 2, "Startpunt: veel spanning thuis."),
        ],
    )
    second_day = today - timedelta(days=3)
    second_meeting = meetings.record_past_meeting(
        actor=actor,
        case=case,
        starts_at=_at(second_day, 16),
        location_kind="home",
        location="Bij het gezin thuis",
        agenda="Opvolging van de afspraken.",
        invitees=members,
        data=meetings.HeldData(
            youth_attended=True,
            attendee_ids=present,
            acknowledged_ids=present_professionals,
            minutes="De afspraken overlopen; voetbal loopt goed, school gaat met kleine stappen.",
        ),
    )
    open_actions = Action.objects.with_scope(**scope).filter(
        case=case, status__in=[ActionStatus.PLANNED, ActionStatus.RUNNING]
    )
    kept = {0: "yes", 1: "partly"}
    meetings.evaluate_meeting(
        actor=actor,
        meeting=second_meeting,
        cooperation="Vlotte samenwerking tussen school en trainer.",
        actions=[
            meetings.ActionEvaluationInput(a.pk, kept.get(i, "no"), realistic=i != 2)
            for i, a in enumerate(open_actions.order_by("due_on"))
        ],
        progress=[
            meetings.ProgressInput("vrije_tijd", 4, "Traint twee keer per week."),
            meetings.ProgressInput("werk_onderwijs", 2, "Minder afwezig, nog niet elke dag."),
            meetings.ProgressInput("gezinscontext", 3, "Minder ruzie sinds de afspraken."),
        ],
    )
    meetings.plan_meeting(
        actor=actor,
        case=case,
        starts_at=_at(today + timedelta(days=25), 16),
        location_kind="neutral",
        location="Stadhuis Genk, vergaderzaal 1.08",
        agenda="Evaluatie van het plan van aanpak.",
        invitees=members,
    )
    return Plan.objects.with_scope(**scope).get(case=case)
