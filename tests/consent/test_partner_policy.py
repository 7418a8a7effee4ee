"""Partners (DESIGN.md "Roles"): a network member of the case under a valid sharing consent for their
organisation, limited to the consented life domains; never offences or sensitive intake answers (AC3);
revocation on the next request (AC4); consent of a minor with the parents and renewed at 18 (L8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone
from freezegun import freeze_time

from ketenregie.accounts.enums import OrganisationKind, Role
from ketenregie.accounts.models import Membership, User
from ketenregie.cases.enums import CaseStatus
from ketenregie.consent import policy
from ketenregie.consent.domain import withdraw_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import Consent
from ketenregie.followup.domain import ContactData, record_contact
from ketenregie.network.domain import MemberData, add_network_member, end_network_member
from ketenregie.network.enums import MemberKind
from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput, save_plan, update_action_status
from ketenregie.plans.models import Action
from tests.cases.conftest import years_before
from tests.factories import ChainPartnerFactory, MembershipFactory, OrganisationFactory, UserFactory

S = CaseStatus
SCHOOL_DOMAINS = ["werk_onderwijs", "gezondheid"]


def fresh(user) -> User:
    """The user as the next request loads it (memberships are cached per user object)."""
    return User.objects.get(pk=user.pk)


def sees(user, case) -> bool:
    return policy.visible_cases(fresh(user)).filter(pk=case.pk).exists()


@pytest.fixture
def join(coordinator):
    """``join(case, user, organisation, **member fields)``: the partner becomes a network member of the case."""

    def add(case, user, organisation, **fields):
        fields.setdefault("life_domains", ["werk_onderwijs"])
        return add_network_member(
            actor=coordinator,
            case=case,
            data=MemberData(
                kind=MemberKind.FORMAL,
                name=user.get_full_name(),
                role="Leerlingbegeleider",
                organisation=organisation,
                user=user,
                **fields,
            ),
        )

    return add


@pytest.fixture
def share(builder):
    """``share(case, organisation, domains)``: the youth's sharing consent for the organisation."""

    def give(case, organisation, domains=SCHOOL_DOMAINS, **fields):
        return builder.consent(
            case,
            ConsentKind.SHARING,
            fields.pop("given_by", GivenBy.YOUTH),
            organisations=[organisation],
            life_domains=domains,
            **fields,
        )

    return give


@pytest.fixture
def shared_case(builder, partner, school, join, share):
    """An adult's active case; the school's partner is in its network; the youth shares two domains with the school."""
    case = builder.make(S.ACTIVE, adult=True)
    join(case, partner, school)
    share(case, school)
    return case


# --- Who sees the case ---------------------------------------------------------------------------------


def test_a_network_member_with_a_valid_consent_sees_the_case_and_nothing_else(shared_case, builder, partner):
    other = builder.make(S.ACTIVE, adult=True)

    assert policy.visible_cases(partner).filter(pk__in=[shared_case.pk, other.pk]).count() == 1
    assert sees(partner, shared_case)
    assert policy.is_partner_of(partner, shared_case)
    assert not policy.can_view_case_content(partner, shared_case)
    assert not policy.can_work_on_case(partner, shared_case)
    with pytest.raises(Http404):
        policy.get_visible_case(partner, other.pk)


def test_a_consent_without_network_membership_opens_nothing(builder, partner, school, share):
    case = builder.make(S.ACTIVE, adult=True)
    share(case, school)

    assert not sees(partner, case)


def test_network_membership_without_consent_opens_nothing(builder, partner, school, caw, join, share):
    case = builder.make(S.ACTIVE, adult=True)
    join(case, partner, school)
    share(case, caw)  # a consent for another organisation

    assert not sees(partner, case)


def test_a_parent_s_sharing_consent_alone_does_not_open_an_adult_s_case(builder, partner, school, join, share):
    case = builder.make(S.ACTIVE, adult=True)
    join(case, partner, school)
    share(case, school, given_by=GivenBy.PARENT)

    assert not sees(partner, case)


def test_withdrawal_ends_access_on_the_next_request(shared_case, partner, coordinator):
    withdraw_consent(actor=coordinator, consent=Consent.objects.get(case=shared_case, kind=ConsentKind.SHARING))

    assert not sees(partner, shared_case)
    assert policy.allowed_life_domains(fresh(partner), shared_case) == set()


