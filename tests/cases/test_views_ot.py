"""OT pages: meetings, the agenda as each role sees it, decisions (with htmx and conflicts), attendance,
minutes and the legal-basis register."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ketenregie.accounts.enums import Role
from ketenregie.audit.models import AuditEvent
from ketenregie.cases.enums import CaseStatus, LegalBasisKind, OTDecision
from ketenregie.cases.models import Case, LegalBasis, OTAgendaItem, OTAttendance, OTMeeting
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import Consent
from tests.conftest import _member

S = CaseStatus
SUBSIDIARITY = "Geen reguliere dienst kan alle levensdomeinen samen opnemen."


@pytest.fixture
def client_en(client_for):
    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def detail_url(meeting) -> str:
    return reverse("cases:ot_detail", kwargs={"meeting_id": meeting.pk})


def decide_url(item) -> str:
    return reverse("cases:ot_decide", kwargs={"item_id": item.pk})


def decision_post(item, **fields) -> dict:
    prefix = f"item-{item.pk}-"
    data = {"version": str(item.version)}
    data.update(fields)
    return {prefix + key: (value if isinstance(value, list) else str(value)) for key, value in data.items()}


@pytest.fixture
def agenda(make_case, builder, coordinator, ot_member):
    """A meeting an hour ago, attended by the coordinator and the OT member, with one new case on it."""
    case = make_case(S.AWAITING_OT)
    meeting = builder.plan_meeting(attendees=[coordinator, ot_member])
    return meeting, meeting.items.get(case=case)


# --- Decisions -----------------------------------------------------------------------------------


def test_include_decision_assigns_the_case_director(client_en, coordinator, case_director, agenda):
    meeting, item = agenda
    response = client_en(coordinator).post(
        decide_url(item),
        decision_post(
            item,
            decision="include",
            chosen_case_director=case_director.pk,
            guideline="Start.",
            subsidiarity=SUBSIDIARITY,
        ),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"{detail_url(meeting)}#item-{item.pk}")
    case = Case.objects.get(pk=item.case_id)
    assert case.status == S.INCLUDED
    assert case.case_director == case_director
    assert OTAgendaItem.objects.get(pk=item.pk).decision == OTDecision.INCLUDE


def test_missing_subsidiarity_is_shown_on_the_item_and_nothing_is_decided(
    client_en, coordinator, case_director, agenda
):
    meeting, item = agenda
    response = client_en(coordinator).post(
        decide_url(item), decision_post(item, decision="include", chosen_case_director=case_director.pk)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Motivate why no regular structure can take the case (subsidiarity)." in html
    assert html.count("<h1") == 1  # without JS the whole agenda page comes back
    assert OTAgendaItem.objects.get(pk=item.pk).decision == ""


def test_second_decision_with_the_same_version_gets_the_conflict_and_the_first_stays(
    client_en, coordinator, agenda, chain, case_director
):
    second_coordinator = _member(
        "coordinator2", chain, Role.OPERATIONAL_COORDINATOR, first_name="Jan", last_name="Smets"
    )
    meeting, item = agenda  # both coordinators have the page with this item at the same version open
    first = client_en(coordinator).post(
        decide_url(item), decision_post(item, decision="not_include", advice="Contacteer het CAW.")
    )
    assert first.status_code == 302
    second = client_en(second_coordinator).post(
        decide_url(item),
        decision_post(item, decision="include", chosen_case_director=case_director.pk, subsidiarity=SUBSIDIARITY),
    )
    html = second.content.decode()
    assert second.status_code == 200
    assert "Another coordinator recorded a decision in the meantime" in html
    assert "Your decision, not saved: Include." in html
    assert "Contacteer het CAW." in html  # the recorded decision is shown
    stored = OTAgendaItem.objects.get(pk=item.pk)
    assert stored.decision == OTDecision.NOT_INCLUDE
    assert stored.decided_by == coordinator
    assert stored.advice == "Contacteer het CAW."
    assert Case.objects.get(pk=item.case_id).status == S.NOT_INCLUDED
    assert AuditEvent.objects.filter(action="ot.decided", object_id=str(item.pk)).count() == 1


def test_htmx_gets_just_the_item_partial(client_en, coordinator, agenda):
    meeting, item = agenda
    park = timezone.localdate() + timedelta(days=30)
    response = client_en(coordinator).post(
        decide_url(item), decision_post(item, decision="park", park_until=park.isoformat()), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<h1" not in html
    assert f'id="item-{item.pk}"' in html
    assert "The decision is recorded." in html
    assert 'id="open-items"' in html and 'hx-swap-oob="true"' in html
    assert OTAgendaItem.objects.get(pk=item.pk).park_until == park


def test_htmx_conflict_comes_back_in_the_partial(client_en, coordinator, agenda):
    meeting, item = agenda
    stale = decision_post(item, decision="not_include", advice="Eerste advies.")
    client_en(coordinator).post(decide_url(item), stale)
    response = client_en(coordinator).post(
        decide_url(item), decision_post(item, decision="not_include", advice="Tweede advies."), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Another coordinator recorded a decision in the meantime" in html
    assert "Eerste advies." in html
    assert OTAgendaItem.objects.get(pk=item.pk).advice == "Eerste advies."


def test_ot_member_cannot_decide_and_outsider_gets_404(client_en, agenda, ot_member, outsider, case_director):
    meeting, item = agenda
    data = decision_post(item, decision="not_include", advice="x")
    assert client_en(ot_member).post(decide_url(item), data).status_code == 403
    assert client_en(outsider).post(decide_url(item), data).status_code == 404
    assert client_en(case_director).post(decide_url(item), data).status_code == 404
    assert client_en(ot_member).get(decide_url(item)).status_code == 405
    assert OTAgendaItem.objects.get(pk=item.pk).decision == ""


def test_garbage_decision_input_never_gives_500(client_en, coordinator, agenda):
    meeting, item = agenda
    response = client_en(coordinator).post(
        decide_url(item), decision_post(item, decision="explode", version="x", park_until="2020-13-45")
    )
    assert response.status_code == 200
    assert client_en(coordinator).post(f"/ot/punten/{uuid.uuid4()}/beslissing/", {}).status_code == 404
    assert client_en(coordinator).post("/ot/punten/nope/beslissing/", {}).status_code == 404


# --- The agenda as each role sees it -------------------------------------------------------------


def test_coordinator_sees_dossier_summary_playbook_and_decision_form(client_en, coordinator, agenda):
    meeting, item = agenda
    html = client_en(coordinator).get(detail_url(meeting)).content.decode()
    case = item.case
    assert html.count("<h1") == 1
    assert case.youth.full_name in html and case.reference in html and case.multi_problem in html
    assert "Inspecteur Wouters" in html  # the referrer
    assert meeting.chain.playbook_text("ot")[:40] in html
    form_url = reverse("cases:ot_decision_form", kwargs={"item_id": item.pk})
    assert f'hx-get="{form_url}"' in html and f'href="{form_url}#item-{item.pk}"' in html
    assert f'hx-post="{decide_url(item)}"' not in html  # the form comes when the coordinator opens it
    viewed = AuditEvent.objects.get(action="ot.meeting_viewed", object_id=str(meeting.pk), actor_id=coordinator.pk)
    assert viewed.details["cases"] == [str(case.pk)]


def test_ot_member_sees_details_only_after_acknowledging_confidentiality(client_en, ot_member, agenda):
    meeting, item = agenda
    member = client_en(ot_member)
    before = member.get(detail_url(meeting)).content.decode()
    assert item.case.youth.full_name not in before
    assert "once you acknowledge confidentiality" in before
    assert "Record the decision" not in before and "Record a decision" not in before

    response = member.post(
        reverse("cases:ot_attendance", kwargs={"meeting_id": meeting.pk}), {"attendee": str(ot_member.pk)}
    )
    assert response.status_code == 302
    attendance = OTAttendance.objects.get(meeting=meeting, user=ot_member)
    assert attendance.confidentiality_acknowledged_at is not None and attendance.present

    after = member.get(detail_url(meeting)).content.decode()
    assert item.case.youth.full_name in after
    assert item.case.multi_problem in after
    assert "Record the decision" not in after and "Record a decision" not in after
    assert "Acknowledged on" in after


def test_ot_member_sees_no_details_of_a_case_without_ot_consent(client_en, ot_member, agenda, builder, make_case):
    meeting, item = agenda
    client_en(ot_member).post(
        reverse("cases:ot_attendance", kwargs={"meeting_id": meeting.pk}), {"attendee": str(ot_member.pk)}
    )
    Consent.objects.filter(case_id=item.case_id, kind=ConsentKind.OT_DISCUSSION, given_by=GivenBy.YOUTH).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )  # set-up: the youth's OT consent has expired
    html = client_en(ot_member).get(detail_url(meeting)).content.decode()
    assert "No consent for OT discussion" in html
    assert item.case.youth.full_name not in html
    assert item.case.reference not in html


def test_attendance_for_someone_else_is_for_coordinators_only(client_en, coordinator, ot_member, agenda):
    meeting, item = agenda
    target = reverse("cases:ot_attendance", kwargs={"meeting_id": meeting.pk})
    assert client_en(ot_member).post(target, {"attendee": str(coordinator.pk)}).status_code == 403
    assert OTAttendance.objects.get(meeting=meeting, user=coordinator).confidentiality_acknowledged_at is None
    assert client_en(coordinator).post(target, {"attendee": str(ot_member.pk)}).status_code == 302
    assert OTAttendance.objects.get(meeting=meeting, user=ot_member).confidentiality_acknowledged_at is not None
    assert client_en(coordinator).get(target).status_code == 405
    assert client_en(coordinator).post(target, {"attendee": "nonsense"}).status_code == 302  # message, no 500


def test_meeting_pages_are_404_outside(client_en, agenda, outsider, case_director, partner):
    meeting, item = agenda
    for user in (outsider, case_director, partner):
        for name in ("ot_detail", "ot_minutes_pdf"):
            assert client_en(user).get(reverse(f"cases:{name}", kwargs={"meeting_id": meeting.pk})).status_code == 404
        assert client_en(user).post(reverse("cases:ot_refresh", kwargs={"meeting_id": meeting.pk})).status_code == 404
    assert client_en(outsider).get(f"/ot/{uuid.uuid4()}/").status_code == 404


def test_ot_member_who_does_not_attend_gets_404(client_en, make_case, builder, chain, caw):
    other_member = _member("ot-caw", chain, Role.OT_MEMBER, caw)
    make_case(S.AWAITING_OT)
    meeting = builder.plan_meeting(attendees=[])
    assert client_en(other_member).get(detail_url(meeting)).status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "ot_member"])
def test_agenda_page_query_count_does_not_grow_with_the_items(
    client_en, make_case, builder, coordinator, ot_member, who
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(meeting) -> int:
        client = client_en(coordinator if who == "coordinator" else ot_member)
        client.post(reverse("cases:ot_attendance", kwargs={"meeting_id": meeting.pk}), {"attendee": str(ot_member.pk)})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(detail_url(meeting))
        assert response.status_code == 200
        return len(captured)

    make_case(S.AWAITING_OT)
    small = builder.plan_meeting(attendees=[coordinator, ot_member])
    one = queries(small)
    make_case(S.AWAITING_OT)
    make_case(S.AWAITING_OT)
    OTAgendaItem.objects.filter(meeting=small).delete()  # set-up: the next meeting takes all three
    big = builder.plan_meeting(attendees=[coordinator, ot_member])
    assert big.items.count() == 3
    assert queries(big) == one


# --- List, create, refresh, held, minutes ---------------------------------------------------------


def test_meeting_list_upcoming_first_with_item_counts(client_en, coordinator, ot_member, make_case, builder):
    make_case(S.AWAITING_OT)
    later = builder.plan_meeting(starts_at=timezone.now() + timedelta(days=20), attendees=[ot_member])
    sooner = builder.plan_meeting(starts_at=timezone.now() + timedelta(days=5), attendees=[])
    html = client_en(coordinator).get(reverse("cases:ot_list")).content.decode()
    assert html.count("<h1") == 1
    assert html.index(detail_url(sooner)) < html.index(detail_url(later))
    assert "1 case" in html
    member_html = client_en(ot_member).get(reverse("cases:ot_list")).content.decode()
    assert detail_url(later) in member_html and detail_url(sooner) not in member_html


def test_meeting_list_is_404_without_an_ot_role(client_en, case_director, partner):
    for user in (case_director, partner):
        assert client_en(user).get(reverse("cases:ot_list")).status_code == 404


def test_create_without_a_valid_basis_links_to_the_register(client_en, coordinator, chain):
    html = client_en(coordinator).get(reverse("cases:ot_create")).content.decode()
    assert "No valid legal basis" in html
    assert reverse("cases:legal_basis", kwargs={"chain_slug": chain.slug}) in html
    assert 'name="starts_at"' not in html


def test_create_plans_the_meeting_with_its_agenda(client_en, coordinator, ot_member, legal_basis, make_case):
    case = make_case(S.AWAITING_OT)
    expired = LegalBasis.objects.create(
        chain=legal_basis.chain,
        kind=LegalBasisKind.PROSECUTOR,
        reference="Oud parket-akkoord",
        dated=date(2018, 1, 1),
        valid_from=date(2018, 1, 1),
        valid_until=date(2019, 1, 1),
        purpose="x",
    )  # set-up: an expired entry the select must not offer
    client = client_en(coordinator)
    html = client.get(reverse("cases:ot_create")).content.decode()
    assert legal_basis.reference in html and expired.reference not in html
    starts = timezone.localtime(timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("cases:ot_create"),
        {
            "keten": legal_basis.chain.slug,
            "starts_at": starts,
            "location": "Stadhuis",
            "legal_basis": str(legal_basis.pk),
            "attendees": [str(coordinator.pk), str(ot_member.pk)],
            "submission_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    meeting = OTMeeting.objects.get()
    assert list(meeting.items.values_list("case_id", flat=True)) == [case.pk]
    assert meeting.attendances.count() == 2


def test_create_is_404_for_ot_members(client_en, ot_member):
    assert client_en(ot_member).get(reverse("cases:ot_create")).status_code == 404


def test_refresh_adds_cases_that_became_ready(client_en, coordinator, make_case, builder):
    meeting = builder.plan_meeting(starts_at=timezone.now() + timedelta(days=3))
    case = make_case(S.AWAITING_OT)  # ready after the meeting was planned (it joins the next meeting at once)
    OTAgendaItem.objects.filter(meeting=meeting, case=case).delete()  # set-up: as if planned before that
    response = client_en(coordinator).post(reverse("cases:ot_refresh", kwargs={"meeting_id": meeting.pk}), follow=True)
    assert "1 case was added to the agenda." in response.content.decode()
    assert meeting.items.filter(case=case).exists()


def test_mark_held_needs_an_acknowledged_attendee(client_en, coordinator, agenda):
    meeting, item = agenda
    client = client_en(coordinator)
    target = reverse("cases:ot_held", kwargs={"meeting_id": meeting.pk})
    response = client.post(target, {"notes": "Goed overleg."})
    assert response.status_code == 200
    assert "each attendee acknowledges confidentiality" in response.content.decode()
    assert OTMeeting.objects.get(pk=meeting.pk).status == "planned"
    client.post(reverse("cases:ot_attendance", kwargs={"meeting_id": meeting.pk}), {"attendee": str(coordinator.pk)})
    assert client.post(target, {"notes": "Goed overleg."}).status_code == 302
    held = OTMeeting.objects.get(pk=meeting.pk)
    assert held.status == "held" and held.notes == "Goed overleg."


def test_minutes_pdf_for_coordinator_and_attendee(client_en, coordinator, ot_member, agenda):
    meeting, item = agenda
    for user in (coordinator, ot_member):
        response = client_en(user).get(reverse("cases:ot_minutes_pdf", kwargs={"meeting_id": meeting.pk}))
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF-")
        assert response["Content-Disposition"].startswith('attachment; filename="ot-verslag-')
    assert AuditEvent.objects.filter(action="case.document_downloaded", object_id=str(meeting.pk)).count() == 2


# --- Legal-basis register ---------------------------------------------------------------------------


def test_register_lists_entries_with_their_status(client_en, coordinator, legal_basis, chain):
    LegalBasis.objects.create(
        chain=chain,
        kind=LegalBasisKind.PROSECUTOR,
        reference="PG/2019/17",
        dated=date(2019, 1, 1),
        valid_from=date(2019, 1, 1),
        valid_until=date(2019, 12, 31),
        purpose="Proef",
    )  # set-up: an expired entry
    html = client_en(coordinator).get(reverse("cases:legal_basis", kwargs={"chain_slug": chain.slug})).content.decode()
    assert html.count("<h1") == 1
    assert "458ter" in html
    assert legal_basis.reference in html and "PG/2019/17" in html
    assert "Valid" in html and "Expired" in html


def test_register_create_goes_through_the_domain(client_en, coordinator, chain, police):
    target = reverse("cases:legal_basis_create", kwargs={"chain_slug": chain.slug})
    client = client_en(coordinator)
    bad = client.post(
        target,
        {
            "kind": "decree",
            "reference": "Decreet",
            "dated": "2024-01-01",
            "valid_from": "2024-06-01",
            "valid_until": "2024-01-01",
            "purpose": "Casusoverleg",
            "organisations": [str(police.pk)],
        },
    )
    assert "The end of validity lies before its start." in bad.content.decode()
    assert not LegalBasis.objects.exists()
    good = client.post(
        target,
        {
            "kind": "decree",
            "reference": "Decreet",
            "dated": "2024-01-01",
            "valid_from": "2024-01-01",
            "purpose": "Casusoverleg",
            "organisations": [str(police.pk)],
        },
    )
    assert good.status_code == 302
    basis = LegalBasis.objects.get()
    assert list(basis.authorised_organisations.all()) == [police]
    assert AuditEvent.objects.filter(action="legal_basis.changed").count() == 1


def test_register_is_404_for_others(client_en, ot_member, case_director, outsider, chain, other_chain):
    for user in (ot_member, case_director, outsider):
        assert client_en(user).get(reverse("cases:legal_basis", kwargs={"chain_slug": chain.slug})).status_code == 404
        assert (
            client_en(user).get(reverse("cases:legal_basis_create", kwargs={"chain_slug": chain.slug})).status_code
            == 404
        )
    assert (
        client_en(outsider).get(reverse("cases:legal_basis", kwargs={"chain_slug": other_chain.slug})).status_code
        == 200
    )
