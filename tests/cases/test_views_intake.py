"""The intake page: who may open it, saving through the domain, and the conflict page that loses nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case, Intake

S = CaseStatus


@pytest.fixture
def client_en(client_for):
    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def url(case) -> str:
    return reverse("cases:intake", kwargs={"case_id": case.pk})


def form_data(case, *, version, **fields) -> dict:
    data = {
        "version": str(version),
        "intake_on": timezone.localdate().isoformat(),
        "glm_needs": ["relaties"],
        "youth_words": "Ik wil terug naar school.",
        "reflection_until": "",
        "domain__vrije_tijd__strengths": "Goede voetballer.",
        "domain__vrije_tijd__situation": "Zit veel op straat.",
        "domain__vrije_tijd__risks": "",
    }
    data.update(fields)
    return data


def test_coordinator_sees_the_form_with_strengths_first_and_the_playbook(client_en, coordinator, make_case):
    case = make_case(S.INTAKE)
    response = client_en(coordinator).get(url(case))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert case.chain.playbook_text("intake")[:40] in html
    for domain_ in case.chain.life_domains:
        assert domain_["label"] in html
    first = html.index('name="domain__vrije_tijd__strengths"')
    assert first < html.index('name="domain__vrije_tijd__situation"') < html.index('name="domain__vrije_tijd__risks"')
    assert AuditEvent.objects.filter(action="case.viewed", case_id=case.pk, actor_id=coordinator.pk).exists()


def test_saving_goes_through_the_domain_and_redirects(client_en, coordinator, make_case):
    case = make_case(S.INTAKE)
    come_back = timezone.localdate() + timedelta(days=7)
    response = client_en(coordinator).post(
        url(case),
        form_data(case, version=0, reflection_until=come_back.isoformat(), glm_needs=["relaties", "autonomie"]),
    )
    assert response.status_code == 302
    intake = Intake.objects.get(case=case)
    assert intake.domains == {"vrije_tijd": {"strengths": "Goede voetballer.", "situation": "Zit veel op straat."}}
    assert intake.glm_needs == ["relaties", "autonomie"]
    assert intake.version == 1
    assert Case.objects.get(pk=case.pk).reflection_until == come_back
    assert AuditEvent.objects.filter(action="intake.saved", case_id=case.pk).count() == 1


def test_domain_refusal_is_shown_next_to_the_field(client_en, coordinator, make_case):
    case = make_case(S.INTAKE)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_en(coordinator).post(url(case), form_data(case, version=0, intake_on=tomorrow.isoformat()))
    assert response.status_code == 200
    assert "The intake conversation cannot be in the future." in response.content.decode()
    assert not Intake.objects.filter(case=case).exists()


def test_stale_version_shows_both_answers_and_overwrites_nothing(client_en, coordinator, case_director, make_case):
    case = make_case(S.INTAKE)
    # Someone else saves first (version 0 -> 1) while this user still has the page of version 0 open.
    domain.save_intake(
        actor=coordinator,
        case=case,
        version=0,
        intake_on=timezone.localdate(),
        domains={"vrije_tijd": {"strengths": "Speelt in een band."}},
        glm_needs=["meesterschap"],
        youth_words="Ik wil muziek maken.",
    )
    response = client_en(coordinator).post(
        url(case), form_data(case, version=0, domain__vrije_tijd__strengths="Goede voetballer.")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved the intake while you were working" in html
    assert "Goede voetballer." in html  # the user's unsaved input is kept in the form
    assert "Speelt in een band." in html  # the other person's saved answer is shown beside it
    assert 'name="version" value="1"' in html  # a deliberate second save goes against the current version
    intake = Intake.objects.get(case=case)
    assert intake.version == 1
    assert intake.domains == {"vrije_tijd": {"strengths": "Speelt in een band."}}


def test_ot_member_partner_outsider_and_other_case_director_get_404(
    client_en, make_case, ot_member, partner, outsider, other_case_director, case_director, strategic
):
    case = make_case(S.INCLUDED, director=case_director)
    assert client_en(case_director).get(url(case)).status_code == 200
    for user in (ot_member, partner, outsider, other_case_director, strategic):
        assert client_en(user).get(url(case)).status_code == 404, user.username
        assert client_en(user).post(url(case), form_data(case, version=0)).status_code == 404, user.username
    assert not Intake.objects.filter(case=case, updated_by__in=[ot_member, partner, outsider]).exists()


def test_unknown_case_and_malformed_version_never_give_500(client_en, coordinator, make_case):
    import uuid

    assert client_en(coordinator).get(reverse("cases:intake", kwargs={"case_id": uuid.uuid4()})).status_code == 404
    assert client_en(coordinator).get("/dossiers/not-a-uuid/intake/").status_code == 404
    case = make_case(S.INTAKE)
    response = client_en(coordinator).post(url(case), form_data(case, version="abc", intake_on="31-02-2020"))
    assert response.status_code == 200
    assert not Intake.objects.filter(case=case).exists()


def test_closed_case_is_read_only(client_en, coordinator, make_case):
    case = make_case(S.CLOSED)
    html = client_en(coordinator).get(url(case)).content.decode()
    assert "no longer changed" in html
    assert "Save the intake" not in html
