"""The follow-up pages: contacts and rhythm, major events, signals and acknowledging, notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.models import Case
from ketenregie.followup import domain_notify
from ketenregie.followup.enums import SignalKind
from ketenregie.followup.models import (
    CaseCadence,
    FollowUpContact,
    MajorEvent,
    Notification,
    NotificationPreference,
    SignalAcknowledgement,
)
from tests.followup.conftest import S

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_case):
    return make_case(S.ACTIVE)


def contacts_url(case) -> str:
    return reverse("followup:contacts", kwargs={"case_id": case.pk})


def events_url(case) -> str:
    return reverse("followup:events", kwargs={"case_id": case.pk})


def contact_post(**fields) -> dict:
    moment = timezone.localtime() - timedelta(hours=1)
    return {
        "contact_at": moment.strftime("%Y-%m-%dT%H:%M"),
        "with_whom": "youth",
        "channel": "home_visit",
        "reached": "yes",
        "life_domains": ["werk_onderwijs"],
        "note": "Gaat weer naar school.",
        **fields,
    }


# --- Who may open the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["contacts", "events"])
def test_the_case_pages_are_for_the_coordinator_and_the_own_case_director(
    name, seen_by_ot_member, client_for, coordinator, case_director, other_case_director, ot_member, partner, outsider
):
    from ketenregie.consent import policy

    case = seen_by_ot_member()  # the OT member sees the case, not its follow-up
    assert policy.visible_cases(ot_member).filter(pk=case.pk).exists()
    url = reverse(f"followup:{name}", kwargs={"case_id": case.pk})
    assert client_for(case_director).get(url).status_code == 200
    assert client_for(coordinator).get(url).status_code == 200
    for someone in (other_case_director, ot_member, partner, outsider):
        assert client_for(someone).get(url).status_code == 404, someone
    missing = reverse(f"followup:{name}", kwargs={"case_id": "3f0e1a52-5b8e-4c64-9d1e-0b8f7c2a9e11"})
    assert client_for(case_director).get(missing).status_code == 404


# --- Contacts -----------------------------------------------------------------------------------------------


def test_the_quick_form_starts_with_now_the_youth_face_to_face_and_reached(case, client_for, case_director):
    response = client_for(case_director).get(contacts_url(case))
    form = response.context["form"]
    assert form.initial["with_whom"] == "youth"
    assert form.initial["channel"] == "face_to_face"
    assert form.initial["reached"] == "yes"
    assert abs(form.initial["contact_at"] - timezone.now()) < timedelta(minutes=2)
    html = response.content.decode()
    assert f'hx-post="{contacts_url(case)}"' in html
    assert "Log a contact" in html
    assert AuditEvent.objects.filter(action="case.viewed", case_id=case.pk, actor_id=case_director.pk).exists()


def test_logging_a_contact_redirects_and_lists_it_in_belgian_time(case, client_for, case_director):
    client = client_for(case_director)
    response = client.post(contacts_url(case), contact_post(positive_development="on"))
    assert response.status_code == 302
    contact = FollowUpContact.objects.get(case=case)
    assert contact.channel == "home_visit" and contact.reached and contact.positive_development
    assert contact.life_domains == ["werk_onderwijs"] and contact.created_by == case_director
    assert AuditEvent.objects.filter(action="followup.contact", case_id=case.pk).count() == 1
    page = client.get(contacts_url(case)).content.decode()
    assert timezone.localtime(contact.contact_at).strftime("%H:%M") in page
    assert "contact--positive" in page and "Positive development" in page
    assert "Werk/onderwijs" in page and "Gaat weer naar school." in page


def test_an_htmx_post_answers_the_partial_with_the_new_contact_and_a_fresh_form(case, client_for, case_director):
    response = client_for(case_director).post(
        contacts_url(case), contact_post(reached="no", note="Niet thuis."), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "followup/_contacts.html"
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="contacts"')
    assert "The contact is logged." in html and "Not reached" in html and "Niet thuis." in html
    assert "<html" not in html
    assert not response.context["form"].is_bound
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_the_same_submission_twice_logs_one_contact(case, client_for, case_director):
    client = client_for(case_director)
    key = client.get(contacts_url(case)).context["form"].initial["submission_key"]
    for _ in range(2):
        client.post(contacts_url(case), contact_post(submission_key=str(key)))
    assert FollowUpContact.objects.filter(case=case).count() == 1


def test_a_contact_in_the_future_is_refused_next_to_the_field(case, client_for, case_director):
    later = timezone.localtime() + timedelta(days=1)
    response = client_for(case_director).post(
        contacts_url(case), contact_post(contact_at=later.strftime("%Y-%m-%dT%H:%M"))
    )
    assert response.status_code == 200
    assert response.context["form"].errors["contact_at"] == ["A contact cannot be in the future."]
    assert 'id="id_contact_at_error"' in response.content.decode()
    assert not FollowUpContact.objects.filter(case=case).exists()


def test_a_closed_case_shows_no_form_and_refuses_a_contact(make_case, client_for, coordinator):
    case = make_case(S.CLOSED)
    page = client_for(coordinator).get(contacts_url(case))
    assert page.context["form"] is None
    assert "This case is closed: no contacts can be logged any more." in page.content.decode()
    response = client_for(coordinator).post(contacts_url(case), contact_post())
    assert response.status_code == 200
    assert "This case is closed and can no longer be changed." in response.context["form"].non_field_errors()
    assert not FollowUpContact.objects.filter(case=case).exists()


def test_a_contact_with_someone_from_the_network(case, client_for, case_director, school):
    from tests.followup.conftest import add_member

    member = add_member(case, case_director, organisation=school)
    response = client_for(case_director).post(
        contacts_url(case), contact_post(with_whom="network_member", network_member=str(member.pk))
    )
    assert response.status_code == 302
    assert FollowUpContact.objects.get(case=case).network_member == member


def test_without_a_network_the_network_choice_is_left_out(case, client_for, case_director):
    form = client_for(case_director).get(contacts_url(case)).context["form"]
    assert "network_member" not in form.fields
    assert "network_member" not in dict(form.fields["with_whom"].choices)


def test_the_contacts_page_takes_the_same_number_of_queries_for_1_and_15_contacts(
    case, client_for, case_director, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.followup.conftest import contact

    client = client_for(case_director)
    contact(case, case_director)
    client.get(contacts_url(case))  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(contacts_url(case))
    for _ in range(14):
        contact(case, case_director, reached=False)
    with CaptureQueriesContext(connection) as many:
        client.get(contacts_url(case))
    assert len(one) == len(many)


# --- Rhythm ---------------------------------------------------------------------------------------------------


def cadence_url(case) -> str:
    return reverse("followup:cadence", kwargs={"case_id": case.pk})


@pytest.mark.parametrize("days", ["0", "-2", "91"])
def test_a_cadence_outside_1_to_90_is_refused_next_to_the_field(case, client_for, case_director, days):
    response = client_for(case_director).post(cadence_url(case), {"days": days, "reason": "Anders"})
    assert response.status_code == 200
    assert response.context["cadence_form"].errors["days"] == ["The cadence is between 1 and 90 days."]
    assert response.context["cadence_open"]
    assert not CaseCadence.objects.filter(case=case).exists()


def test_a_cadence_needs_a_reason_and_empty_returns_to_the_chain_default(case, client_for, case_director, chain):
    client = client_for(case_director)
    refused = client.post(cadence_url(case), {"days": "14", "reason": ""})
    assert refused.context["cadence_form"].errors["reason"] == ["Give a reason for a different cadence."]

    assert client.post(cadence_url(case), {"days": "14", "reason": "Stabiel, werkt."}).status_code == 302
    assert CaseCadence.objects.get(case=case).days == 14
    page = client.get(contacts_url(case)).content.decode()
    assert "A contact every 14 days" in page and "Stabiel, werkt." in page

    assert client.post(cadence_url(case), {"days": "", "reason": ""}).status_code == 302
    assert not CaseCadence.objects.filter(case=case).exists()
    assert f"A contact every {chain.follow_up_cadence_days} days" in client.get(contacts_url(case)).content.decode()


def test_the_cadence_is_not_changed_by_get(case, client_for, case_director):
    assert client_for(case_director).get(cadence_url(case)).status_code == 405


# --- Major events ------------------------------------------------------------------------------------------------


def test_an_event_of_a_configured_kind_puts_the_case_on_the_next_ot_agenda_and_notifies_the_team(
    case, client_for, case_director, coordinator, builder
):
    meeting = builder.plan_meeting(starts_at=timezone.now() + timedelta(days=5))
    client = client_for(case_director)
    response = client.post(
        events_url(case),
        {
            "kind": "arrest",
            "occurred_on": timezone.localdate().isoformat(),
            "description": "Opgepakt na een vechtpartij.",
        },
        follow=True,
    )
    event = MajorEvent.objects.get(case=case)
    assert event.flagged_for_ot
    assert meeting.items.filter(case=case).exists()
    html = response.content.decode()
    assert "put the case on the agenda of the next OT meeting" in html
    assert "Put on the OT agenda" in html and "Opgepakt na een vechtpartij." in html
    # The coordinator hears of it; the case director did it and needs no notification.
    assert list(Notification.objects.values_list("user__username", "kind")) == [("coordinator", "event_flagged")]


def test_an_event_of_another_kind_is_only_saved(case, client_for, case_director):
    response = client_for(case_director).post(
        events_url(case), {"kind": "move", "occurred_on": timezone.localdate().isoformat()}, follow=True
    )
    assert "The event is saved." in response.content.decode()
    assert not MajorEvent.objects.get(case=case).flagged_for_ot
    assert not Case.objects.get(pk=case.pk).flagged_for_ot
    assert not Notification.objects.exists()


def test_an_event_in_the_future_is_refused_next_to_the_date(case, client_for, case_director):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(case_director).post(events_url(case), {"kind": "crisis", "occurred_on": tomorrow.isoformat()})
    assert response.context["form"].errors["occurred_on"] == ["The date cannot be in the future."]
    assert not MajorEvent.objects.exists()


# --- Signals ------------------------------------------------------------------------------------------------------


@pytest.fixture
def overdue(make_case, other_case_director):
    """Two active cases, one of each case director, both without contact for 40 days."""
    from freezegun import freeze_time

    with freeze_time(timezone.now() - timedelta(days=40)):
        mine = make_case(S.ACTIVE)
        theirs = make_case(S.ACTIVE, director=other_case_director)
    return mine, theirs


def test_the_signals_page_shows_my_signals_grouped_by_severity(overdue, client_for, case_director):
    mine, theirs = overdue
    response = client_for(case_director).get(reverse("followup:signals"))
    html = response.content.decode()
    shown = [i["signal"] for g in response.context["groups"] for i in g["items"]]
    assert {s.case_id for s in shown} == {mine.pk}
    assert {s.kind for s in shown} >= {SignalKind.OUT_OF_VIEW, SignalKind.CONTACT_OVERDUE}
    assert [g["severity"] for g in response.context["groups"]] == sorted(
        g["severity"] for g in response.context["groups"]
    )
    assert "Act now" in html and mine.reference in html and theirs.reference not in html
    assert reverse("followup:contacts", kwargs={"case_id": mine.pk}) in html  # the action that clears it
    audit = AuditEvent.objects.filter(action="followup.signals_listed").last()
    assert audit.details == {"count": len(shown)}


def test_the_coordinator_sees_every_signal_of_the_chain_and_filters_by_kind_and_case(overdue, client_for, coordinator):
    mine, theirs = overdue
    client = client_for(coordinator)
    every = client.get(reverse("followup:signals")).context
    assert {i["signal"].case_id for g in every["groups"] for i in g["items"]} == {mine.pk, theirs.pk}
    by_kind = client.get(reverse("followup:signals"), {"kind": "out_of_view"}).context
    assert {i["signal"].kind for g in by_kind["groups"] for i in g["items"]} == {"out_of_view"}
    by_case = client.get(reverse("followup:signals"), {"case": str(theirs.pk)}).context
    assert {i["signal"].case_id for g in by_case["groups"] for i in g["items"]} == {theirs.pk}
    ignored = client.get(reverse("followup:signals"), {"kind": "nonsense", "case": "x"}).context
    assert ignored["shown"] == every["shown"]


def test_acknowledging_a_signal_hides_it_and_says_it_comes_back(
    overdue, client_for, case_director, django_capture_on_commit_callbacks
):
    mine, _theirs = overdue
    client = client_for(case_director)
    first = client.get(reverse("followup:signals")).context["groups"][0]["items"][0]["signal"]
    # Committed, as a request is: the chain's cached signals (the case director's own too) are renewed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("followup:acknowledge"),
            {"key": first.key, "note": "Huisbezoek morgen.", "next": reverse("followup:signals")},
        )
    assert response.status_code == 302
    response = client.get(response["Location"])
    ack = SignalAcknowledgement.objects.get(key=first.key)
    assert ack.note == "Huisbezoek morgen." and ack.acknowledged_by == case_director
    html = response.content.decode()
    assert "stays quiet until" in html and "the signal comes back" in html
    assert first.key not in {i["signal"].key for g in response.context["groups"] for i in g["items"]}


def test_a_signal_of_someone_elses_case_cannot_be_acknowledged(overdue, client_for, case_director, coordinator):
    _mine, theirs = overdue
    key = next(
        i["signal"].key
        for g in client_for(coordinator).get(reverse("followup:signals")).context["groups"]
        for i in g["items"]
        if i["signal"].case_id == theirs.pk
    )
    assert client_for(case_director).post(reverse("followup:acknowledge"), {"key": key}).status_code == 404
    assert not SignalAcknowledgement.objects.exists()


def test_acknowledging_is_post_only_and_an_outside_next_is_ignored(overdue, client_for, case_director):
    client = client_for(case_director)
    assert client.get(reverse("followup:acknowledge")).status_code == 405
    key = client.get(reverse("followup:signals")).context["groups"][0]["items"][0]["signal"].key
    response = client.post(reverse("followup:acknowledge"), {"key": key, "next": "https://evil.example/"})
    assert response["Location"] == reverse("followup:signals")


def test_an_ot_member_is_told_signals_are_not_for_them(client_for, ot_member):
    html = client_for(ot_member).get(reverse("followup:signals")).content.decode()
    assert "Signals are for case directors" in html


# --- Notifications ---------------------------------------------------------------------------------------------------


def test_a_notification_shows_its_text_only_while_the_case_is_visible(
    case, client_for, case_director, other_case_director
):
    url = reverse("cases:case_detail", kwargs={"case_id": case.pk})
    domain_notify.notify(case_director, "event_flagged", case, url)
    domain_notify.notify(other_case_director, "event_flagged", case, url)  # a case they cannot see

    mine = client_for(case_director).get(reverse("followup:notifications")).content.decode()
    assert case.reference in mine and case.youth.full_name in mine
    theirs = client_for(other_case_director).get(reverse("followup:notifications")).content.decode()
    assert "no longer have access" in theirs
    assert case.reference not in theirs and case.youth.first_name not in theirs


def test_opening_a_notification_marks_it_read_and_follows_its_link(
    case, client_for, case_director, other_case_director
):
    url = reverse("cases:case_detail", kwargs={"case_id": case.pk})
    n = domain_notify.notify(case_director, "event_flagged", case, url)
    response = client_for(case_director).post(reverse("followup:notification_open"), {"notification": n.pk})
    assert response["Location"] == url
    n.refresh_from_db()
    assert n.read_at is not None
    other = domain_notify.notify(other_case_director, "event_flagged", case, url)
    refused = client_for(other_case_director).post(reverse("followup:notification_open"), {"notification": other.pk})
    assert refused["Location"] == reverse("followup:notifications")
    # Someone else's notification is not found at all.
    assert (
        client_for(case_director).post(reverse("followup:notification_open"), {"notification": other.pk}).status_code
        == 404
    )


def test_mark_all_read(case, client_for, case_director):
    for _ in range(3):
        domain_notify.notify(case_director, "event_flagged", case, "/")
    client_for(case_director).post(reverse("followup:notification_read"), {"all": "1"})
    assert not Notification.objects.filter(user=case_director, read_at__isnull=True).exists()


def test_a_notification_only_links_inside_the_site(case, case_director):
    with pytest.raises(ValueError):
        domain_notify.notify(case_director, "event_flagged", case, "https://evil.example/")
    with pytest.raises(ValueError):
        domain_notify.notify(case_director, "made_up", case, "/")


def test_the_digest_preference_is_saved_and_audited(client_for, case_director):
    client = client_for(case_director)
    assert client.get(reverse("followup:preferences")).context["form"].initial["digest"] == "weekly"
    assert client.post(reverse("followup:preferences"), {"digest": "daily"}).status_code == 302
    assert NotificationPreference.objects.get(user=case_director).digest == "daily"
    assert AuditEvent.objects.filter(
        action="account.changed", actor_id=case_director.pk, details__digest="daily"
    ).exists()
    refused = client.post(reverse("followup:preferences"), {"digest": "hourly"})
    assert refused.status_code == 200 and refused.context["form"].errors["digest"]