def test_expiry_ends_access_after_the_last_valid_day(builder, partner, school, join, share, today):
    case = builder.make(S.ACTIVE, adult=True)
    join(case, partner, school)
    share(case, school, valid_until=today + timedelta(days=3))

    with freeze_time(timezone.now() + timedelta(days=3)):
        assert sees(partner, case)
    with freeze_time(timezone.now() + timedelta(days=4)):
        assert not sees(partner, case)


def test_a_consent_signed_in_the_future_does_not_count_yet(builder, partner, school, join, share, today):
    case = builder.make(S.ACTIVE, adult=True)
    join(case, partner, school)
    consent = share(case, school)
    Consent.objects.filter(pk=consent.pk).update(signed_on=today + timedelta(days=1))  # a typo in the date

    assert not sees(partner, case)


def test_the_end_of_the_network_membership_ends_access(shared_case, partner, coordinator, today):
    member = shared_case.network.get(user=partner)

    end_network_member(actor=coordinator, member=member, on=today + timedelta(days=1))
    assert sees(partner, shared_case)  # ending tomorrow: today they still take part
    end_network_member(actor=coordinator, member=member, on=today)
    assert not sees(partner, shared_case)  # ended today: access ends at once, not at midnight


def test_a_membership_that_starts_later_opens_nothing_yet(builder, partner, school, join, share, today):
    case = builder.make(S.ACTIVE, adult=True)
    join(case, partner, school, since=today + timedelta(days=5))
    share(case, school)

    assert not sees(partner, case)


def test_a_removed_partner_role_ends_access(shared_case, partner):
    Membership.objects.filter(user=partner, role=Role.PARTNER).update(is_active=False)

    assert not sees(partner, shared_case)


def test_a_partner_of_another_chain_sees_nothing_here(shared_case, other_chain, school):
    stranger = UserFactory(username="partner-elders")
    MembershipFactory(user=stranger, chain=other_chain, role=Role.PARTNER, organisation=school)

    assert not sees(stranger, shared_case)


@pytest.mark.parametrize("status", [S.WITHDRAWN, S.NOT_INCLUDED])
def test_a_case_that_left_the_chain_approach_is_not_shared(builder, partner, school, join, share, status, coordinator):
    from ketenregie.cases import workflow

    case = builder.make(S.INTAKE, adult=True)
    join(case, partner, school)
    share(case, school)
    assert sees(partner, case)  # the youth consented at the intake already

    workflow.transition_case(case, status, actor=coordinator, reason="De jongere stopt.")

    assert not sees(partner, case)


# --- Closure and the grace period -------------------------------------------------------------------------


def test_a_closed_case_stays_readable_for_the_grace_period_only(shared_case, builder, partner, settings):
    settings.KETENREGIE_PARTNER_GRACE_DAYS = 30
    builder.close(shared_case)

    assert sees(partner, shared_case)
    with freeze_time(timezone.now() + timedelta(days=30)):
        assert sees(partner, shared_case)
    with freeze_time(timezone.now() + timedelta(days=31)):
        assert not sees(partner, shared_case)


def test_the_grace_period_is_configurable(shared_case, builder, partner, settings):
    settings.KETENREGIE_PARTNER_GRACE_DAYS = 0
    builder.close(shared_case)

    assert sees(partner, shared_case)  # closed today: day 0
    with freeze_time(timezone.now() + timedelta(days=1)):
        assert not sees(partner, shared_case)


# --- Minors: the parents' consent, and renewal at 18 (L8) ------------------------------------------------


def test_a_minor_s_case_needs_the_parents_consent_too(builder, partner, school, join, share, coordinator):
    case = builder.make(S.ACTIVE)  # a minor: the OT step recorded parental consent
    join(case, partner, school)
    share(case, school)
    assert sees(partner, case)

    withdraw_consent(actor=coordinator, consent=Consent.objects.get(case=case, kind=ConsentKind.PARENTAL))

    assert not sees(partner, case)


