"""One chain full of cases in every relation a viewer can have to them, for the access matrix and the crawler.

Everything is made through the domain functions, as ketenregie/cases/demo.py does; the one exception
is the case closed long ago (its ``closed_on`` is moved back, since closing always happens today),
marked where it is done. Each case carries canary strings in the places the field rules protect
(offence details, sensitive intake answers, other life domains' plan parts, notes, informal
members' phone numbers), so a response can be searched for what it must not show.

``RELATIONS`` and ``EXPECTED`` are the one table the access matrix is generated from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from ketenregie.accounts.enums import OrganisationKind, Role
from ketenregie.accounts.models import User
from ketenregie.cases import domain as cases
from ketenregie.cases import workflow
from ketenregie.cases.domain import DecisionData, GuardianData, OffenceData, RegistrationData, YouthData
from ketenregie.cases.enums import CaseStatus, ClosureReason, GuardianRelation, LegalBasisKind, ReferrerKind
from ketenregie.cases.models import Case
from ketenregie.consent.domain import ConsentData, record_consent, withdraw_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import Consent
from ketenregie.followup.domain import ContactData, record_contact
from ketenregie.meetings.domain import plan_meeting
from ketenregie.network.domain import MemberData, add_network_member
from ketenregie.network.enums import MemberKind
from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput, save_plan
from ketenregie.privacy.domain import restrict_case
from tests.factories import ChainFactory, ChainPartnerFactory, MembershipFactory, OrganisationFactory, UserFactory

IN_DOMAIN = "werk_onderwijs"  # consented to the school
SENSITIVE = "gezondheid"  # consented too, but sensitive: not for a school (no care organisation)
OTHER_DOMAIN = "gezinscontext"  # never consented

# The relations of a case to the viewers: how the case is set up.
#   director: which case director directs it; partner: the partner's network membership and the
#   youth's sharing consent for the partner's organisation; ot: an OT meeting the OT member attended.
RELATIONS: dict[str, dict] = {
    "valid": {"director": "director_assigned", "partner": "consent", "ot": True},
    "no_consent": {"director": "director_other", "partner": "consent_for_others"},
    "withdrawn": {"director": "director_other", "partner": "withdrawn"},
    "expired": {"director": "director_other", "partner": "expired"},
    "ended": {"director": "director_other", "partner": "membership_ended"},
    "closed_in_grace": {"director": "director_other", "partner": "consent", "closed_days_ago": 0},
    "closed_after_grace": {"director": "director_other", "partner": "consent", "closed_days_ago": 40},
    "minor_no_parents": {"director": "director_other", "partner": "consent", "minor": True, "parents_withdraw": True},
    # Shared like "valid", then restricted at the youth's request (GDPR art. 18): no longer shared.
    "restricted": {"director": "director_assigned", "partner": "consent", "ot": True, "restricted": True},
    "other_chain": {"foreign": True},
}
CASE_KEYS = list(RELATIONS)

ROLES = [
    "coordinator",
    "director_assigned",
    "director_other",
    "ot_member",
    "partner",
    "strategic",
    "regional_analyst",
    "admin",
    "no_role",
    "outsider",
]

# How each role sees each case: F the full dossier, S the OT summary, P the partner's share, N nothing (404).
F, S, P, N = "full", "ot", "partner", None
# fmt: off
EXPECTED: dict[str, tuple] = {
    #                     valid no_consent withdrawn expired ended in_grace after_grace minor restricted other_chain
    "coordinator":       (F,    F,         F,        F,      F,    F,       F,          F,    F,         N),
    "director_assigned": (F,    N,         N,        N,      N,    N,       N,          N,    F,         N),
    "director_other":    (N,    F,         F,        F,      F,    F,       F,          F,    N,         N),
    "ot_member":         (S,    N,         N,        N,      N,    N,       N,          N,    N,         N),
    "partner":           (P,    N,         N,        N,      N,    P,       N,          N,    N,         N),
    "strategic":         (N,    N,         N,        N,      N,    N,       N,          N,    N,         N),
    "regional_analyst":  (N,    N,         N,        N,      N,    N,       N,          N,    N,         N),
    "admin":             (N,    N,         N,        N,      N,    N,       N,          N,    N,         N),
    "no_role":           (N,    N,         N,        N,      N,    N,       N,          N,    N,         N),
    "outsider":          (N,    N,         N,        N,      N,    N,       N,          N,    N,         F),
}
# fmt: on
assert all(len(row) == len(CASE_KEYS) for row in EXPECTED.values())
assert list(EXPECTED) == ROLES

NAMES = {
    "valid": ("Quinten", "Vandermolen"),
    "no_consent": ("Rosalie", "Timmerman"),
    "withdrawn": ("Siebe", "Uyttendaele"),
    "expired": ("Tamara", "Verhaegen"),
    "ended": ("Ulrike", "Wijnants"),
    "closed_in_grace": ("Victor", "Xhonneux"),
    "closed_after_grace": ("Wanda", "Ysebaert"),
    "minor_no_parents": ("Xander", "Zeegers"),
    "restricted": ("Zeno", "Bogaerts"),
    "other_chain": ("Yara", "Achtergael"),
}


def canaries(key: str) -> dict[str, str]:
    """The protected texts of case ``key``, by kind."""
    return {
        "offence": f"OFFENCE-CANARY-{key}",
        "concerns": f"CONCERNS-CANARY-{key}",
        "summary": f"SUMMARY-CANARY-{key}",
        "intake_in_domain": f"INDOMAIN-INTAKE-{key}",
        "intake_sensitive": f"HEALTH-INTAKE-CANARY-{key}",
        "intake_other": f"OTHERDOMAIN-INTAKE-CANARY-{key}",
        "goal_in_domain": f"INDOMAIN-GOAL-{key}",
        "goal_sensitive": f"HEALTH-GOAL-CANARY-{key}",
        "goal_other": f"OTHERDOMAIN-GOAL-CANARY-{key}",
        "contact_note": f"CONTACTNOTE-CANARY-{key}",
        "member_note": f"MEMBERNOTE-CANARY-{key}",
        "informal_phone": f"0499 {100001 + CASE_KEYS.index(key) if key in CASE_KEYS else 100000}",
        "meeting_agenda": f"MEETING-CANARY-{key}",
    }


# What each way of seeing a case may show of it; everything else of ``canaries`` is forbidden.
ALLOWED_CANARIES = {
    "full": set(canaries("x")),
    "ot": {"summary"},
    "partner": {"intake_in_domain", "goal_in_domain"},
}


@dataclass
class World:
    users: dict[str, User]
    cases: dict[str, Case]
    chain: object
    other_chain: object
    objects: dict[str, dict] = field(default_factory=dict)  # per case: URL parameter name -> value

    def expected(self, role: str, key: str) -> str | None:
        return EXPECTED[role][CASE_KEYS.index(key)]

    def attended(self, role: str, key: str) -> bool:
        """``role`` attended the OT meeting that discussed case ``key``."""
        return role in ("coordinator", "ot_member") and bool(RELATIONS[key].get("ot"))

    def forbidden(self, role: str, key: str) -> list[str]:
        """What a response to ``role`` about case ``key`` must not contain (of every case).

        ``key`` is kept for the message: the rule is the same for every case on the page.
        """
        texts = []
        for other in CASE_KEYS:
            view = self.expected(role, other)
            # Of every case (the one asked for, and any other a page lists), what the role's way of
            # seeing that case allows.
            allowed = ALLOWED_CANARIES.get(view or "", set())
            if view is None:
                texts.append(self.cases[other].youth.last_name)  # a youth who is not theirs to see
            texts += [text for kind, text in canaries(other).items() if kind not in allowed]
        return texts


def _member(username: str, chain, role: str | None, organisation=None, **fields) -> User:
    user = UserFactory(username=username, **fields)
    if role:
        MembershipFactory(user=user, chain=chain, role=role, organisation=organisation)
    return user


def build_world() -> World:
    with scopes_disabled(), translation.override("en"):
        return _build()


def _build() -> World:
    today = timezone.localdate()
    chain = ChainFactory(name="FIX Genk", slug="fix-genk", municipality="Genk", postal_codes=["3600"])
    other_chain = ChainFactory(name="KOMPAS+", slug="kompas", municipality="Antwerpen", postal_codes=["2000"])
    police = OrganisationFactory(name="Politiezone CARMA", kind=OrganisationKind.POLICE)
    school = OrganisationFactory(name="CLB GO! Genk", kind=OrganisationKind.SCHOOL)
    caw = OrganisationFactory(name="CAW Limburg", kind=OrganisationKind.CAW)
    for org in (police, school, caw):
        ChainPartnerFactory(chain=chain, organisation=org)
    antwerp_police = OrganisationFactory(name="Politiezone Antwerpen", kind=OrganisationKind.POLICE)
    ChainPartnerFactory(chain=other_chain, organisation=antwerp_police)

    # Fixed names (no Faker): a random staff name must never look like one of the youths.
    users = {
        "coordinator": _member(
            "m-coordinator", chain, Role.OPERATIONAL_COORDINATOR, first_name="Sofie", last_name="Claes"
        ),
        "director_assigned": _member(
            "m-director-a", chain, Role.CASE_DIRECTOR, first_name="Lotte", last_name="Janssens"
        ),
        "director_other": _member("m-director-b", chain, Role.CASE_DIRECTOR, first_name="Yusuf", last_name="Demir"),
        "ot_member": _member("m-ot", chain, Role.OT_MEMBER, police, first_name="Bart", last_name="Maes"),
        "partner": _member("m-partner", chain, Role.PARTNER, school, first_name="Nathalie", last_name="Willems"),
        "strategic": _member("m-strategic", chain, Role.STRATEGIC_COORDINATOR, first_name="Koen", last_name="Peeters"),
        "regional_analyst": _member("m-analyst", chain, Role.REGIONAL_ANALYST, first_name="Ines", last_name="Goossens"),
        "admin": _member(
            "m-admin", chain, None, is_staff=True, is_superuser=True, first_name="Pieter", last_name="Beheer"
        ),
        "no_role": _member("m-nobody", chain, None, first_name="Noor", last_name="Nieuw"),
        "outsider": _member(
            "m-outsider", other_chain, Role.OPERATIONAL_COORDINATOR, first_name="Hanne", last_name="Wouters"
        ),
    }
    coordinator = users["coordinator"]
    basis = {
        c.pk: cases.add_legal_basis(
            actor=actor,
            chain=c,
            kind=LegalBasisKind.DECREE,
            reference="Decreet jeugddelinquentierecht, art. 458ter Sw.",
            dated=date(2020, 1, 1),
            valid_from=date(2020, 1, 1),
            valid_until=None,
            purpose="Casusoverleg.",
            modalities="",
            organisations=orgs,
            authorised_functions="",
        )
        for c, actor, orgs in (
            (chain, coordinator, [police, school, caw]),
            (other_chain, users["outsider"], [antwerp_police]),
        )
    }
    world = World(users=users, cases={}, chain=chain, other_chain=other_chain)
    for n, (key, relation) in enumerate(RELATIONS.items()):
        if relation.get("foreign"):
            world.cases[key] = _foreign_case(key, other_chain, users["outsider"], today)
            world.objects[key] = {"case_id": world.cases[key].pk, "youth_id": world.cases[key].youth_id}
            continue
        world.cases[key], world.objects[key] = _chain_case(
            key, n, relation, chain, users, basis[chain.pk], (police, school, caw), today
        )
    return world


def _registration(key: str, n: int, today: date, *, minor: bool, referrer) -> RegistrationData:
    first, last = NAMES[key]
    registered = today - timedelta(days=60)
    birth = (
        registered.replace(year=registered.year - 15) - timedelta(days=n)
        if minor
        else date(registered.year - 20, 1, 1) - timedelta(days=n)
    )
    marks = canaries(key)
    return RegistrationData(
        youth=YouthData(first_name=first, last_name=last, birth_date=birth, postal_code="3600", municipality="Genk"),
        referrer_kind=ReferrerKind.ORGANISATION,
        referrer_organisation=referrer,
        referrer_name="Inspecteur jeugd",
        registered_on=registered,
        youth_informed_on=registered - timedelta(days=2),
        parents_informed_on=registered - timedelta(days=2) if minor else None,
        concerns=marks["concerns"],
        multi_problem=marks["summary"],
        offences=[OffenceData("diefstal", registered - timedelta(days=10), marks["offence"], False)],
        guardians=[GuardianData(name=f"Ouder {last}", relation=GuardianRelation.MOTHER)] if minor else [],
    )


def _consent(actor, case, kind, given_by, signed_on, **fields) -> Consent:
    return record_consent(
        actor=actor,
        case=case,
        data=ConsentData(
            kind=kind, given_by=given_by, given_by_name=case.youth.full_name, signed_on=signed_on, **fields
        ),
    )


def _chain_case(key, n, relation, chain, users, basis, orgs, today):
    police, school, caw = orgs
    coordinator = users["coordinator"]
    director = users[relation["director"]]
    minor = relation.get("minor", False)
    marks = canaries(key)
    case = cases.register_case(
        actor=coordinator,
        chain=chain,
        data=_registration(key, n, today, minor=minor, referrer=police),
        confirm_not_duplicate=True,
    )
    signed = case.registered_on + timedelta(days=3)
    workflow.transition_case(case, CaseStatus.INTAKE, actor=coordinator)
    cases.save_intake(
        actor=coordinator,
        case=case,
        version=None,
        intake_on=signed,
        domains={
            IN_DOMAIN: {"strengths": marks["intake_in_domain"]},
            SENSITIVE: {"risks": marks["intake_sensitive"]},
            OTHER_DOMAIN: {"situation": marks["intake_other"]},
        },
        glm_needs=["relaties"],
        youth_words="Ik wil mijn diploma halen.",
    )
    _consent(coordinator, case, ConsentKind.OT_DISCUSSION, GivenBy.YOUTH, signed)
    parental = None
    if minor:
        parental = _consent(coordinator, case, ConsentKind.PARENTAL, GivenBy.PARENT, signed)
        _consent(coordinator, case, ConsentKind.ENGAGEMENT, GivenBy.YOUTH, signed)
    sharing = relation["partner"]
    sharing_consent = _consent(
        coordinator,
        case,
        ConsentKind.SHARING,
        GivenBy.YOUTH,
        signed,
        valid_until=today - timedelta(days=1) if sharing == "expired" else None,
        organisations=[caw] if sharing == "consent_for_others" else [school],
        life_domains=[IN_DOMAIN, SENSITIVE],
    )
    workflow.transition_case(case, CaseStatus.AWAITING_OT, actor=coordinator)
    meeting = cases.plan_ot_meeting(
        actor=coordinator,
        chain=chain,
        starts_at=timezone.now() - timedelta(hours=2),
        location="Stadhuis Genk",
        legal_basis=basis,
        attendees=[coordinator, users["ot_member"]] if relation.get("ot") else [coordinator],
    )
    item = meeting.items.get(case=case)
    cases.decide_ot_item(
        actor=coordinator,
        item=item,
        data=DecisionData(
            decision="include",
            version=item.version,
            chosen_case_director=director,
            guideline="Start met wekelijkse gesprekken.",
            subsidiarity="Geen andere structuur kan dit opnemen.",
        ),
    )
    case.refresh_from_db()
    cases.record_start(actor=coordinator, case=case, referrer_informed_on=today, youth_informed_of_decision_on=today)
    cases.activate_case(actor=coordinator, case=case, first_conversation_on=today)
    ended = sharing == "membership_ended"
    clb = add_network_member(
        actor=coordinator,
        case=case,
        data=MemberData(
            kind=MemberKind.FORMAL,
            name="Nathalie Willems",
            role="CLB-medewerker",
            organisation=school,
            user=users["partner"],
            life_domains=[IN_DOMAIN],
            since=case.registered_on,
            until=today - timedelta(days=1) if ended else None,
        ),
    )
    mother = add_network_member(
        actor=coordinator,
        case=case,
        data=MemberData(
            kind=MemberKind.INFORMAL,
            name=f"Moeder {NAMES[key][1]}",
            role="Moeder",
            phone=marks["informal_phone"],
            youth_agreed=True,
            life_domains=[OTHER_DOMAIN],
            since=case.registered_on,
            notes=marks["member_note"],
        ),
    )
    responsible = {"responsible_organisation": school.pk} if ended else {"responsible_member": clb.pk}
    save_plan(
        actor=coordinator,
        case=case,
        version=0,
        domains=[
            DomainInput(
                domain=IN_DOMAIN,
                strengths="Wil leren.",
                goals=[
                    GoalInput(
                        text=marks["goal_in_domain"],
                        youth_agreed=True,
                        actions=[ActionInput(what="Inschrijving in een duaal traject", **responsible)],
                    )
                ],
            ),
            DomainInput(
                domain=SENSITIVE,
                goals=[
                    GoalInput(
                        text=marks["goal_sensitive"],
                        actions=[ActionInput(what="Afspraak CGG", responsible_member=mother.pk)],
                    )
                ],
            ),
            DomainInput(
                domain=OTHER_DOMAIN,
                goals=[
                    GoalInput(
                        text=marks["goal_other"],
                        actions=[ActionInput(what="Gezinsgesprek", responsible_member=mother.pk)],
                    )
                ],
            ),
        ],
    )
    record_contact(
        actor=coordinator,
        case=case,
        data=ContactData(
            contact_at=timezone.now() - timedelta(days=1),
            with_whom="youth",
            channel="phone",
            note=marks["contact_note"],
            life_domains=[IN_DOMAIN],
        ),
    )
    record_contact(
        actor=coordinator,
        case=case,
        data=ContactData(
            contact_at=timezone.now() - timedelta(days=2),
            with_whom="parent",
            channel="home_visit",
            note=marks["contact_note"],
            life_domains=[OTHER_DOMAIN],
        ),
    )
    network_meeting = plan_meeting(
        actor=coordinator,
        case=case,
        starts_at=timezone.now() + timedelta(days=7),
        location_kind="neutral",
        location="Stadhuis Genk",
        agenda=marks["meeting_agenda"],
        invitees=[mother] if ended else [clb, mother],
    )
    if sharing == "withdrawn":
        withdraw_consent(actor=coordinator, consent=sharing_consent)
    if relation.get("parents_withdraw"):
        withdraw_consent(actor=coordinator, consent=parental)
    if "closed_days_ago" in relation:
        cases.close_case(
            actor=coordinator,
            case=case,
            closure_reason=ClosureReason.GOALS_REACHED,
            closure_summary={IN_DOMAIN: "Volgt een duaal traject."},
        )
        if relation["closed_days_ago"]:
            # Set-up exception: closing always happens today; this case was closed long ago.
            Case.objects.filter(pk=case.pk).update(closed_on=today - timedelta(days=relation["closed_days_ago"]))
    if relation.get("restricted"):
        restrict_case(actor=coordinator, case=case, reason="De jongere vraagt de verwerking te beperken.")
    case = Case.objects.select_related("youth", "chain").get(pk=case.pk)
    objects = {
        "case_id": case.pk,
        "youth_id": case.youth_id,
        "member_id": mother.pk,
        "meeting_id": network_meeting.pk,
        "ot_meeting_id": meeting.pk,
        "item_id": item.pk,
        "consent_id": sharing_consent.pk,
        "action_id": case.plan_actions.order_by("position").first().pk,
        "code": IN_DOMAIN,
        "number": 1,
        "transition": "close",
    }
    return case, objects


def _foreign_case(key, other_chain, outsider, today) -> Case:
    data = _registration(key, 0, today, minor=False, referrer=None)
    data.referrer_kind = ReferrerKind.PARENT
    data.youth.postal_code, data.youth.municipality = "2000", "Antwerpen"
    case = cases.register_case(actor=outsider, chain=other_chain, data=data, confirm_not_duplicate=True)
    return Case.objects.select_related("youth", "chain").get(pk=case.pk)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once per test module (and xdist worker) in a transaction rolled back at the end.

    Each test still takes ``db``: its own changes are rolled back to this world after it.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
