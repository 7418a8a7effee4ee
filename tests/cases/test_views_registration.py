"""The consult and registration pages: prefill, field errors, eligibility override, duplicates, double submits."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ketenregie.cases import domain
from ketenregie.cases.enums import CaseStatus, Channel, ConsultOutcome, ReferrerKind
from ketenregie.cases.models import Case, Consult, Guardian, Offence, Youth
from tests.cases.conftest import years_before

S = CaseStatus


@pytest.fixture
def client_en(client_for):
    """A logged-in client that asks for English, so assertions read the msgids."""

    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def registration_post(chain, police):
    """The POST of a complete, valid registration form; keyword arguments override fields."""

    def build(**overrides) -> dict:
        today = timezone.localdate()
        data = {
            "keten": chain.slug,
            "submission_key": str(uuid.uuid4()),
            "first_name": "Sara",
            "last_name": "Van den Broeck",
            "birth_date": (years_before(today, 15) - timedelta(days=10)).isoformat(),
            "gender": "f",
            "postal_code": "3600",
            "municipality": "Genk",
            "referrer_kind": ReferrerKind.ORGANISATION,
            "referrer_organisation": str(police.pk),
            "referrer_name": "Inspecteur Wouters",
            "referrer_contact": "",
            "concerns": "",
            "multi_problem": "Spijbelt, conflicten thuis.",
            "framework": "voluntary",
            "registered_on": today.isoformat(),
            "youth_informed_on": (today - timedelta(days=1)).isoformat(),
            "parents_informed_on": (today - timedelta(days=1)).isoformat(),
            **management("guardians", 2),
            **management("offences", 3),
            "guardians-0-name": "Els Van den Broeck",
            "guardians-0-relation": "mother",
            "offences-0-offence_type": "diefstal",
            "offences-0-committed_on": (today - timedelta(days=20)).isoformat(),
            "offences-0-description": "Winkeldiefstal.",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return build


# --- Registration -----------------------------------------------------------------------------


def test_register_page_groups_the_form_for_a_newcomer(client_en, coordinator, chain):
    response = client_en(coordinator).get(reverse("cases:register"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for legend in ("1. The youth", "2. Parents or guardians", "4. Offences", "7. Informed before the registration"):
        assert legend in html
    assert 'name="submission_key"' in html
    assert 'name="offences-2-offence_type"' in html and 'name="guardians-1-name"' in html
    assert 'hx-post="/aanmelden/criteria/?for=registration"' in html


def test_registration_creates_the_case_and_goes_to_its_page(client_en, coordinator, chain, registration_post):
    client = client_en(coordinator)
    response = client.post(reverse("cases:register"), registration_post())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"case_id": case.pk})
    assert case.youth.full_name == "Sara Van den Broeck"
    assert [o.offence_type for o in Offence.objects.filter(case=case)] == ["diefstal"]
    assert [g.name for g in Guardian.objects.filter(case=case)] == ["Els Van den Broeck"]
    page = client.get(response["Location"])
    assert f"Case {case.reference} is registered." in page.content.decode()


def test_future_birth_date_shows_the_field_error_and_creates_nothing(client_en, coordinator, registration_post):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client_en(coordinator).post(reverse("cases:register"), registration_post(birth_date=future))
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == ["The birth date cannot be in the future."]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Case.objects.exists()
    assert not Youth.objects.exists()


def test_double_submit_with_the_same_key_creates_one_case(client_en, coordinator, registration_post):
    client = client_en(coordinator)
    data = registration_post()
    first = client.post(reverse("cases:register"), data)
    second = client.post(reverse("cases:register"), data)
    case = Case.objects.get()
    assert first["Location"] == second["Location"] == reverse("cases:case_detail", kwargs={"case_id": case.pk})
    assert Youth.objects.count() == 1


def test_an_offence_error_lands_on_its_own_row(client_en, coordinator, registration_post):
    """The domain numbers only filled rows: the error for its offence 0 belongs to row 2 on the page."""
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    data = registration_post(
        **{
            "offences-0-offence_type": "",
            "offences-0-committed_on": "",
            "offences-0-description": "",
            "offences-2-offence_type": "geweld",
            "offences-2-committed_on": future,
        }
    )
    response = client_en(coordinator).post(reverse("cases:register"), data)
    offences = response.context["offences"]
    assert offences.forms[2].errors["committed_on"] == ["The date of an offence cannot be in the future."]
    assert not offences.forms[0].errors
    assert not Case.objects.exists()


def test_failing_criteria_offer_the_coordinator_a_written_override(client_en, coordinator, registration_post):
    client = client_en(coordinator)
    outside = registration_post(postal_code="3500", municipality="Hasselt")
    response = client.post(reverse("cases:register"), outside)
    html = response.content.decode()
    assert response.context["eligibility_failed"]
    assert "Lives outside the region (3500; region: 3600) and no strong link is recorded." in html
    assert 'name="override_reason"' in html
    assert not Case.objects.exists()

    response = client.post(reverse("cases:register"), {**outside, "override_reason": "Gaat naar school in Genk."})
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.eligibility_override_reason == "Gaat naar school in Genk."
    assert case.eligibility_overridden_by == coordinator


def test_others_are_told_only_a_coordinator_can_override(client_en, case_director, registration_post):
    response = client_en(case_director).post(
        reverse("cases:register"), registration_post(postal_code="3500", override_reason="Toch graag.")
    )
    html = response.content.decode()
    assert "Only an operational coordinator can register a case that does not meet every criterion." in html
    assert 'name="override_reason"' not in html
    assert not Case.objects.exists()


def test_a_possible_duplicate_is_shown_and_can_be_confirmed_as_someone_else(
    client_en, coordinator, registration_post, make_case
):
    known = make_case(S.CLOSED)
    data = registration_post(
        first_name=known.youth.first_name,
        last_name=known.youth.last_name,
        birth_date=known.youth.birth_date.isoformat(),
    )
    client = client_en(coordinator)
    response = client.post(reverse("cases:register"), data)
    html = response.content.decode()
    assert response.context["duplicate"]["open_case"] is False
    assert reverse("cases:case_detail", kwargs={"case_id": known.pk}) in html
    assert reverse("cases:new_trajectory", kwargs={"case_id": known.pk}) in html
    assert 'name="confirm_not_duplicate"' in html
    assert Case.objects.count() == 1

    response = client.post(reverse("cases:register"), {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Youth.objects.count() == 2


def test_an_open_case_of_the_same_youth_is_named_and_not_overridable(
    client_en, coordinator, registration_post, make_case
):
    known = make_case(S.INTAKE)
    data = registration_post(
        first_name=known.youth.first_name,
        last_name=known.youth.last_name,
        birth_date=known.youth.birth_date.isoformat(),
    )
    response = client_en(coordinator).post(reverse("cases:register"), data)
    html = response.content.decode()
    assert f"This youth already has an open case ({known.reference})." in html
    assert 'name="confirm_not_duplicate"' not in html
    assert Case.objects.count() == 1


def test_duplicate_details_stay_hidden_from_who_cannot_see_the_case(
    client_en, case_director, other_case_director, registration_post, make_case
):
    known = make_case(S.CLOSED, director=other_case_director)  # not hers: she may not see it
    response = client_en(case_director).post(
        reverse("cases:register"),
        registration_post(
            first_name=known.youth.first_name,
            last_name=known.youth.last_name,
            birth_date=known.youth.birth_date.isoformat(),
        ),
    )
    html = response.content.decode()
    assert "You have no access to their case" in html
    assert known.reference not in html
    assert reverse("cases:case_detail", kwargs={"case_id": known.pk}) not in html


def test_new_trajectory_keeps_the_youth_of_the_closed_case(client_en, coordinator, registration_post, make_case):
    closed = make_case(S.CLOSED)
    url = reverse("cases:new_trajectory", kwargs={"case_id": closed.pk})
    client = client_en(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["first_name"].value() == closed.youth.first_name
    # The name fields are disabled: what is posted for them is ignored.
    response = client.post(url, registration_post(first_name="Iemand", last_name="Anders", birth_date=None))
    new = Case.objects.exclude(pk=closed.pk).get()
    assert response.status_code == 302
    assert new.youth_id == closed.youth_id
    assert new.previous_case_id == closed.pk


def test_new_trajectory_needs_a_closed_case(client_en, coordinator, make_case):
    open_case = make_case(S.INTAKE)
    response = client_en(coordinator).get(reverse("cases:new_trajectory", kwargs={"case_id": open_case.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"case_id": open_case.pk})


def test_live_eligibility_preview_checks_what_is_filled_in(client_en, coordinator, chain):
    today = timezone.localdate()
    response = client_en(coordinator).post(
        reverse("cases:eligibility_preview") + "?for=registration",
        {
            "keten": chain.slug,
            "birth_date": years_before(today, 30).isoformat(),
            "postal_code": "3600",
            **management("offences", 3),
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    statuses = {c.code: c.status for c in response.context["criteria"]}
    assert statuses == {"age": "failed", "region": "passed", "offence": "unknown", "multi_problem": "unknown"}


def test_eligibility_preview_refuses_get(client_en, coordinator):
    assert client_en(coordinator).get(reverse("cases:eligibility_preview")).status_code == 405


# --- Consults ------------------------------------------------------------------------------------


@pytest.fixture
def consult(chain, coordinator, police):
    return domain.record_consult(
        actor=coordinator,
        chain=chain,
        data=domain.ConsultData(
            referrer_kind=ReferrerKind.ORGANISATION,
            referrer_organisation=police,
            referrer_name="Inspecteur Wouters",
            channel=Channel.PHONE,
            consulted_on=timezone.localdate(),
            summary="Winkeldiefstal, spijbelt.",
            outcome=ConsultOutcome.FITS,
            youth_birth_date=years_before(timezone.localdate(), 15),
            youth_postal_code="3600",
            has_offence=True,
            has_multi_problem=True,
        ),
    )


def test_consult_create_records_and_shows_the_criteria(client_en, coordinator, chain, police):
    client = client_en(coordinator)
    assert client.get(reverse("cases:consult_create")).status_code == 200
    response = client.post(
        reverse("cases:consult_create"),
        {
            "keten": chain.slug,
            "submission_key": str(uuid.uuid4()),
            "referrer_kind": "organisation",
            "referrer_organisation": str(police.pk),
            "referrer_name": "Inspecteur Wouters",
            "channel": "phone",
            "consulted_on": timezone.localdate().isoformat(),
            "summary": "Vraag over een jongere.",
            "youth_age": "16",
            "youth_postal_code": "3600",
            "has_offence": "yes",
            "has_multi_problem": "",
            "outcome": "needs_info",
        },
    )
    consult = Consult.objects.get()
    assert response["Location"] == reverse("cases:consult_detail", kwargs={"consult_id": consult.pk})
    detail = client.get(response["Location"])
    assert "Not yet known whether there is complex multi-problem." in detail.content.decode()


def test_consult_does_not_fit_needs_advice(client_en, coordinator, chain):
    response = client_en(coordinator).post(
        reverse("cases:consult_create"),
        {
            "keten": chain.slug,
            "referrer_kind": "parent",
            "referrer_name": "Moeder",
            "channel": "phone",
            "consulted_on": timezone.localdate().isoformat(),
            "summary": "Vraag.",
            "outcome": "does_not_fit",
        },
    )
    assert response.context["form"].errors["advice"] == [
        "When the case does not fit, write the advice to the referrer."
    ]
    assert not Consult.objects.exists()


def test_register_from_a_fitting_consult_is_prefilled(client_en, coordinator, consult):
    client = client_en(coordinator)
    detail = client.get(reverse("cases:consult_detail", kwargs={"consult_id": consult.pk}))
    register_url = reverse("cases:register") + f"?consult={consult.pk}"
    assert register_url in detail.content.decode()
    form = client.get(register_url).context["form"]
    assert form["referrer_name"].value() == "Inspecteur Wouters"
    assert form["postal_code"].value() == "3600"
    assert str(form["consult"].value()) == str(consult.pk)


def test_consults_are_for_coordinators_only(client_en, case_director, outsider, consult):
    assert client_en(case_director).get(reverse("cases:consult_list")).status_code == 404
    detail = reverse("cases:consult_detail", kwargs={"consult_id": consult.pk})
    assert client_en(outsider).get(detail).status_code == 404
    assert client_en(case_director).get(reverse("cases:register") + f"?consult={consult.pk}").status_code == 404
    assert client_en(case_director).get(reverse("cases:register") + "?consult=not-a-uuid").status_code == 404


def test_no_new_trajectory_while_the_youth_has_an_open_case(
    client_en, coordinator, chain, make_case, registration_data
):
    closed = make_case(S.CLOSED)
    domain.register_case(actor=coordinator, chain=chain, data=registration_data(), previous_case=closed)
    client = client_en(coordinator)
    response = client.get(reverse("cases:new_trajectory", kwargs={"case_id": closed.pk}))
    assert response.status_code == 302
    assert "This youth already has an open case." in client.get(response["Location"]).content.decode()
    assert Case.objects.filter(youth=closed.youth).count() == 2