def test_at_18_sharing_that_rested_on_parental_consent_stops_until_the_youth_renews(
    builder, partner, school, join, share, today
):
    birthday = today + timedelta(days=10)
    case = builder.make(S.ACTIVE, birth_date=years_before(birthday, 18))
    join(case, partner, school)
    share(case, school)  # signed by the youth at 17, with the parents' consent

    with freeze_time(timezone.now() + timedelta(days=9)):
        assert sees(partner, case)  # the day before the 18th birthday
    with freeze_time(timezone.now() + timedelta(days=10)):
        assert not sees(partner, case)  # from the birthday on
        share(case, school, signed_on=birthday)  # the youth renews as an adult
        assert sees(partner, case)


def test_a_29_february_birthday_counts_from_1_march(builder, partner, school, join, share):
    from datetime import date

    with freeze_time("2026-01-15 12:00"):
        case = builder.make(S.ACTIVE, birth_date=date(2008, 2, 29))
        join(case, partner, school)
        share(case, school)
    with freeze_time("2026-02-28 12:00"):
        assert sees(partner, case)  # still 17: the parents' consent still counts
        share(case, school)  # signed at 17 years and 364 days: not yet as an adult
    with freeze_time("2026-03-01 12:00"):
        assert not sees(partner, case)
        share(case, school)
        assert sees(partner, case)


# --- Life domains and field rules (AC3) -------------------------------------------------------------------


def test_allowed_life_domains_per_role(shared_case, partner, coordinator, case_director, ot_member, strategic):
    assert policy.allowed_life_domains(partner, shared_case) == {"werk_onderwijs"}  # health is sensitive
    assert policy.allowed_intake_domains(partner, shared_case) == {"werk_onderwijs"}
    assert policy.allowed_life_domains(coordinator, shared_case) is None
    assert policy.allowed_life_domains(case_director, shared_case) is None
    assert policy.allowed_life_domains(ot_member, shared_case) == set()
    assert policy.allowed_life_domains(strategic, shared_case) == set()


def test_a_care_organisation_sees_a_consented_sensitive_domain_but_not_its_intake_answers(builder, chain, join, share):
    care = OrganisationFactory(name="CGG LITP", kind=OrganisationKind.MENTAL_HEALTH)
    ChainPartnerFactory(chain=chain, organisation=care)
    therapist = UserFactory(username="partner-cgg")
    MembershipFactory(user=therapist, chain=chain, role=Role.PARTNER, organisation=care)
    case = builder.make(S.ACTIVE, adult=True)
    join(case, therapist, care)
    share(case, care, domains=["gezondheid", "middelengebruik"])

    assert policy.allowed_life_domains(therapist, case) == {"gezondheid", "middelengebruik"}
    assert policy.allowed_intake_domains(therapist, case) == set()


def test_a_chain_marks_its_own_sensitive_domains(shared_case, chain, partner):
    chain.life_domains = [
        {**d, "sensitive": d["code"] == "werk_onderwijs"} for d in chain.life_domains
    ]  # e.g. a chain that counts school reports as sensitive and health as not
    chain.save(update_fields=["life_domains"])
    shared_case.chain.refresh_from_db()

    assert policy.allowed_life_domains(partner, shared_case) == {"gezondheid"}


def test_consents_add_up_and_an_empty_domain_list_shares_no_domain(shared_case, builder, partner, school, join, share):
    share(shared_case, school, domains=["vrije_tijd"])
    assert policy.allowed_life_domains(partner, shared_case) == {"werk_onderwijs", "vrije_tijd"}

    case = builder.make(S.ACTIVE, adult=True)
    join(case, partner, school)
    share(case, school, domains=[])
    assert sees(partner, case)
    assert policy.allowed_life_domains(partner, case) == set()


def test_the_field_groups_per_role_snapshot(shared_case, partner, coordinator, case_director, ot_member, strategic):
    """AC3's per-role field snapshot: what each role may see of a case it can open."""
    assert policy.visible_fields(coordinator, shared_case) == policy.FULL_FIELDS
    assert policy.visible_fields(case_director, shared_case) == policy.FULL_FIELDS
    assert policy.visible_fields(partner, shared_case) == {"identity", "intake", "plan", "network", "contacts"}
    assert policy.visible_fields(ot_member, shared_case) == {
        "identity",
        "referrer",
        "summary",
        "eligibility",
        "ot_decisions",
    }
    assert policy.visible_fields(strategic, shared_case) == {"identity"}
    for never in ("offences", "concerns", "guardians", "consents", "summary", "contact_notes", "network_notes"):
        assert never not in policy.visible_fields(partner, shared_case)


