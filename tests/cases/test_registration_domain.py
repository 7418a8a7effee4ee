"""register_case: validation, eligibility and its override, duplicates, new trajectories, double submits."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from freezegun import freeze_time

from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain
from ketenregie.cases.domain import DuplicateSuspected, OffenceData
from ketenregie.cases.enums import CaseStatus, ReferrerKind
from ketenregie.cases.models import Case, CaseTransition, Youth
from ketenregie.common.errors import DomainError, NotAllowed, ValidationFailed
from tests.cases.conftest import years_before
from tests.factories import OrganisationFactory

S = CaseStatus
NOT_EVERY_CRITERION = "Not every criterion of the chain is met. Only an operational coordinator can register anyway, with a written reason."
OUTSIDE = "Lives outside the region (3500; region: 3600) and no strong link is recorded."


@pytest.fixture
def register(chain, coordinator):
    def run(data, *, actor=None, **options):
        return domain.register_case(actor=actor or coordinator, chain=chain, data=data, **options)

    return run


@pytest.fixture
def refused(register, counts):
    """Registering fails with ``error``; not a single row (case, youth, offence, guardian, audit) appears."""

    def check(data, error=ValidationFailed, **options):
        rows = counts()
        with pytest.raises(error) as info:
            register(data, **options)
        assert counts() == rows
        return info.value

    return check


# --- A valid registration ----------------------------------------------------------------------------


def test_a_valid_registration_writes_youth_case_offences_guardians_transition_and_audit(
    registration_data, register, coordinator, police, counts
):
    data = registration_data()
    rows = counts()

    case = register(data)

    assert counts() - rows == {"cases": 1, "youths": 1, "offences": 1, "guardians": 1, "transitions": 1, "audit": 1}
    case = Case.objects.select_related("youth").get(pk=case.pk)
    assert (case.status, case.version, case.created_by_id) == (S.REGISTERED, 1, coordinator.pk)
    assert case.reference == f"FIX-{data.registered_on.year}-0001"
    assert (case.referrer_kind, case.referrer_organisation_id) == (ReferrerKind.ORGANISATION, police.pk)
    assert (case.youth.first_name, case.youth.birth_date) == (data.youth.first_name, data.youth.birth_date)
    assert case.youth.search_name == "amina bouzid"
    assert [(o.offence_type, o.committed_on) for o in case.offences.all()] == [
        ("diefstal", data.registered_on - timedelta(days=40))
    ]
    assert [g.name for g in case.guardians.all()] == ["Fatima Bouzid"]
    assert {c["code"]: c["status"] for c in case.eligibility} == {
        "age": "passed",
        "region": "passed",
        "offence": "passed",
        "multi_problem": "passed",
    }
    assert (case.eligibility_override_reason, case.eligibility_overridden_by) == ("", None)
    transition = CaseTransition.objects.get(case=case)
    assert (transition.from_status, transition.to_status, transition.actor_id) == ("", S.REGISTERED, coordinator.pk)
    event = AuditEvent.objects.get(action="case.registered")
    assert (event.case_id, event.chain_id, event.actor_id) == (case.pk, case.chain_id, coordinator.pk)
    assert event.details == {"overridden": [], "previous_case": None}


def test_case_numbers_count_up_per_year(registration_data, register):
    first = register(registration_data())
    second = register(registration_data())

    year = first.registered_on.year
    assert (first.reference, second.reference) == (f"FIX-{year}-0001", f"FIX-{year}-0002")


@pytest.mark.parametrize("who", ["case_director", "ot_member", "partner"])
def test_every_stakeholder_in_the_chain_may_register(registration_data, register, request, who):
    actor = request.getfixturevalue(who)

    case = register(registration_data(), actor=actor)

    assert case.created_by_id == actor.pk


@pytest.mark.parametrize("who", ["strategic", "admin_user", "no_role_user", "outsider"])
def test_roles_without_registration_rights_are_refused(registration_data, refused, request, who):
    error = refused(registration_data(), NotAllowed, actor=request.getfixturevalue(who))

    assert error.detail == "Your role does not allow this."


def test_an_adult_needs_no_parents_informed(registration_data, register):
    case = register(registration_data(adult=True))

    assert case.parents_informed_on is None


def test_a_concern_without_offence_is_a_registration_but_fails_the_offence_criterion(
    registration_data, refused, register
):
    data = registration_data(offences=[], concerns="Hangt rond met een groep die inbraken pleegt.")

    error = refused(data)

    assert error.errors == [
        {"field": "eligibility", "message": "No offence is known: the chain is for youths who committed offences."}
    ]
    case = register(data, override_reason="Politie vraagt preventief traject; OT akkoord.")
    assert case.offences.count() == 0 and case.concerns.startswith("Hangt rond")


# --- Field validation: each refused alone, with nothing written ----------------------------------


def _shift(data, **fields):
    for name, value in fields.items():
        setattr(data, name, value)
    return data


SCENARIOS = {
    "birth-date-in-the-future": (
        lambda d, today: _shift(d, offences=[OffenceData("diefstal")]),
        lambda today, registered_on: today + timedelta(days=10),
        [("youth.birth_date", "The birth date cannot be in the future.")],
    ),
    "younger-than-6": (
        lambda d, today: d,
        lambda today, registered_on: years_before(registered_on, 6) + timedelta(days=1),
        [("youth.birth_date", "This birth date makes the youth younger than 6.")],
    ),
    "registration-before-birth": (
        lambda d, today: _shift(d, offences=[OffenceData("diefstal")]),
        lambda today, registered_on: registered_on + timedelta(days=1),
        [("registered_on", "The registration date lies before the birth date.")],
    ),
    "registration-in-the-future": (
        lambda d, today: _shift(d, registered_on=today + timedelta(days=1)),
        None,
        [("registered_on", "The registration date cannot be in the future.")],
    ),
    "youth-not-informed": (
        lambda d, today: _shift(d, youth_informed_on=None),
        None,
        [("youth_informed_on", "The youth must be informed before the registration: give the date.")],
    ),
    "youth-informed-after-registration": (
        lambda d, today: _shift(d, youth_informed_on=d.registered_on + timedelta(days=1)),
        None,
        [("youth_informed_on", "The youth must be informed before the registration, not after it.")],
    ),
    "minor-parents-not-informed": (
        lambda d, today: _shift(d, parents_informed_on=None),
        None,
        [("parents_informed_on", "The youth is a minor: the parents must be informed too. Give the date.")],
    ),
    "parents-informed-after-registration": (
        lambda d, today: _shift(d, parents_informed_on=d.registered_on + timedelta(days=1)),
        None,
        [("parents_informed_on", "The parents must be informed before the registration, not after it.")],
    ),
    "no-offence-and-no-concern": (
        lambda d, today: _shift(d, offences=[], concerns="  "),
        None,
        [("offences", "Record at least one offence or concern.")],
    ),
    "offence-type-not-in-the-chain-s-list": (
        lambda d, today: _shift(d, offences=[OffenceData("spijbelen")]),
        None,
        [("offences.0.offence_type", "Choose a type of offence from the chain's list.")],
    ),
    "offence-before-birth": (
        lambda d, today: _shift(
            d, offences=[OffenceData("geweld", committed_on=d.youth.birth_date - timedelta(days=1))]
        ),
        None,
        [("offences.0.committed_on", "The date of an offence lies before the birth date.")],
    ),
    "offence-in-the-future": (
        lambda d, today: _shift(d, offences=[OffenceData("geweld", committed_on=today + timedelta(days=1))]),
        None,
        [("offences.0.committed_on", "The date of an offence cannot be in the future.")],
    ),
    "no-multi-problem": (
        lambda d, today: _shift(d, multi_problem=" "),
        None,
        [("multi_problem", "Describe the complex multi-problem of the youth and/or family.")],
    ),
    "no-referrer-organisation": (
        lambda d, today: _shift(d, referrer_organisation=None),
        None,
        [("referrer_organisation", "Choose the referring organisation.")],
    ),
}


@pytest.mark.parametrize(("change", "born", "errors"), SCENARIOS.values(), ids=SCENARIOS.keys())
def test_an_invalid_registration_is_refused_field_by_field_and_writes_nothing(
    registration_data, refused, today, change, born, errors
):
    registered_on = today - timedelta(days=30)
    birth_date = born(today, registered_on) if born else None
    data = change(registration_data(birth_date=birth_date, registered_on=registered_on), today)

    error = refused(data)

    assert error.detail == "Some fields need attention."
    assert [(e["field"], e["message"]) for e in error.errors] == errors


def test_a_referrer_organisation_outside_the_chain_is_refused(registration_data, refused):
    data = registration_data(referrer_organisation=OrganisationFactory(name="Politiezone Antwerpen"))

    error = refused(data)

    assert error.errors == [
        {"field": "referrer_organisation", "message": "This organisation is not a partner of the chain."}
    ]


def test_a_strong_link_outside_the_region_needs_an_explanation(registration_data, refused):
    data = registration_data()
    data.youth.postal_code, data.youth.strong_link = "3500", True

    error = refused(data)

    assert error.errors == [
        {"field": "youth.strong_link_explanation", "message": "Explain the youth's strong link with the region."}
    ]


def test_every_field_error_is_reported_at_once(registration_data, refused):
    data = registration_data(youth_informed_on=None, multi_problem="", offences=[], concerns="")

    error = refused(data)

    assert [e["field"] for e in error.errors] == ["youth_informed_on", "offences", "multi_problem"]


# --- Eligibility on the registration date, and its override ----------------------------------------


def test_the_age_is_counted_on_the_registration_date_not_today(registration_data, register, today):
    # Registered thirty days ago at 25; the 26th birthday was ten days ago.
    data = registration_data(
        registered_on=today - timedelta(days=30), birth_date=years_before(today - timedelta(days=10), 26)
    )

    case = register(data)

    assert case.eligibility[0]["status"] == "passed"
    assert case.eligibility[0]["message"].startswith("25 years on ")


@freeze_time("2025-03-12 10:00:00")
def test_registered_on_the_12th_birthday_passes_the_day_before_does_not(registration_data, register, refused):
    on_birthday = registration_data(registered_on=date(2025, 3, 12), birth_date=date(2013, 3, 12))
    day_before = registration_data(registered_on=date(2025, 3, 11), birth_date=date(2013, 3, 12))

    assert register(on_birthday).eligibility[0] == {
        "code": "age",
        "status": "passed",
        "message": "12 years on 12 March 2025: within 12–25.",
    }
    assert refused(day_before).errors == [
        {"field": "eligibility", "message": "11 years on 11 March 2025: outside the age range 12–25."}
    ]


def test_a_failing_criterion_is_refused_without_override(registration_data, refused):
    data = registration_data()
    data.youth.postal_code = "3500"

    error = refused(data)

    assert error.detail == NOT_EVERY_CRITERION
    assert error.errors == [{"field": "eligibility", "message": OUTSIDE}]


def test_a_blank_override_reason_is_no_override(registration_data, refused):
    data = registration_data()
    data.youth.postal_code = "3500"

    assert refused(data, override_reason="   ").detail == NOT_EVERY_CRITERION


@pytest.mark.parametrize("who", ["case_director", "ot_member", "partner"])
def test_only_an_operational_coordinator_may_override(registration_data, refused, request, who):
    data = registration_data()
    data.youth.postal_code = "3500"

    error = refused(data, actor=request.getfixturevalue(who), override_reason="Verhuist volgende maand naar Genk.")

    assert error.errors == [
        {"field": "override_reason", "message": "Only an operational coordinator can override the criteria."}
    ]


def test_a_coordinator_s_override_is_stored_with_reason_actor_and_audit(registration_data, register, coordinator):
    data = registration_data()
    data.youth.postal_code = "3500"

    case = register(data, override_reason="  Verhuist volgende maand naar Genk.  ")

    case.refresh_from_db()
    assert case.eligibility_override_reason == "Verhuist volgende maand naar Genk."
    assert case.eligibility_overridden_by_id == coordinator.pk
    assert {"code": "region", "status": "failed", "message": OUTSIDE} in case.eligibility
    assert CaseTransition.objects.get(case=case).reason == "Verhuist volgende maand naar Genk."
    event = AuditEvent.objects.get(action="case.registered", case_id=case.pk)
    assert event.details == {"overridden": ["region"], "previous_case": None}
    assert "Genk" not in str(event.details)  # the reason is case content: it stays out of the audit details


def test_an_override_reason_without_failing_criteria_is_not_recorded(registration_data, register):
    case = register(registration_data(), override_reason="Voor de zekerheid")

    assert (case.eligibility_override_reason, case.eligibility_overridden_by_id) == ("", None)


# --- Duplicates ------------------------------------------------------------------------------------

KNOWN = "A youth with the same birth date and a similar name is already known. Check whether it is the same person."
BORN = date(2009, 7, 4)


@pytest.fixture
def known_youth(make_case):
    """Zoë Claes, born 4 July 2009, whose earlier registration was withdrawn (no open case)."""
    return make_case(S.WITHDRAWN, first_name="Zoë", last_name="Claes", birth_date=BORN).youth


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [
        pytest.param("Zoë", "Claes", id="same-name"),
        pytest.param("Claes", "Zoë", id="swapped-names"),
        pytest.param("Zoe", "Claes", id="without-accent"),
        pytest.param("ZOË", "claes", id="other-case"),
        pytest.param("Zoey", "Claes", id="close-variant-of-the-first-name"),
        pytest.param("Zoë", "Claessens", id="close-variant-of-the-last-name"),
        pytest.param(" Zoë ", " Claes", id="spaces"),
    ],
)
def test_a_probable_duplicate_is_suspected_with_its_matches(
    known_youth, registration_data, refused, first_name, last_name
):
    data = registration_data(first_name=first_name, last_name=last_name, birth_date=BORN)

    error = refused(data, DuplicateSuspected)

    assert error.detail == KNOWN
    assert error.matches == [known_youth]
    assert error.errors == [{"field": "youth", "message": KNOWN}]


@pytest.mark.parametrize(
    ("first_name", "last_name", "birth_date"),
    [
        pytest.param("Zoë", "Claes", date(2009, 7, 5), id="other-birth-date"),
        pytest.param("Lotte", "Claes", BORN, id="other-first-name"),
        pytest.param("Zoë", "Janssens", BORN, id="other-last-name"),
    ],
)
def test_a_different_youth_is_no_duplicate(known_youth, registration_data, register, first_name, last_name, birth_date):
    case = register(registration_data(first_name=first_name, last_name=last_name, birth_date=birth_date))

    assert case.youth_id != known_youth.pk


def test_a_confirmed_non_duplicate_becomes_a_new_youth(known_youth, registration_data, register):
    case = register(registration_data(first_name="Zoe", last_name="Claes", birth_date=BORN), confirm_not_duplicate=True)

    assert case.youth_id != known_youth.pk
    assert Youth.objects.filter(birth_date=BORN).count() == 2


def test_an_open_case_of_the_same_youth_is_refused_even_when_confirmed(make_case, registration_data, refused):
    open_case = make_case(S.INTAKE, first_name="Zoë", last_name="Claes", birth_date=BORN)

    error = refused(
        registration_data(first_name="Zoe", last_name="Claes", birth_date=BORN),
        DuplicateSuspected,
        confirm_not_duplicate=True,
    )

    assert error.detail == (
        f"This youth already has an open case ({open_case.reference}). Add to that case instead of registering again."
    )
    assert error.matches == [open_case.youth]


def test_duplicates_are_looked_for_in_the_chain_only(known_youth, registration_data, outsider, other_chain):
    data = registration_data(first_name="Zoë", last_name="Claes", birth_date=BORN, referrer_organisation=None)
    data.referrer_kind, data.youth.postal_code = ReferrerKind.PARENT, "2000"

    case = domain.register_case(actor=outsider, chain=other_chain, data=data)

    assert case.youth_id != known_youth.pk and case.youth.chain_id == other_chain.pk


# --- A new trajectory -------------------------------------------------------------------------------


def test_a_closed_case_is_followed_by_a_new_trajectory_of_the_same_youth(
    make_case, registration_data, register, counts
):
    closed = make_case(S.CLOSED, first_name="Zoë", last_name="Claes", birth_date=BORN)
    data = registration_data(first_name="Zoë", last_name="Claes", birth_date=BORN)
    data.youth.postal_code, data.youth.municipality = "3600", "Genk-Winterslag"
    rows = counts()

    case = register(data, previous_case=closed)

    assert counts() - rows == {"cases": 1, "offences": 1, "guardians": 1, "transitions": 1, "audit": 1}
    assert (case.youth_id, case.previous_case_id) == (closed.youth_id, closed.pk)
    assert Youth.objects.get(pk=closed.youth_id).municipality == "Genk-Winterslag"
    assert AuditEvent.objects.get(action="case.registered", case_id=case.pk).details == {
        "overridden": [],
        "previous_case": str(closed.pk),
    }


def test_a_new_trajectory_renews_the_pages_of_the_youths_earlier_cases(
    make_case, registration_data, register, django_capture_on_commit_callbacks
):
    """The earlier case's pages show where the youth lives, which the new trajectory updates."""
    from ketenregie.common import chain_version

    closed = make_case(S.CLOSED, first_name="Zoë", last_name="Claes", birth_date=BORN)
    before = chain_version.case_tokens(closed.pk, closed.chain_id)
    data = registration_data(first_name="Zoë", last_name="Claes", birth_date=BORN)
    data.youth.municipality = "Genk-Waterschei"
    with django_capture_on_commit_callbacks(execute=True):
        register(data, previous_case=closed)
    assert chain_version.case_tokens(closed.pk, closed.chain_id)[0] != before[0]


