"""Believable demo cases for the two demo chains, built through the domain functions.

Every name is invented. Rerunning is harmless: a chain that already has demo cases is skipped.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ketenregie.accounts.models import User
from ketenregie.cases import domain, workflow
from ketenregie.cases.enums import CaseStatus, ConsultOutcome
from ketenregie.cases.models import Case
from ketenregie.consent.domain import ConsentData, record_consent
from ketenregie.consent.enums import ConsentKind, GivenBy


def _years_ago(today: date, years: int, days: int = 0) -> date:
    try:
        d = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        d = today.replace(year=today.year - years, day=28)
    return d - timedelta(days=days)


def _at(day: date, hour: int = 14) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


# first, last, age (years, extra days), gender, postal code, municipality, target status, director, offence, group
GENK = [
    ("Jens", "Vermeulen", (16, 40), "m", "3600", "Genk", CaseStatus.ACTIVE, "regisseur1", "diefstal", True),
    ("Amira", "El Idrissi", (19, 100), "f", "3600", "Genk", CaseStatus.ACTIVE, "regisseur2", "drugs", False),
    ("Youssef", "Amrani", (16, 200), "m", "3600", "Genk", CaseStatus.ACTIVE, "regisseur2", "geweld", True),
    ("Emma", "Wouters", (13, 150), "f", "3600", "Genk", CaseStatus.INCLUDED, "regisseur1", "vandalisme", True),
    ("Dylan", "Peeters", (15, 20), "m", "3600", "Genk", CaseStatus.AWAITING_OT, None, "diefstal", False),
    ("Lina", "Aydin", (17, 300), "f", "3600", "Genk", CaseStatus.INTAKE, None, "bedreiging", False),
    ("Noah", "Claes", (14, 60), "m", "3600", "Genk", CaseStatus.REGISTERED, None, "overlast", True),
    ("Sem", "Jacobs", (22, 10), "m", "3600", "Genk", CaseStatus.NOT_INCLUDED, None, "verkeer", False),
    ("Ilias", "Benali", (20, 80), "m", "3600", "Genk", CaseStatus.CLOSED, "regisseur1", "afpersing", True),
    ("Kevin", "Janssens", (18, 30), "m", "3600", "Genk", CaseStatus.WITHDRAWN, None, "diefstal", False),
]
ANTWERP = [
    ("Mila", "De Smet", (15, 90), "f", "2060", "Antwerpen", CaseStatus.AWAITING_OT, None, "diefstal", True),
    ("Rayan", "Bouzid", (16, 10), "m", "2140", "Borgerhout", CaseStatus.INTAKE, None, "geweld", False),
    ("Lucas", "Verstraeten", (14, 200), "m", "2018", "Antwerpen", CaseStatus.REGISTERED, None, "vandalisme", True),
]

MULTI_PROBLEM = {
    "diefstal": "Spijbelt al maanden, conflicten thuis met vader, hangt rond met oudere jongeren.",
    "drugs": "Dakloos geweest, schulden, gebruikt dagelijks cannabis, weinig steunfiguren.",
    "geweld": "Agressie op school, broer in gemeenschapsinstelling, moeder overbelast.",
    "vandalisme": "Veel alleen thuis, schoolmoe, vriendengroep die feiten pleegt.",
    "bedreiging": "Psychische kwetsbaarheid, wachtlijst jeugdhulp, conflict met school.",
    "overlast": "Gezin met financiële zorgen, jongere zonder vrijetijdsbesteding.",
    "verkeer": "Werkloos, geen diploma, conflict met ouders over geld.",
    "afpersing": "Onder druk van oudere groep, schulden, afgehaakt op school.",
}


def seed_cases(*, chains, organisations, stdout) -> None:
    for slug, rows in (("fix-genk", GENK), ("kompas-antwerpen", ANTWERP)):
        chain = chains[slug]
        if Case.objects.with_scope(chain=chain.pk).exists():
            continue
        _seed_chain(chain, rows, organisations)
        stdout.write(f"Demo cases created for {chain.name}: {len(rows)}")


def _seed_chain(chain, rows, organisations) -> None:
    today = timezone.localdate()
    coordinator = User.objects.filter(memberships__chain=chain, memberships__role="operational_coordinator").first()
    partners = [p.organisation for p in chain.partners.select_related("organisation")]
    police = next((o for o in partners if o.kind == "police"), partners[0])
    school = next((o for o in partners if o.kind == "school"), partners[0])
    ot_members = list(User.objects.filter(memberships__chain=chain, memberships__role="ot_member").distinct())

    basis = domain.add_legal_basis(
        actor=coordinator,
        chain=chain,
        kind="decree",
        reference="Decreet van 30 juni 2023 — casusoverleg ketenaanpak (art. 458ter Sw.)",
        dated=date(2023, 6, 30),
        valid_from=date(2023, 9, 1),
        valid_until=None,
        purpose="Casusoverleg in het operationeel team en netwerkoverleg rond jongeren in de ketenaanpak "
        "jeugddelinquentie, met het oog op hun welzijn en het voorkomen van nieuwe feiten.",
        modalities="Enkel informatie die nodig is voor het doel; gedeeld beroepsgeheim; verslag per overleg.",
        organisations=partners,
        authorised_functions="Casusregisseurs, coördinatoren, vertegenwoordigers van de OT-partners",
    )

    consult_day = today - timedelta(days=12)
    domain.record_consult(
        actor=coordinator,
        chain=chain,
        data=domain.ConsultData(
            referrer_kind="organisation",
            referrer_organisation=school,
            referrer_name="Leerlingbegeleider",
            channel="phone",
            consulted_on=consult_day,
            summary="Leerling van 15 komt bijna niet meer naar school; politie kwam al langs voor incidenten.",
            outcome=ConsultOutcome.FITS,
            youth_initials="D.P.",
            youth_age=15,
            youth_postal_code=chain.postal_codes[0],
            has_offence=True,
            has_multi_problem=True,
        ),
    )
    domain.record_consult(
        actor=coordinator,
        chain=chain,
        data=domain.ConsultData(
            referrer_kind="parent",
            referrer_name="Moeder van een jongere",
            channel="on_site",
            consulted_on=today - timedelta(days=5),
            summary="Zoon van 11 jaar speelt veel buiten, nog geen feiten bekend.",
            outcome=ConsultOutcome.DOES_NOT_FIT,
            advice="Contact opnemen met het CLB en de buurtwerking; FIX is voor jongeren vanaf 12 die feiten pleegden.",
            youth_age=11,
            has_offence=False,
            has_multi_problem=False,
        ),
    )
    domain.record_consult(
        actor=coordinator,
        chain=chain,
        data=domain.ConsultData(
            referrer_kind="organisation",
            referrer_organisation=police,
            referrer_name="Wijkinspecteur",
            channel="email",
            consulted_on=today - timedelta(days=2),
            summary="Jongere betrokken bij groepsfeit, gezinssituatie nog onduidelijk.",
            outcome=ConsultOutcome.NEEDS_INFO,
            youth_age=17,
            has_offence=True,
        ),
    )

    past_ot = today - timedelta(days=35)
    cases = []
    for i, (first, last, (years, days), gender, postal, municipality, target, director, offence, group) in enumerate(
        rows
    ):
        birth = _years_ago(today, years, days)
        registered = today - timedelta(days=[70, 68, 65, 50, 20, 14, 3, 60, 300, 45, 25, 15, 4][i % 13])
        minor = domain.age_on(birth, registered) < 18
        data = domain.RegistrationData(
            youth=domain.YouthData(first, last, birth, postal, municipality, gender),
            referrer_kind="organisation",
            referrer_organisation=police if i % 2 == 0 else school,
            referrer_name="Inspecteur jeugd" if i % 2 == 0 else "Leerlingbegeleider",
            registered_on=registered,
            youth_informed_on=registered - timedelta(days=2),
            parents_informed_on=registered - timedelta(days=2) if minor else None,
            multi_problem=MULTI_PROBLEM.get(offence, "Meervoudige problematiek in gezin en school."),
            framework="imposed" if i % 4 == 1 else "voluntary",
            offences=[
                domain.OffenceData(offence, registered - timedelta(days=10), "Feit gemeld door de politie.", group)
            ],
            guardians=[domain.GuardianData(f"Ouder van {first}", "mother")] if minor else [],
        )
        case = domain.register_case(actor=coordinator, chain=chain, data=data, confirm_not_duplicate=True)
        cases.append((case, target, director, minor, registered))

    def advance(case, minor, registered, *, reflection=False):
        workflow.transition_case(case, CaseStatus.INTAKE, actor=coordinator)
        domain.save_intake(
            actor=coordinator,
            case=case,
            version=None,
            intake_on=registered + timedelta(days=3),
            domains={
                "vrije_tijd": {
                    "strengths": "Voetbalt graag, trainer is een steunfiguur.",
                    "situation": "Weinig structuur in de vrije tijd.",
                },
                "gezinscontext": {"strengths": "Grootmoeder is betrokken.", "risks": "Veel conflicten met vader."},
                "werk_onderwijs": {
                    "situation": "Spijbelt, wil wel een opleiding doen.",
                    "risks": "Dreigt uit te vallen.",
                },
            },
            glm_needs=["relaties", "autonomie"],
            youth_words="Ik wil mijn diploma halen en weer gaan voetballen.",
            reflection_until=today + timedelta(days=6) if reflection else None,
        )
        if reflection:
            return
        signed = registered + timedelta(days=3)
        record_consent(
            actor=coordinator,
            case=case,
            data=ConsentData(
                ConsentKind.OT_DISCUSSION, GivenBy.YOUTH, case.youth.full_name, signed, signed + timedelta(days=730)
            ),
        )
        record_consent(
            actor=coordinator,
            case=case,
            data=ConsentData(
                ConsentKind.SHARING,
                GivenBy.YOUTH,
                case.youth.full_name,
                signed,
                signed + timedelta(days=730),
                organisations=[school],
                life_domains=["werk_onderwijs", "vrije_tijd"],
            ),
        )
        if minor:
            record_consent(
                actor=coordinator,
                case=case,
                data=ConsentData(
                    ConsentKind.PARENTAL,
                    GivenBy.PARENT,
                    f"Ouder van {case.youth.first_name}",
                    signed,
                    signed + timedelta(days=730),
                ),
            )
            record_consent(
                actor=coordinator,
                case=case,
                data=ConsentData(
                    ConsentKind.ENGAGEMENT, GivenBy.YOUTH, case.youth.full_name, signed, signed + timedelta(days=730)
                ),
            )
        workflow.transition_case(case, CaseStatus.AWAITING_OT, actor=coordinator)

    # First the cases the past OT meeting decided on; the newer ones reach intake and the OT after it.
    to_past_ot = []
    later = []
    for case, target, director, minor, registered in cases:
        if target == CaseStatus.REGISTERED:
            continue
        if target == CaseStatus.WITHDRAWN:
            workflow.transition_case(
                case,
                CaseStatus.WITHDRAWN,
                actor=coordinator,
                reason="De jongere wil na het infogesprek niet deelnemen.",
            )
        elif target in (CaseStatus.INTAKE, CaseStatus.AWAITING_OT):
            later.append((case, target, minor, registered))
        else:
            advance(case, minor, registered)
            to_past_ot.append((case, target, director))

    if to_past_ot:
        meeting = domain.plan_ot_meeting(
            actor=coordinator,
            chain=chain,
            starts_at=_at(past_ot),
            location="Stadhuis Genk, zaal 2.14",
            legal_basis=basis,
            attendees=ot_members,
        )
        for person in ot_members:
            domain.acknowledge_confidentiality(actor=person, meeting=meeting, attendee=person)
        for case, target, director in to_past_ot:
            item = meeting.items.get(case=case)
            if target == CaseStatus.NOT_INCLUDED:
                domain.decide_ot_item(
                    actor=coordinator,
                    item=item,
                    data=domain.DecisionData(
                        "not_include",
                        version=item.version,
                        advice="Een traject via de VDAB-jeugdwerking en het OCMW lijkt beter te passen.",
                        recontact_on=today + timedelta(days=20),
                    ),
                )
                continue
            domain.decide_ot_item(
                actor=coordinator,
                item=item,
                data=domain.DecisionData(
                    "include",
                    version=item.version,
                    chosen_case_director=User.objects.get(username=director),
                    subsidiarity="Geen lopende begeleiding kan de verschillende levensdomeinen samen opnemen.",
                    guideline="Snel een eerste gesprek met jongere en vertrouwenspersoon; school betrekken.",
                ),
            )
            case.refresh_from_db()
            if target == CaseStatus.INCLUDED:
                continue
            domain.record_start(
                actor=coordinator,
                case=case,
                referrer_informed_on=past_ot + timedelta(days=1),
                youth_informed_of_decision_on=past_ot + timedelta(days=1),
                trusted_person_name="Tante Samira" if case.youth.gender == "f" else "Trainer Marc",
                trusted_person_contact="0470 12 34 56",
            )
            director_user = User.objects.get(username=director)
            domain.activate_case(actor=director_user, case=case, first_conversation_on=past_ot + timedelta(days=4))
            if target == CaseStatus.CLOSED:
                domain.close_case(
                    actor=director_user,
                    case=case,
                    closure_reason="goals_reached",
                    closure_summary={
                        "werk_onderwijs": "Volgt een duaal traject en gaat elke dag.",
                        "vrije_tijd": "Speelt opnieuw voetbal bij de club.",
                    },
                )
        domain.mark_meeting_held(actor=coordinator, meeting=meeting, notes="Vijf dossiers besproken.")

    for case, target, minor, registered in later:
        advance(case, minor, registered, reflection=target == CaseStatus.INTAKE)

    # A case director brings an active case back to the OT after a new offence.
    flagged = next((c for c, t, d in to_past_ot if t == CaseStatus.ACTIVE and c.youth.first_name == "Youssef"), None)
    if flagged is not None:
        domain.flag_for_ot(actor=coordinator, case=flagged, reason="Nieuw feit: betrokken bij een vechtpartij.")
    from ketenregie.network.demo import seed_demo_network
    from ketenregie.plans.demo import seed_demo_plan

    for case in Case.objects.with_scope(chain=chain.pk).filter(status__in=[CaseStatus.ACTIVE, CaseStatus.INCLUDED]):
        seed_demo_network(case, organisations)
        if case.case_director_id:
            seed_demo_plan(case, case.case_director)
    from ketenregie.followup.demo import seed_demo_followup

    for case in Case.objects.with_scope(chain=chain.pk).filter(status=CaseStatus.ACTIVE).order_by("reference"):
        seed_demo_followup(case, case.case_director)
    from ketenregie.threads.demo import seed_demo_threads

    for case in Case.objects.with_scope(chain=chain.pk).filter(status=CaseStatus.ACTIVE).order_by("reference"):
        seed_demo_threads(case)

    domain.plan_ot_meeting(
        actor=coordinator,
        chain=chain,
        starts_at=_at(today + timedelta(days=9), 10),
        location="Stadhuis, vergaderzaal OT",
        legal_basis=basis,
        attendees=ot_members,
    )