# --- Action status: the responsible partner, while the share lasts ---------------------------------------


@pytest.fixture
def planned(shared_case, coordinator, partner):
    member = shared_case.network.get(user=partner)
    save_plan(
        actor=coordinator,
        case=shared_case,
        version=0,
        domains=[
            DomainInput(
                domain="werk_onderwijs",
                goals=[
                    GoalInput(
                        text="Diploma halen.", actions=[ActionInput(what="Inschrijven", responsible_member=member.pk)]
                    )
                ],
            ),
            DomainInput(
                domain="gezinscontext",
                goals=[
                    GoalInput(
                        text="Rust thuis.", actions=[ActionInput(what="Gezinsgesprek", responsible_member=member.pk)]
                    )
                ],
            ),
        ],
    )
    return {
        a.goal.plan_domain.domain: a
        for a in Action.objects.filter(case=shared_case).select_related("goal__plan_domain")
    }


def test_the_responsible_partner_updates_an_action_of_a_consented_domain(planned, partner, coordinator):
    action = planned["werk_onderwijs"]
    update_action_status(actor=fresh(partner), action=action, status="done")
    action.refresh_from_db()
    assert action.status == "done"

    assert not policy.can_update_action_status(partner, planned["gezinscontext"])  # not a consented domain
    withdraw_consent(actor=coordinator, consent=Consent.objects.get(case=action.case, kind=ConsentKind.SHARING))
    assert not policy.can_update_action_status(fresh(partner), action)


# --- Pages and API: the partner's share, on the next click --------------------------------------------------


@pytest.fixture
def full_case(shared_case, coordinator, partner, planned):
    """The shared case with intake answers, an informal member and contacts in several domains."""
    from ketenregie.cases import domain as cases

    cases.save_intake(
        actor=coordinator,
        case=shared_case,
        version=None,
        intake_on=timezone.localdate(),
        domains={
            "werk_onderwijs": {"strengths": "Goede punten voor wiskunde."},
            "gezondheid": {"risks": "Slaapt slecht, medicatie."},
            "gezinscontext": {"situation": "Vader drinkt."},
        },
        glm_needs=["relaties"],
        youth_words="Ik wil mijn diploma.",
    )
    add_network_member(
        actor=coordinator,
        case=shared_case,
        data=MemberData(
            kind=MemberKind.INFORMAL,
            name="Karin Moeder",
            role="Moeder",
            phone="0477 11 22 33",
            notes="Werkt in ploegen.",
        ),
    )
    for note, domains in (("Gesprek over de stage.", ["werk_onderwijs"]), ("Ruzie thuis.", ["gezinscontext"])):
        record_contact(
            actor=coordinator,
            case=shared_case,
            data=ContactData(
                contact_at=timezone.now() - timedelta(hours=3),
                with_whom="youth",
                channel="phone",
                note=note,
                life_domains=domains,
            ),
        )
    return shared_case


def test_the_partner_case_page_shows_the_share_only(full_case, client_for, partner):
    page = client_for(partner).get(f"/dossiers/{full_case.pk}/")

    assert page.status_code == 200
    assert page.templates[0].name == "cases/case_partner.html"
    body = page.content.decode()
    assert "Goede punten voor wiskunde." in body
    for hidden in ("Slaapt slecht", "Vader drinkt", "Gesprek over de stage.", "Ruzie thuis.", "Schoolverzuim"):
        assert hidden not in body
    assert [c.life_domains for c in page.context["contacts"]] == [["werk_onderwijs"]]


def test_the_partner_plan_and_network_pages(full_case, client_for, partner):
    client = client_for(partner)
    plan = client.get(f"/dossiers/{full_case.pk}/plan/").content.decode()
    assert "Diploma halen." in plan and "Rust thuis." not in plan
    assert "/plan/versies/" not in plan  # the versions hold every domain

    network = client.get(f"/dossiers/{full_case.pk}/netwerk/").content.decode()
    assert "Karin Moeder" in network
    assert "0477 11 22 33" not in network and "Werkt in ploegen." not in network

    for hidden in (
        "plan/versies/",
        "netwerk/kaart.svg",
        "contacten/",
        "gebeurtenissen/",
        "overleggen/",
        "toestemmingen/",
        "intake/",
    ):
        assert client.get(f"/dossiers/{full_case.pk}/{hidden}").status_code == 404, hidden


