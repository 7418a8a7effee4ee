"""A believable network for the demo's active cases, built through the network domain functions.

Every name is invented. Rerunning is harmless: a case that already has a network (or is closed) is
left alone.
Call from the demo seed, after the cases exist::

    for case in active_cases:
        seed_demo_network(case, organisations)   # organisations: {name: Organisation} of seed_demo
"""

from __future__ import annotations

from datetime import timedelta

from ketenregie.accounts.enums import OrganisationKind, Role
from ketenregie.accounts.models import Membership, Organisation, User
from ketenregie.cases.enums import Framework
from ketenregie.cases.models import Case
from ketenregie.network.domain import MemberData, add_network_member
from ketenregie.network.enums import MemberKind
from ketenregie.network.models import NetworkMember

# Family names per youth's last name: (mother, father, sibling, sibling's relation); a Flemish default.
FAMILIES = {
    "Vermeulen": ("Karin Vermeulen", "Patrick Vermeulen", "Lore Vermeulen", "Zus"),
    "El Idrissi": ("Fatima El Idrissi", "Mohamed El Idrissi", "Bilal El Idrissi", "Broer"),
    "Amrani": ("Naima Amrani", "Hassan Amrani", "Karim Amrani", "Broer (in gemeenschapsinstelling)"),
}
DEFAULT_FAMILY = ("Ann {last}", "Luc {last}", "Sara {last}", "Zus")

# The one-line practice of the GP, who is no partner of the chain but does belong to an organisation.
GP_PRACTICE = "Huisartsenpraktijk Zwartberg"
YOUTH_WORK = "Jeugdwerk Genk — Jeugdhuis Kompas"


def _organisation(organisations: dict, partners: list, kind: str, prefer: str = "") -> Organisation | None:
    """The preferred organisation when it is a partner of the chain, else the first partner of ``kind``."""
    preferred = organisations.get(prefer)
    if preferred is not None and preferred in partners:
        return preferred
    return next((o for o in partners if o.kind == kind), None)


def _actor(case: Case) -> User:
    if case.case_director_id:
        return case.case_director
    return User.objects.filter(
        memberships__chain=case.chain, memberships__role=Role.OPERATIONAL_COORDINATOR, memberships__is_active=True
    ).first()