@pytest.mark.parametrize("status", [S.REGISTERED, S.ACTIVE])
def test_only_a_closed_case_can_have_a_next_trajectory(make_case, registration_data, refused, status):
    previous = make_case(status)

    error = refused(registration_data(), previous_case=previous)

    assert error.errors == [
        {"field": "previous_case", "message": "Only a closed case of this chain can be followed by a new trajectory."}
    ]


def test_a_new_trajectory_is_refused_while_the_youth_already_has_an_open_case(
    make_case, registration_data, register, refused
):
    closed = make_case(S.CLOSED, first_name="Zoë", last_name="Claes", birth_date=BORN)
    register(registration_data(first_name="Zoë", last_name="Claes", birth_date=BORN), previous_case=closed)

    refused(
        registration_data(first_name="Zoë", last_name="Claes", birth_date=BORN),
        DuplicateSuspected,
        previous_case=closed,
    )


# --- Double submits -----------------------------------------------------------------------------------


def test_a_double_submit_returns_the_same_case_and_writes_once(registration_data, register, counts):
    key = uuid.uuid4()
    data = registration_data()
    rows = counts()

    first = register(data, submission_key=key)
    second = register(data, submission_key=key)

    assert second.pk == first.pk
    assert counts() - rows == {"cases": 1, "youths": 1, "offences": 1, "guardians": 1, "transitions": 1, "audit": 1}


