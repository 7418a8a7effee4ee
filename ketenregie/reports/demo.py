"""A year of history for the demo chains, so their report is believable, and the demo's regional analyst.

The demo cases of ``cases.demo`` are a handful of trajectories of the last weeks; a report over a
year needs the months before them. ``seed_demo_reports`` adds, per chain, trajectories of the past
year the way they happen: consults, registrations, intake and consents, a monthly OT meeting that
decides, the start, a network, a plan, network meetings with progress scores, follow-up contacts,
closure — and a few youths registered again after their closure. Everything goes through the
domain functions, each with the date it happened (they refuse nothing in the past that is allowed
in the present). Names come from Faker (nl_BE) with a fixed seed; every name is invented.

Rerunning is harmless: a chain whose history is there is skipped, the accounts are updated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from faker import Faker

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import Membership, Organisation, User
from ketenregie.cases import domain, workflow
from ketenregie.cases.enums import CaseStatus, ConsultOutcome
from ketenregie.cases.models import Case, LegalBasis
from ketenregie.chains.models import Chain
from ketenregie.consent.domain import ConsentData, record_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.followup.domain import ContactData, record_contact
from ketenregie.followup.enums import ContactChannel, ContactWith
from ketenregie.meetings import domain as meetings_domain
from ketenregie.meetings.enums import LocationKind
from ketenregie.network.domain import MemberData, add_network_member, create_offence_group, link_case_to_group
from ketenregie.network.enums import MemberKind
from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput, save_plan
from ketenregie.plans.enums import ActionStatus

# A referrer name no other demo case uses: the mark that a chain's history is there.
MARK = "Jeugdconsulent (historiek)"

# username, first, last, e-mail, [(chain slug, role)]
ACCOUNTS = [
    (
        "analist",
        "Ann",
        "Verhoeven",
        "ann.verhoeven@opgroeien.example",
        [("fix-genk", Role.REGIONAL_ANALYST), ("kompas-antwerpen", Role.REGIONAL_ANALYST)],
    ),
    (
        "regisseur-antwerpen",
        "Jonas",
        "Martens",
        "jonas.martens@antwerpen.example",
        [("kompas-antwerpen", Role.CASE_DIRECTOR)],
    ),
]

# Per chain: how many trajectories over the past year, and the mix.
SIZES = {"fix-genk": 22, "kompas-antwerpen": 12}
OFFENCE_WEIGHTS = [
    ("diefstal", 30),
    ("geweld", 18),
    ("drugs", 14),
    ("vandalisme", 12),
    ("overlast", 8),
    ("afpersing", 6),
    ("bedreiging", 8),
    ("verkeer", 4),
]
CLOSURE_WEIGHTS = [("goals_reached", 60), ("moved", 10), ("out_of_age_range", 10), ("framework_ended", 20)]
MULTI_PROBLEM = [
    "Spijbelt, conflicten thuis, vrienden die feiten plegen.",
    "Schulden, middelengebruik, weinig steunfiguren.",
    "Agressie op school, gezin onder druk, wachtlijst jeugdhulp.",
    "Schoolmoe, veel alleen thuis, zoekt erkenning in een groep.",
    "Psychisch kwetsbaar, breuk met de ouders, geen dagbesteding.",
]


def _at(day: date, hour: int = 14) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _years_before(day: date, years: int, days: int = 0) -> date:
    try:
        d = day.replace(year=day.year - years)
    except ValueError:
        d = day.replace(year=day.year - years, day=28)
    return d - timedelta(days=days)


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


@dataclass
class _Seed:
    chain: Chain
    coordinator: User
    directors: list[User]
    ot_members: list[User]
    basis: LegalBasis
    partners: list[Organisation]
    rng: random.Random
    fake: Any
    today: date = field(default_factory=timezone.localdate)

    def partner(self, *kinds: str) -> Organisation:
        found = [o for o in self.partners if o.kind in kinds]
        return self.rng.choice(found or self.partners)


def seed_demo_reports(*, chains: dict[str, Chain], password: str, stdout) -> None:
    """The regional analyst and an Antwerp case director, then a year of history per chain."""
    stdout.write("Demo accounts for the reports (password: demo):")
    for username, first, last, email, roles in ACCOUNTS:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name, user.email, user.is_active = first, last, email, True
        user.set_password(password)
        user.save()
        for slug, role in roles:
            Membership.objects.update_or_create(
                user=user, chain=chains[slug], role=role, defaults={"organisation": None, "is_active": True}
            )
        stdout.write(f"  {username:<22} {first} {last}: " + ", ".join(f"{r.label} ({s})" for s, r in roles))
    for slug, size in SIZES.items():
        chain = chains[slug]
        if Case.objects.with_scope(chain=chain.pk).filter(referrer_name=MARK).exists():
            continue
        created = _seed_history(chain, size)
        stdout.write(f"Demo history for the report of {chain.name}: {created} trajectories of the past year")


def _seed_history(chain: Chain, size: int) -> int:
    members = Membership.objects.filter(chain=chain, is_active=True).select_related("user")
    coordinator = next(m.user for m in members if m.role == Role.OPERATIONAL_COORDINATOR)
    seed = _Seed(
        chain=chain,
        coordinator=coordinator,
        directors=[m.user for m in members if m.role == Role.CASE_DIRECTOR],
        ot_members=[m.user for m in members if m.role == Role.OT_MEMBER],
        basis=LegalBasis.objects.with_scope(chain=chain.pk).filter(chain=chain).order_by("valid_from").first(),
        partners=[p.organisation for p in chain.partners.select_related("organisation")],
        rng=random.Random(f"{chain.slug}-history"),  # noqa: S311 - demo data, not security
        fake=Faker("nl_BE"),
    )
    seed.fake.seed_instance(sum(map(ord, chain.slug)))
    # Monthly OT meetings over the past year, the last one some seven weeks ago (the demo's own
    # cases take over from there). Each month's registrations go to that month's meeting.
    meetings = [seed.today - timedelta(days=d) for d in range(350, 40, -30)]
    per_meeting = [size // len(meetings) + (1 if i < size % len(meetings) else 0) for i in range(len(meetings))]
    closed: list[tuple[Case, date]] = []
    made = 0
    for meeting_day, n in zip(meetings, per_meeting, strict=True):
        _consults(seed, meeting_day)
        batch = [_register(seed, meeting_day - timedelta(days=seed.rng.randint(12, 26))) for _i in range(n)]
        made += len(batch)
        waiting = []
        for case in batch:
            if seed.rng.random() < 0.07:
                workflow.transition_case(case, CaseStatus.INTAKE, actor=seed.coordinator)
                workflow.transition_case(
                    case, CaseStatus.WITHDRAWN, actor=seed.coordinator, reason="Wil na het intakegesprek niet verder."
                )
                continue
            _to_ot(seed, case)
            waiting.append(case)
        closed += _decide(seed, meeting_day, waiting)
    made += _register_again(seed, closed)
    _group(seed)
    return made


def _consults(seed: _Seed, around: date) -> None:
    rng = seed.rng
    day = around - timedelta(days=rng.randint(25, 35))
    outcomes = [ConsultOutcome.FITS, ConsultOutcome.FITS, ConsultOutcome.DOES_NOT_FIT, ConsultOutcome.NEEDS_INFO]
    for outcome in rng.sample(outcomes, k=rng.randint(2, 4)):
        school = rng.random() < 0.5
        domain.record_consult(
            actor=seed.coordinator,
            chain=seed.chain,
            data=domain.ConsultData(
                referrer_kind="organisation",
                referrer_organisation=seed.partner("school") if school else seed.partner("police"),
                referrer_name="Leerlingbegeleider" if school else "Jeugdinspecteur",
                channel=rng.choice(["phone", "email", "on_site"]),
                consulted_on=day + timedelta(days=rng.randint(0, 6)),
                summary="Vraag of een jongere met feiten en problemen thuis en op school in de keten past.",
                outcome=outcome,
                advice="Eerst het CLB en de jeugdhulp inschakelen; terug contact bij nieuwe feiten."
                if outcome == ConsultOutcome.DOES_NOT_FIT
                else "",
                youth_age=rng.randint(seed.chain.age_min, seed.chain.age_max),
                has_offence=outcome != ConsultOutcome.DOES_NOT_FIT,
                has_multi_problem=True,
            ),
        )


def _register(seed: _Seed, registered: date, *, previous: Case | None = None) -> Case:
    rng, fake, chain = seed.rng, seed.fake, seed.chain
    if previous is not None:
        youth = previous.youth
        first, last, birth, gender, postal = (
            youth.first_name,
            youth.last_name,
            youth.birth_date,
            youth.gender,
            youth.postal_code,
        )
    else:
        gender = "f" if rng.random() < 0.24 else ("x" if rng.random() < 0.02 else "m")
        first = fake.first_name_female() if gender == "f" else fake.first_name_male()
        last = fake.last_name()
        oldest = min(chain.age_max, 22)
        age = rng.choice([a for a in range(chain.age_min, oldest + 1) for _w in range(3 if a <= 17 else 1)])
        birth = _years_before(registered, age, rng.randint(1, 360))
        postal = rng.choice(chain.postal_codes or ["0000"])
    minor = domain.age_on(birth, registered) < 18
    kind = _pick(rng, [("organisation", 80), ("parent", 12), ("youth", 4), ("other", 4)])
    organisation = seed.partner("police", "youth_court", "school", "caw", "social_services")
    data = domain.RegistrationData(
        youth=domain.YouthData(first, last, birth, postal, chain.municipality, gender),
        referrer_kind=kind,
        referrer_organisation=organisation if kind == "organisation" else None,
        referrer_name=MARK,
        registered_on=registered,
        youth_informed_on=registered - timedelta(days=2),
        parents_informed_on=registered - timedelta(days=2) if minor else None,
        multi_problem=rng.choice(MULTI_PROBLEM),
        framework="imposed" if rng.random() < 0.25 else "voluntary",
        offences=[
            domain.OffenceData(
                _pick(rng, OFFENCE_WEIGHTS),
                registered - timedelta(days=rng.randint(10, 60)),
                "Feit gemeld door de politie.",
                rng.random() < 0.35,
            )
            for _i in range(1 if rng.random() < 0.7 else 2)
        ],
        guardians=[domain.GuardianData(f"Ouder van {first}", "mother")] if minor else [],
    )
    return domain.register_case(
        actor=seed.coordinator, chain=chain, data=data, confirm_not_duplicate=True, previous_case=previous
    )


def _to_ot(seed: _Seed, case: Case) -> None:
    actor, signed = seed.coordinator, case.registered_on + timedelta(days=3)
    workflow.transition_case(case, CaseStatus.INTAKE, actor=actor)
    domain.save_intake(
        actor=actor,
        case=case,
        version=None,
        intake_on=signed,
        domains={"gezinscontext": {"strengths": "Een betrokken familielid."}},
        glm_needs=["relaties"],
        youth_words="Ik wil rust thuis en terug naar school.",
    )
    kinds = [(ConsentKind.OT_DISCUSSION, GivenBy.YOUTH)]
    if domain.age_on(case.youth.birth_date, seed.today) < 18:
        kinds += [(ConsentKind.PARENTAL, GivenBy.PARENT), (ConsentKind.ENGAGEMENT, GivenBy.YOUTH)]
    for kind, given_by in kinds:
        record_consent(
            actor=actor,
            case=case,
            data=ConsentData(kind, given_by, case.youth.full_name, signed, signed + timedelta(days=730)),
        )
    workflow.transition_case(case, CaseStatus.AWAITING_OT, actor=actor)


def _decide(seed: _Seed, day: date, waiting: list[Case]) -> list[tuple[Case, date]]:
    """The month's OT meeting: include most, not some; start, follow and close the included ones."""
    if not waiting:
        return []
    rng, actor = seed.rng, seed.coordinator
    meeting = domain.plan_ot_meeting(
        actor=actor,
        chain=seed.chain,
        starts_at=_at(day),
        location="Stadhuis, vergaderzaal OT",
        legal_basis=seed.basis,
        attendees=[actor, *seed.ot_members],
    )
    for person in [actor, *seed.ot_members]:
        domain.acknowledge_confidentiality(actor=person, meeting=meeting, attendee=person)
    mine = {c.pk for c in waiting}
    closed = []
    for item in meeting.items.select_related("case").filter(case_id__in=mine):
        if rng.random() < 0.15 or not seed.directors:
            domain.decide_ot_item(
                actor=actor,
                item=item,
                data=domain.DecisionData(
                    "not_include",
                    version=item.version,
                    advice="Een traject in de reguliere jeugdhulp past beter; de aanmelder krijgt de contacten.",
                ),
            )
            continue
        director = rng.choice(seed.directors)
        domain.decide_ot_item(
            actor=actor,
            item=item,
            data=domain.DecisionData(
                "include",
                version=item.version,
                chosen_case_director=director,
                subsidiarity="Geen lopende begeleiding neemt de levensdomeinen samen op.",
                guideline="Snel een eerste gesprek; school en familie betrekken.",
            ),
        )
        ended = _trajectory(seed, Case.objects.with_scope(chain=seed.chain.pk).get(pk=item.case_id), day, director)
        if ended is not None:
            closed.append(ended)
    domain.mark_meeting_held(actor=actor, meeting=meeting, notes="Nieuwe aanmeldingen besproken.")
    return closed