def seed_demo_network(case: Case, organisations: dict) -> list[NetworkMember]:
    """Parents, a sibling, the coach, the GP, the CLB worker (linked to the 'partner-school' account when
    its organisation matches), the youth worker (the 'partner-jeugdwerk' account, when it exists) and,
    for an imposed framework, the youth court consultant."""
    # Fresh from the database: the seed's own Case objects may predate record_start (trusted person).
    case = (
        Case.objects.with_scope(chain=case.chain_id).select_related("youth", "chain", "case_director").get(pk=case.pk)
    )
    if case.is_closed or NetworkMember.objects.with_scope(chain=case.chain_id).filter(case=case).exists():
        return []
    actor = _actor(case)
    youth = case.youth
    partners = [p.organisation for p in case.chain.partners.select_related("organisation")]
    since = case.registered_on
    mother, father, sibling, sibling_role = FAMILIES.get(youth.last_name, DEFAULT_FAMILY)
    mother, father, sibling = (n.format(last=youth.last_name) for n in (mother, father, sibling))

    # The trusted person named at the start of the trajectory becomes a real network member.
    trusted = case.trusted_person_name
    aunt_is_trusted = trusted.lower().startswith("tante")
    coach_name = "Marc Thijs" if youth.gender != "f" else "Sofie Lenaerts"
    coach_role = "Voetbaltrainer KRC Genk jeugd" if youth.gender != "f" else "Trainster zaalvoetbal"

    people = [
        MemberData(
            MemberKind.INFORMAL,
            mother,
            "Moeder",
            phone="0476 21 43 65",
            is_support_figure=True,
            youth_agreed=True,
            life_domains=["gezinscontext"],
            since=since,
            notes="Wil graag mee naar het FIX-overleg; werkt in ploegen.",
        ),
        MemberData(
            MemberKind.INFORMAL,
            father,
            "Vader",
            phone="0477 65 43 21",
            youth_agreed=True,
            life_domains=["gezinscontext"],
            since=since,
            notes="Contact verloopt moeizaam; eerst via moeder.",
        ),
        MemberData(MemberKind.INFORMAL, sibling, sibling_role, youth_agreed=True, since=since),
        MemberData(
            MemberKind.INFORMAL,
            coach_name,
            coach_role,
            phone=case.trusted_person_contact or "0470 12 34 56",
            is_support_figure=True,
            is_trusted_person=not aunt_is_trusted,
            youth_agreed=True,
            life_domains=["vrije_tijd"],
            since=since,
        ),
    ]
    if aunt_is_trusted:
        people.append(
            MemberData(
                MemberKind.INFORMAL,
                f"Samira {youth.last_name}",
                "Tante",
                phone=case.trusted_person_contact,
                is_support_figure=True,
                is_trusted_person=True,
                youth_agreed=True,
                life_domains=["gezinscontext"],
                since=since,
            )
        )

    # The GP's practice is one of seed_demo's organisations (no chain partner).
    practice = organisations.get(GP_PRACTICE) or Organisation.objects.filter(name=GP_PRACTICE).first()
    if practice is not None:
        people.append(
            MemberData(
                MemberKind.FORMAL,
                "Dr. An Claes",
                "Huisarts",
                organisation=practice,
                phone="089 35 12 12",
                youth_agreed=True,
                life_domains=["gezondheid"],
                since=since - timedelta(days=900),
            )
        )

    clb = _organisation(organisations, partners, OrganisationKind.SCHOOL, prefer="CLB GO! Genk")
    if clb is not None:
        account = (
            Membership.objects.filter(
                chain=case.chain, role=Role.PARTNER, is_active=True, organisation=clb, user__username="partner-school"
            )
            .select_related("user")
            .first()
        )
        user = account.user if account else None
        people.append(
            MemberData(
                MemberKind.FORMAL,
                user.get_full_name() if user else "Nathalie Willems",
                "CLB-medewerker",
                organisation=clb,
                user=user,
                email=user.email if user else "",
                phone="089 30 45 60",
                youth_agreed=True,
                life_domains=["werk_onderwijs"],
                since=since,
            )
        )

    # The youth worker has a partner account too, but no sharing consent names youth work: the demo's
    # partner without consent, who sees none of these cases.
    youth_work = _organisation(organisations, partners, OrganisationKind.YOUTH_WORK, prefer=YOUTH_WORK)
    if youth_work is not None:
        account = (
            Membership.objects.filter(
                chain=case.chain,
                role=Role.PARTNER,
                is_active=True,
                organisation=youth_work,
                user__username="partner-jeugdwerk",
            )
            .select_related("user")
            .first()
        )
        if account is not None:
            people.append(
                MemberData(
                    MemberKind.FORMAL,
                    account.user.get_full_name(),
                    "Jeugdwerker",
                    organisation=youth_work,
                    user=account.user,
                    email=account.user.email,
                    youth_agreed=True,
                    life_domains=["vrije_tijd"],
                    since=since,
                )
            )

    if case.framework == Framework.IMPOSED:
        court = _organisation(organisations, partners, OrganisationKind.YOUTH_COURT)
        if court is not None:
            people.append(
                MemberData(
                    MemberKind.FORMAL,
                    "Tom Hermans",
                    "Consulent sociale dienst jeugdrechtbank",
                    organisation=court,
                    phone="011 29 87 00",
                    life_domains=["gezinscontext", "werk_onderwijs"],
                    since=since,
                    notes="Volgt de opgelegde ketenaanpak op; rapporteert aan de jeugdrechter.",
                )
            )

    return [add_network_member(actor=actor, case=case, data=data) for data in people]
