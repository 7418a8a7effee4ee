"""THE access policy (consent/policy.py): deny by default, and consent applied inside the querysets."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone
from freezegun import freeze_time

from ketenregie.accounts.models import Membership, User
from ketenregie.cases import domain, workflow
from ketenregie.cases.domain import ConsultData
from ketenregie.cases.enums import CaseStatus, Channel, ConsultOutcome, ReferrerKind
from ketenregie.consent import policy
from ketenregie.consent.domain import withdraw_consent
from ketenregie.consent.enums import ConsentKind
from ketenregie.consent.models import Consent

S = CaseStatus


@pytest.fixture
def cases(builder, case_director, other_case_director):
    """Three cases of FIX Genk: one per case director and one not assigned yet."""
    return {
        "mine": builder.make(S.INCLUDED, director=case_director),
        "theirs": builder.make(S.ACTIVE, director=other_case_director),
        "unassigned": builder.make(S.REGISTERED),
    }


@pytest.fixture
def foreign_case(other_chain, outsider, registration_data):
    data = registration_data(first_name="Lina", last_name="Peeters", referrer_organisation=None)
    data.referrer_kind, data.youth.postal_code, data.youth.municipality = ReferrerKind.PARENT, "2000", "Antwerpen"
    return domain.register_case(actor=outsider, chain=other_chain, data=data)


def visible(user) -> set:
    return set(policy.visible_cases(user).values_list("pk", flat=True))


def fresh(user) -> User:
    """The user as the next request loads it (memberships are cached per user object)."""
    return User.objects.get(pk=user.pk)


# --- Deny by default --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "admin_user", "strategic", "no_role_user", "partner", "ot_member"])
def test_who_has_no_case_role_sees_no_case(cases, foreign_case, request, who):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)

    assert visible(user) == set()
    for case in (*cases.values(), foreign_case):
        with pytest.raises(Http404):
            policy.get_visible_case(user, case.pk)


def test_a_coordinator_of_another_chain_sees_none_of_this_chain(cases, foreign_case, outsider):
    assert visible(outsider) == {foreign_case.pk}


def test_an_administrator_who_is_also_superuser_still_sees_nothing(cases, admin_user):
    assert admin_user.is_staff and admin_user.is_superuser
    assert policy.visible_cases(admin_user).count() == 0
    assert not policy.can_view_case_content(admin_user, cases["mine"])


# --- Coordinators and case directors ----------------------------------------------------------------


def test_a_coordinator_sees_every_case_of_the_chain_and_only_that(cases, foreign_case, coordinator):
    assert visible(coordinator) == {c.pk for c in cases.values()}


def test_a_case_director_sees_only_the_cases_assigned_to_them(cases, case_director, other_case_director):
    assert visible(case_director) == {cases["mine"].pk}
    assert visible(other_case_director) == {cases["theirs"].pk}
    assert policy.get_visible_case(case_director, cases["mine"].pk) == cases["mine"]
    with pytest.raises(Http404):
        policy.get_visible_case(case_director, cases["theirs"].pk)


def test_a_case_director_sees_a_case_from_the_moment_it_is_assigned(cases, coordinator, case_director):
    domain.assign_case_director(actor=coordinator, case=cases["unassigned"], case_director=case_director)

    assert visible(case_director) == {cases["mine"].pk, cases["unassigned"].pk}


def test_a_deactivated_role_sees_nothing(cases, case_director):
    Membership.objects.filter(user=case_director).update(is_active=False)

    assert visible(fresh(case_director)) == set()


@pytest.mark.parametrize("case_id", ["not-a-uuid", "", None, 42])
def test_a_malformed_id_looks_missing(coordinator, case_id):
    with pytest.raises(Http404):
        policy.get_visible_case(coordinator, case_id)


def test_an_unknown_id_looks_missing(coordinator):
    with pytest.raises(Http404):
        policy.get_visible_case(coordinator, uuid.uuid4())


def test_who_works_on_a_case(cases, coordinator, case_director, other_case_director, ot_member, partner, admin_user):
    mine = cases["mine"]

    assert policy.can_work_on_case(coordinator, mine)
    assert policy.can_work_on_case(case_director, mine)
    assert not any(policy.can_work_on_case(u, mine) for u in (other_case_director, ot_member, partner, admin_user))


# --- OT members: an agenda they attend, and the youth's valid OT consent -----------------------------


@pytest.fixture
def plan(chain, coordinator, legal_basis):
    def run(attendees, starts_at=None):
        return domain.plan_ot_meeting(
            actor=coordinator,
            chain=chain,
            starts_at=starts_at or timezone.now() + timedelta(days=7),
            location="Stadhuis Genk",
            legal_basis=legal_basis,
            attendees=list(attendees),
        )

    return run


@pytest.fixture
def on_agenda(builder, plan, ot_member, coordinator):
    """An adult's case awaiting the OT on next week's meeting, which the police's OT member attends."""
    case = builder.make(S.AWAITING_OT, adult=True)
    plan([coordinator, ot_member])
    return case