def test_the_api_gives_the_partner_the_same_share(full_case, client_for, partner):
    client = client_for(partner)
    case = client.get(f"/api/v1/cases/{full_case.pk}").json()
    assert case["offences"] is None and case["content"] is None and case["guardians"] is None
    assert case["youth"]["birth_date"] is None and case["youth"]["postal_code"] == ""
    assert case["referrer"]["name"] == "" and case["transitions"] == [] and case["eligibility"] == []

    intake = client.get(f"/api/v1/cases/{full_case.pk}/intake").json()
    assert set(intake["domains"]) == {"werk_onderwijs"}
    assert intake["domains"]["werk_onderwijs"]["strengths"] == "Goede punten voor wiskunde."
    assert intake["youth_words"] == ""


def test_withdrawing_the_consent_in_the_ui_removes_access_on_the_next_click(
    shared_case, client_for, partner, coordinator, today
):
    partner_client = client_for(partner)
    assert partner_client.get(f"/dossiers/{shared_case.pk}/plan/").status_code == 200
    consent = Consent.objects.get(case=shared_case, kind=ConsentKind.SHARING)

    answer = client_for(coordinator).post(
        f"/toestemmingen/{consent.pk}/intrekken/", {"on": today.isoformat(), "note": ""}
    )
    assert answer.status_code == 302

    assert partner_client.get(f"/dossiers/{shared_case.pk}/plan/").status_code == 404
    assert partner_client.get(f"/dossiers/{shared_case.pk}/").status_code == 404
    assert partner_client.get(f"/api/v1/cases/{shared_case.pk}").status_code == 404
    assert str(shared_case.pk) not in partner_client.get("/dossiers/").content.decode()


def test_ending_the_membership_in_the_ui_removes_access_on_the_next_click(
    shared_case, client_for, partner, coordinator, today
):
    partner_client = client_for(partner)
    assert partner_client.get(f"/dossiers/{shared_case.pk}/").status_code == 200
    member = shared_case.network.get(user=partner)

    answer = client_for(coordinator).post(
        f"/dossiers/{shared_case.pk}/netwerk/{member.pk}/beeindigen/", {"on": (today - timedelta(days=1)).isoformat()}
    )
    assert answer.status_code == 302

    assert partner_client.get(f"/dossiers/{shared_case.pk}/").status_code == 404


def test_the_start_page_lists_the_cases_shared_with_the_partner(shared_case, client_for, partner):
    body = client_for(partner).get("/").content.decode()
    assert shared_case.reference in body


# --- The demo: a partner sees exactly what the demo consents allow ------------------------------------------


def test_in_the_demo_a_partner_sees_exactly_what_the_consents_allow(db):
    from io import StringIO

    from django.core.management import call_command
    from django_scopes import scopes_disabled

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "partner-jeugdwerk" in out.getvalue()
    with scopes_disabled():
        school_partner = User.objects.get(username="partner-school")
        youth_worker = User.objects.get(username="partner-jeugdwerk")
        shared = list(policy.visible_cases(school_partner))
        expected = {
            c.case_id
            for c in policy.sharing_consents(
                Membership.objects.filter(user=school_partner).values_list("organisation_id", flat=True)
            )
            if c.case.network.filter(user=school_partner).exists()
        }
        assert shared and {c.pk for c in shared} == expected
        for case in shared:
            assert policy.allowed_life_domains(school_partner, case) == {"werk_onderwijs", "vrije_tijd"}
        assert youth_worker.network_memberships.exists()
        assert not policy.visible_cases(youth_worker).exists()


def test_the_partner_case_page_runs_the_same_queries_with_more_contacts_and_actions(
    full_case, client_for, partner, coordinator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(partner)
    url = f"/dossiers/{full_case.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(4):
        record_contact(
            actor=coordinator,
            case=full_case,
            data=ContactData(
                contact_at=timezone.now() - timedelta(hours=1, minutes=n),
                with_whom="youth",
                channel="phone",
                life_domains=["werk_onderwijs"],
            ),
        )
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200

    assert len(more) == len(few)