def test_a_replayed_submission_is_not_taken_for_a_duplicate_youth(registration_data, register):
    # The replay comes after the first request created the youth: it must answer with that case,
    # not with "this youth already has an open case".
    key = uuid.uuid4()
    data = registration_data()
    first = register(data, submission_key=key)

    replays = [register(data, submission_key=key) for _ in range(3)]

    assert {r.pk for r in replays} == {first.pk}
    assert Case.objects.filter(submission_key=key).count() == 1


def test_different_submission_keys_are_different_registrations(registration_data, register, refused):
    data = registration_data()
    register(data, submission_key=uuid.uuid4())

    refused(data, DuplicateSuspected, submission_key=uuid.uuid4())  # now it is an open case of a known youth


def test_a_submission_key_of_another_chain_does_not_hand_out_that_case(
    registration_data, register, outsider, other_chain
):
    key = uuid.uuid4()
    register(registration_data(), submission_key=key)
    foreign = registration_data(first_name="Lina", last_name="Peeters", referrer_organisation=None)
    foreign.referrer_kind, foreign.youth.postal_code = ReferrerKind.PARENT, "2000"

    try:
        case = domain.register_case(actor=outsider, chain=other_chain, data=foreign, submission_key=key)
    except DomainError:
        return
    assert case.chain_id == other_chain.pk