def test_an_ot_member_sees_the_cases_on_the_agenda_of_a_meeting_they_attend(on_agenda, cases, ot_member):
    assert visible(ot_member) == {on_agenda.pk}
    assert not policy.can_view_case_content(ot_member, on_agenda)  # the agenda summary, not the dossier


def test_an_ot_member_does_not_see_the_agenda_of_a_meeting_they_do_not_attend(builder, plan, coordinator, ot_member):
    builder.make(S.AWAITING_OT, adult=True)
    plan([coordinator])

    assert visible(ot_member) == set()


def test_an_ot_member_loses_access_the_moment_the_youth_withdraws_ot_consent(on_agenda, ot_member, coordinator):
    consent = Consent.objects.get(case=on_agenda, kind=ConsentKind.OT_DISCUSSION)

    withdraw_consent(actor=coordinator, consent=consent)

    assert visible(ot_member) == set()
    assert policy.visible_cases(coordinator).filter(pk=on_agenda.pk).exists()  # the coordinator keeps it


def test_an_ot_member_loses_access_when_the_ot_consent_expires(builder, plan, coordinator, ot_member, today):
    case = builder.make(S.INTAKE, adult=True)
    builder.record_intake(case)
    builder.consent(case, valid_until=today + timedelta(days=5))
    workflow.transition_case(case, S.AWAITING_OT, actor=coordinator)
    plan([ot_member])

    with freeze_time(timezone.now() + timedelta(days=5)):
        assert visible(ot_member) == {case.pk}  # the last valid day
    with freeze_time(timezone.now() + timedelta(days=6)):
        assert visible(ot_member) == set()


def test_a_parent_s_ot_consent_does_not_open_the_case_to_the_ot(builder, plan, coordinator, ot_member):
    # The youth's own consent was withdrawn; a parent's OT-discussion consent is no substitute.
    case = builder.make(S.AWAITING_OT, adult=True)
    builder.consent(case, ConsentKind.OT_DISCUSSION, "parent")
    withdraw_consent(actor=coordinator, consent=Consent.objects.get(case=case, kind="ot_discussion", given_by="youth"))
    plan([ot_member])

    assert visible(ot_member) == set()


def test_an_ot_member_loses_access_to_a_minor_s_case_when_the_parents_withdraw(builder, plan, coordinator, ot_member):
    case = builder.make(S.AWAITING_OT)  # a minor: youth, parental consent and engagement declaration
    plan([ot_member])
    assert visible(ot_member) == {case.pk}

    withdraw_consent(actor=coordinator, consent=Consent.objects.get(case=case, kind=ConsentKind.PARENTAL))

    assert visible(ot_member) == set()


def test_access_through_a_meeting_ends_thirty_days_after_it(on_agenda, ot_member):
    with freeze_time(timezone.now() + timedelta(days=7 + policy.OT_MEMBER_ACCESS_DAYS - 1)):
        assert visible(ot_member) == {on_agenda.pk}
    with freeze_time(timezone.now() + timedelta(days=7 + policy.OT_MEMBER_ACCESS_DAYS + 1)):
        assert visible(ot_member) == set()


def test_an_ot_member_sees_the_agenda_item_only_under_consent(on_agenda, ot_member, coordinator):
    item = on_agenda.ot_items.get()
    assert policy.can_see_ot_item_case(ot_member, item)

    withdraw_consent(actor=coordinator, consent=Consent.objects.get(case=on_agenda, kind=ConsentKind.OT_DISCUSSION))

    assert not policy.can_see_ot_item_case(ot_member, item)
    assert policy.can_see_ot_item_case(coordinator, item)


# --- Consults and OT meetings ------------------------------------------------------------------------


@pytest.fixture
def consult(chain, coordinator, police):
    return domain.record_consult(
        actor=coordinator,
        chain=chain,
        data=ConsultData(
            referrer_kind=ReferrerKind.ORGANISATION,
            referrer_organisation=police,
            referrer_name="Inspecteur Wouters",
            channel=Channel.PHONE,
            consulted_on=timezone.localdate(),
            summary="Jongen van 15, meerdere diefstallen, thuis escaleert het.",
            outcome=ConsultOutcome.FITS,
            youth_birth_date=date(2010, 5, 1),
        ),
    )


def test_only_coordinators_see_consults(consult, coordinator, request):
    assert list(policy.visible_consults(coordinator)) == [consult]
    for who in ("case_director", "ot_member", "partner", "strategic", "admin_user", "no_role_user", "outsider"):
        assert policy.visible_consults(request.getfixturevalue(who)).count() == 0, who
    assert policy.visible_consults(AnonymousUser()).count() == 0


def test_ot_meetings_are_seen_by_coordinators_and_by_attending_ot_members(plan, coordinator, ot_member, request):
    attended = plan([ot_member])
    other = plan([coordinator], starts_at=timezone.now() + timedelta(days=35))

    assert set(policy.visible_ot_meetings(coordinator)) == {attended, other}
    assert list(policy.visible_ot_meetings(ot_member)) == [attended]
    for who in ("case_director", "partner", "strategic", "admin_user", "no_role_user", "outsider"):
        assert policy.visible_ot_meetings(request.getfixturevalue(who)).count() == 0, who
    assert policy.visible_ot_meetings(AnonymousUser()).count() == 0