def _trajectory(seed: _Seed, case: Case, decided: date, director: User) -> tuple[Case, date] | None:
    rng, today = seed.rng, seed.today
    start = decided + timedelta(days=rng.randint(3, 12))
    domain.record_start(
        actor=seed.coordinator,
        case=case,
        referrer_informed_on=decided + timedelta(days=1),
        youth_informed_of_decision_on=decided + timedelta(days=1),
        trusted_person_name=f"Tante {seed.fake.first_name_female()}",
    )
    domain.activate_case(actor=director, case=case, first_conversation_on=start)
    length = rng.choice([70, 100, 130, 160, 200, 240, 300])
    end = start + timedelta(days=length)
    closing = end if end <= today - timedelta(days=5) else None
    last_day = closing or today - timedelta(days=1)
    members = _network(seed, case, director, start)
    domains = _plan(seed, case, director, members, start, last_day, closing is not None)
    _meetings(seed, case, director, domains, start, last_day)
    _contacts(seed, case, director, start, last_day)
    if closing is None:
        return None
    reason = "framework_ended" if case.framework == "imposed" and rng.random() < 0.6 else _pick(rng, CLOSURE_WEIGHTS)
    if reason == "framework_ended" and case.framework != "imposed":
        reason = "goals_reached"
    workflow.transition_case(
        case,
        CaseStatus.CLOSED,
        actor=director,
        on=closing,
        closure_reason=reason,
        closure_summary=dict.fromkeys(domains[:1], "Afspraken lopen; de jongere weet bij wie terecht.")
        or {"general": "-"},
    )
    return case, closing


def _network(seed: _Seed, case: Case, actor: User, since: date) -> list:
    rng, fake = seed.rng, seed.fake
    out = []
    for i in range(rng.randint(1, 3)):
        out.append(
            add_network_member(
                actor=actor,
                case=case,
                data=MemberData(
                    MemberKind.INFORMAL,
                    fake.name(),
                    ["Moeder", "Vader", "Oom", "Trainer", "Buurvrouw"][rng.randint(0, 4)],
                    is_support_figure=i == 0 and rng.random() < 0.8,
                    youth_agreed=True,
                    since=since,
                ),
            )
        )
    kinds = ["school", "caw", "social_services", "youth_care", "mental_health", "youth_work", "police"]
    for kind in rng.sample(kinds, k=rng.randint(1, 4)):
        out.append(
            add_network_member(
                actor=actor,
                case=case,
                data=MemberData(
                    MemberKind.FORMAL,
                    fake.name(),
                    "Begeleider",
                    organisation=seed.partner(kind),
                    youth_agreed=True,
                    since=since,
                ),
            )
        )
    return out


def _plan(seed: _Seed, case: Case, actor: User, members: list, start: date, last: date, done: bool) -> list[str]:
    rng = seed.rng
    codes = [d["code"] for d in seed.chain.life_domains]
    chosen = rng.sample(codes[:4], k=rng.randint(1, 3)) + (["middelengebruik"] if rng.random() < 0.25 else [])
    formal = [m for m in members if m.kind == MemberKind.FORMAL] or members
    finished = min(1.0, (last - start).days / 200) if not done else rng.uniform(0.6, 1.0)
    domains = []
    for code in chosen:
        actions = []
        for _i in range(rng.randint(1, 3)):
            status = (
                ActionStatus.DONE
                if rng.random() < finished
                else rng.choice([ActionStatus.RUNNING, ActionStatus.PLANNED])
            )
            actions.append(
                ActionInput(
                    what="Afspraak uit het netwerkoverleg.", responsible_member=rng.choice(formal).pk, status=status
                )
            )
        domains.append(
            DomainInput(
                domain=code,
                strengths="Wil vooruit.",
                glm_needs=["relaties"],
                goals=[GoalInput(text="Wat de jongere zelf wil bereiken.", youth_agreed=True, actions=actions)],
            )
        )
    save_plan(actor=actor, case=case, version=0, domains=domains)
    return chosen


def _meetings(seed: _Seed, case: Case, actor: User, domains: list[str], start: date, last: date) -> None:
    rng = seed.rng
    scores = {d: rng.randint(1, 3) for d in domains}
    day = start + timedelta(days=7)
    for _i in range(2):  # the first network meeting and one evaluation
        if day > last or day >= seed.today:
            break
        meeting = meetings_domain.record_past_meeting(
            actor=actor,
            case=case,
            starts_at=_at(day, 16),
            location_kind=LocationKind.NEUTRAL,
            location="Buurthuis",
            data=meetings_domain.HeldData(youth_attended=True, minutes="Netwerkoverleg met de jongere."),
        )
        meetings_domain.evaluate_meeting(
            actor=actor,
            meeting=meeting,
            actions=[],
            progress=[meetings_domain.ProgressInput(domain=d, score=s) for d, s in scores.items()],
        )
        scores = {d: max(1, min(5, s + rng.choice([-1, 0, 1, 1, 1]))) for d, s in scores.items()}
        day += timedelta(days=rng.randint(50, 90))


def _contacts(seed: _Seed, case: Case, actor: User, start: date, last: date) -> None:
    rng = seed.rng
    day = start + timedelta(days=2)
    steady = rng.random() < 0.8
    while day <= last and day < seed.today:
        youth = rng.random() < 0.85
        record_contact(
            actor=actor,
            case=case,
            data=ContactData(
                contact_at=_at(day, rng.randint(9, 18)),
                with_whom=ContactWith.YOUTH if youth else ContactWith.TRUSTED_PERSON,
                channel=rng.choice([ContactChannel.FACE_TO_FACE, ContactChannel.PHONE, ContactChannel.HOME_VISIT]),
                reached=rng.random() < (0.9 if steady else 0.55),
                note="Kort contact over de afspraken.",
            ),
        )
        day += timedelta(days=rng.randint(9, 16) if steady else rng.randint(14, 30))


def _register_again(seed: _Seed, closed: list[tuple[Case, date]]) -> int:
    """Some youths come back within the year after closure: a new registration linked to the old one."""
    made = 0
    for case, closing in closed:
        registered = min(seed.today - timedelta(days=2), closing + timedelta(days=seed.rng.randint(20, 150)))
        in_range = domain.age_on(case.youth.birth_date, registered) <= seed.chain.age_max
        if seed.rng.random() < 0.15 and closing + timedelta(days=20) < seed.today and in_range:
            _register(seed, registered, previous=case)
            made += 1
    return made


def _group(seed: _Seed) -> None:
    """One recorded group of offenders among the history's youths with group offences."""
    cases = list(
        Case.objects.with_scope(chain=seed.chain.pk)
        .filter(referrer_name=MARK, offences__in_group=True)
        .distinct()
        .order_by("-registered_on")[:3]
    )
    if len(cases) < 2:
        return
    group = create_offence_group(
        actor=seed.coordinator,
        chain=seed.chain,
        name="Groep stationsbuurt",
        facts_on=cases[0].registered_on - timedelta(days=20),
        dynamics="Oudere jongeren sturen jongere aan.",
    )
    for case in cases:
        link_case_to_group(actor=seed.coordinator, group=group, case=case)
