"""Retention (SECURITY.md L5): ended cases pseudonymised after the chain's period, with a frozen clock.

The case is built and closed on 10 March 2020; with the default five years it is due on 10 March
2025, not on 9 March. Legal holds and restrictions keep a case as it is; reporting figures stay.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from freezegun import freeze_time

from ketenregie.audit.domain import verify_chain
from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain as cases_domain
from ketenregie.cases import workflow
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case, Guardian, Offence, Youth
from ketenregie.consent.models import BreakGlassAccess, Consent
from ketenregie.followup.models import FollowUpContact, IntervisionAdvice, MajorEvent, Notification
from ketenregie.meetings.models import MeetingAttendance, NetworkMeeting
from ketenregie.network.models import NetworkMember, OffenceGroup
from ketenregie.plans.models import Action, Goal, PlanDomain, PlanVersion
from ketenregie.privacy import domain as privacy
from ketenregie.privacy import retention
from ketenregie.privacy.models import Pseudonymisation
from ketenregie.privacy.registry import case_sections
from tests.plans.fixtures import close
from tests.privacy.conftest import CANARY

CLOSED_ON = date(2020, 3, 10)
DUE_ON = date(2025, 3, 10)


@pytest.fixture
def clock():
    # Load the URLs (and with them the API's pydantic schemas) before the clock freezes: pydantic
    # cannot build a schema for freezegun's fake date class.
    reverse("home")
    with freeze_time("2020-03-10 10:00:00", tick=False) as frozen:
        yield frozen


@pytest.fixture
def closed_case(clock, full_case, coordinator):
    """The full case, closed on 10 March 2020."""
    close(full_case, coordinator)
    case = Case.objects.select_related("youth", "chain").get(pk=full_case.pk)
    assert case.closed_on == CLOSED_ON
    return case


def _counts(case) -> dict:
    return {s.key: s.rows(case).count() for s in case_sections()}


def _run(day: date):
    with freeze_time(f"{day.isoformat()} 03:00:00"):
        return retention.apply_retention()


def test_the_day_before_the_period_ends_nothing_changes(closed_case):
    plans = _run(DUE_ON - timedelta(days=1))

    assert [p.due_references for p in plans] == [[]]
    youth = Youth.objects.get(pk=closed_case.youth_id)
    assert youth.first_name == closed_case.youth.first_name
    assert not Pseudonymisation.objects.exists()


@pytest.mark.parametrize("day", [DUE_ON, DUE_ON + timedelta(days=1)], ids=["on-the-day", "the-day-after"])
def test_from_the_day_the_period_ends_the_case_is_pseudonymised(
    closed_case, private_media, day, django_capture_on_commit_callbacks
):
    youth = closed_case.youth
    document = Consent.objects.get(case=closed_case, kind="sharing").document.name
    assert (private_media / document).is_file()
    figures = _counts(closed_case)

    with django_capture_on_commit_callbacks(execute=True):
        plans = _run(day)

    assert plans[0].due_references == [closed_case.reference]
    case = Case.objects.get(pk=closed_case.pk)
    # Kept for reports: status, dates, codes and counts.
    assert (case.status, case.closed_on, case.registered_on, case.reference) == (
        CaseStatus.CLOSED,
        CLOSED_ON,
        closed_case.registered_on,
        closed_case.reference,
    )
    assert case.closure_reason == closed_case.closure_reason and case.framework == closed_case.framework
    assert {k: v for k, v in _counts(case).items() if k not in ("notifications", "pseudonymisation")} == {
        k: v for k, v in figures.items() if k not in ("notifications", "pseudonymisation")
    }
    # Removed: names, birth date (year kept), contact details, free texts.
    y = Youth.objects.get(pk=youth.pk)
    assert y.first_name == "#" + str(youth.pk).replace("-", "")[:8] and y.last_name == "" and y.search_name == ""
    assert y.birth_date == date(youth.birth_date.year, 7, 1)
    assert (y.postal_code, y.municipality, y.gender) == (youth.postal_code, youth.municipality, youth.gender)
    assert (case.referrer_name, case.multi_problem, case.trusted_person_name, case.closure_summary) == ("", "", "", {})
    assert case.referrer_organisation_id == closed_case.referrer_organisation_id
    assert set(Guardian.objects.filter(case=case).values_list("name", "phone", "email")) == {("", "", "")}
    assert Guardian.objects.filter(case=case).values_list("relation", flat=True).first() == "mother"
    assert set(Offence.objects.filter(case=case).values_list("description", flat=True)) == {""}
    assert Offence.objects.filter(case=case).values_list("offence_type", flat=True).first() == "diefstal"
    assert all(
        not m.name and not m.phone and not m.email and not m.notes for m in NetworkMember.objects.filter(case=case)
    )
    assert all(not d.situation and not d.strengths and not d.risks for d in PlanDomain.objects.filter(plan__case=case))
    assert set(Goal.objects.filter(plan_domain__plan__case=case).values_list("text", flat=True)) == {""}
    assert set(Action.objects.filter(case=case).values_list("what", flat=True)) == {""}
    assert set(Action.objects.filter(case=case).values_list("status", flat=True)) <= {
        "planned",
        "running",
        "done",
        "stopped",
    }
    assert all(v.snapshot == {} for v in PlanVersion.objects.filter(plan__case=case))
    meeting = NetworkMeeting.objects.get(case=case)
    assert (meeting.minutes, meeting.information_shared, meeting.location, meeting.agenda) == ("", "", "", "")
    assert meeting.youth_attended and meeting.status == "held"
    assert set(MeetingAttendance.objects.filter(meeting=meeting).values_list("name", flat=True)) == {""}
    assert set(FollowUpContact.objects.filter(case=case).values_list("note", flat=True)) == {""}
    assert set(MajorEvent.objects.filter(case=case).values_list("description", flat=True)) == {""}
    assert set(IntervisionAdvice.objects.filter(case=case).values_list("advice", flat=True)) == {""}
    assert set(BreakGlassAccess.objects.filter(case=case).values_list("reason", flat=True)) == {""}
    assert not Notification.objects.filter(case=case).exists()
    from django.apps import apps

    if apps.is_installed("ketenregie.portal"):
        from ketenregie.portal.models import PortalAccess

        account = PortalAccess.objects.get(case=case).user
        assert (account.first_name, account.email, account.is_active, account.has_usable_password()) == (
            "",
            "",
            False,
            False,
        )
    group = OffenceGroup.objects.get(members__case=case)
    assert group.name.startswith("#") and group.dynamics == ""
    # Documents: gone from the database and from storage.
    consent = Consent.objects.get(case=case, kind="sharing")
    assert (consent.document.name, consent.document_name, consent.given_by_name) == ("", "", "")
    assert consent.document_type == "application/pdf" and consent.signed_on == CLOSED_ON
    assert not [p for p in private_media.rglob("*") if p.is_file()]
    # Nothing personal survives in the case's data, as the youth's own export shows.
    text = privacy.export_subject(actor=None, youth=y, fmt="json").to_json_bytes().decode()
    for personal in (CANARY, youth.first_name, youth.last_name, "Nathalie Willems", "Fatima", "Coach Marc", "jens@"):
        assert personal not in text
    assert "Lotte Janssens" in text  # the professionals who did the work stay accountable


def test_the_run_is_audited_without_content_and_the_audit_chain_holds(closed_case):
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    _run(DUE_ON)

    events = AuditEvent.objects.filter(id__gt=mark).order_by("id")
    case_event = events.get(action="privacy.case_pseudonymised")
    assert (case_event.case_id, case_event.actor_id, case_event.result) == (closed_case.pk, None, "ok")
    assert case_event.details["ended_on"] == "2020-03-10" and case_event.details["retention_years"] == 5
    assert case_event.details["removed"]["documents"] == 1 and case_event.details["removed"]["youth"] == 1
    run = events.get(action="privacy.retention_run")
    assert run.details["cases"] == 1 and run.chain_id == closed_case.chain_id
    dump = json.dumps(list(events.values("details", "reason", "object_id")), default=str)
    assert closed_case.youth.first_name not in dump and CANARY not in dump
    assert verify_chain().ok


def test_a_second_run_changes_nothing(closed_case):
    _run(DUE_ON)
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    plans = _run(DUE_ON + timedelta(days=30))

    assert plans[0].due_references == []
    assert not AuditEvent.objects.filter(id__gt=mark, action__startswith="privacy.").exists()


def test_a_legal_hold_keeps_the_case_until_it_ends(closed_case, coordinator, clock):
    privacy.place_legal_hold(actor=coordinator, case=closed_case, reason="Procedure.", until=date(2025, 6, 30))

    held = _run(DUE_ON)
    assert (held[0].due_references, held[0].held) == ([], [closed_case.reference])
    assert Youth.objects.get(pk=closed_case.youth_id).last_name == closed_case.youth.last_name

    assert _run(date(2025, 6, 30))[0].held == [closed_case.reference]  # the last day of the hold
    assert _run(date(2025, 7, 1))[0].due_references == [closed_case.reference]
    assert Youth.objects.get(pk=closed_case.youth_id).last_name == ""


def test_a_hold_without_end_keeps_the_case_until_lifted(closed_case, coordinator):
    hold = privacy.place_legal_hold(actor=coordinator, case=closed_case, reason="Klacht.")
    assert _run(DUE_ON + timedelta(days=400))[0].held == [closed_case.reference]
    privacy.lift_legal_hold(actor=coordinator, hold=hold)
    assert _run(DUE_ON + timedelta(days=401))[0].due_references == [closed_case.reference]


def test_a_restricted_case_is_not_pseudonymised(closed_case, coordinator):
    privacy.restrict_case(actor=coordinator, case=closed_case, reason="De jongere wil de gegevens bewaren.")

    plans = _run(DUE_ON)

    assert (plans[0].due_references, plans[0].restricted) == ([], [closed_case.reference])
    assert not Pseudonymisation.objects.exists()


def test_the_chain_sets_the_period(closed_case):
    chain = closed_case.chain
    chain.retention_years = 2
    chain.save(update_fields=["retention_years"])

    assert _run(date(2022, 3, 9))[0].due_references == []
    assert _run(date(2022, 3, 10))[0].due_references == [closed_case.reference]


def test_the_youth_keeps_a_name_while_another_case_of_theirs_is_open(closed_case, coordinator, chain, police, clock):
    youth = closed_case.youth
    clock.move_to("2024-01-15 10:00:00")
    again = cases_domain.register_case(
        actor=coordinator,
        chain=chain,
        previous_case=closed_case,
        data=cases_domain.RegistrationData(
            youth=cases_domain.YouthData(youth.first_name, youth.last_name, youth.birth_date, "3600", "Genk"),
            referrer_kind="organisation",
            referrer_organisation=police,
            referrer_name="Inspecteur",
            registered_on=date(2024, 1, 15),
            youth_informed_on=date(2024, 1, 10),
            parents_informed_on=date(2024, 1, 10),
            multi_problem="Opnieuw problemen.",
            offences=[cases_domain.OffenceData(offence_type="diefstal")],
        ),
    )

    _run(DUE_ON)

    assert Pseudonymisation.objects.filter(case=closed_case).exists()
    assert Case.objects.get(pk=closed_case.pk).multi_problem == ""
    assert Case.objects.get(pk=again.pk).multi_problem == "Opnieuw problemen."
    assert Youth.objects.get(pk=youth.pk).last_name == youth.last_name


def test_a_withdrawn_registration_counts_from_the_day_it_was_withdrawn(clock, coordinator, chain, police):
    registered = cases_domain.register_case(
        actor=coordinator,
        chain=chain,
        data=cases_domain.RegistrationData(
            youth=cases_domain.YouthData("Mila", "Peeters", date(2000, 5, 5), "3600", "Genk"),
            referrer_kind="organisation",
            referrer_organisation=police,
            referrer_name="Inspecteur",
            registered_on=date(2020, 3, 1),
            youth_informed_on=date(2020, 2, 28),
            multi_problem="Conflicten thuis.",
            offences=[cases_domain.OffenceData(offence_type="diefstal")],
        ),
    )
    clock.move_to("2020-04-02 10:00:00")
    workflow.transition_case(registered, CaseStatus.WITHDRAWN, actor=coordinator, reason="Weigert.")

    assert retention.ended_on(Case.objects.get(pk=registered.pk)) == date(2020, 4, 2)
    assert registered.reference not in _run(date(2025, 4, 1))[0].due_references
    assert registered.reference in _run(date(2025, 4, 2))[0].due_references
    assert Youth.objects.get(pk=registered.youth_id).last_name == ""


def test_a_consult_goes_after_the_period_once_its_cases_are_gone(clock, chain, coordinator):
    consult = cases_domain.record_consult(
        actor=coordinator,
        chain=chain,
        data=cases_domain.ConsultData(
            referrer_kind="other",
            referrer_name="Buurtwerker Ahmed",
            channel="phone",
            consulted_on=date(2020, 3, 10),
            summary=f"Vraag over een jongere. {CANARY}",
            outcome="needs_info",
            youth_initials="M.P.",
            youth_birth_date=date(2005, 2, 2),
            youth_postal_code="3600",
        ),
    )

    assert _run(date(2025, 3, 9))[0].consults_due == []
    assert _run(date(2025, 3, 10))[0].consults_due == [consult]

    consult.refresh_from_db()
    assert (consult.referrer_name, consult.summary, consult.youth_initials) == ("", "", "")
    assert consult.youth_birth_date == date(2005, 7, 1)
    assert (consult.outcome, consult.youth_postal_code, consult.channel) == ("needs_info", "3600", "phone")
    assert AuditEvent.objects.filter(action="privacy.consult_pseudonymised", object_id=str(consult.pk)).exists()


# --- The command ----------------------------------------------------------------------------------


def test_the_dry_run_lists_counts_and_case_numbers_and_changes_nothing(closed_case):
    out = StringIO()
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    with freeze_time("2025-03-10 03:00:00"):
        call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()

    assert "fix-genk (retention 5 years): 1 case(s) would be pseudonymised" in text
    assert closed_case.reference in text
    assert closed_case.youth.first_name not in text and closed_case.youth.last_name not in text
    assert "Dry run: nothing changed" in text
    assert not Pseudonymisation.objects.exists()
    assert not AuditEvent.objects.filter(id__gt=mark).exists()


def test_the_real_run_pseudonymises_and_says_so(closed_case):
    out = StringIO()
    with freeze_time("2025-03-10 03:00:00"):
        call_command("apply_retention", stdout=out)

    assert "1 case(s) pseudonymised" in out.getvalue()
    assert Pseudonymisation.objects.filter(case=closed_case).exists()


def test_the_command_takes_a_date_and_a_chain(closed_case, other_chain):
    out = StringIO()
    call_command("apply_retention", "--dry-run", "--today", "2025-03-10", "--chain", "kompas-antwerpen", stdout=out)
    assert "kompas-antwerpen" in out.getvalue() and closed_case.reference not in out.getvalue()
    out = StringIO()
    call_command("apply_retention", "--dry-run", "--today", "2025-03-10", "--chain", "fix-genk", stdout=out)
    assert closed_case.reference in out.getvalue()


# --- Erasure where legally due ----------------------------------------------------------------------


def test_erasure_pseudonymises_an_ended_case_now(closed_case, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("erase_case", str(closed_case.pk), "--decision", "DPO 2026/014", stdout=out)

    assert f"Case {closed_case.reference} pseudonymised" in out.getvalue()
    record = Pseudonymisation.objects.get(case=closed_case)
    assert (record.ended_on, record.retention_years) == (CLOSED_ON, 0)
    assert Youth.objects.get(pk=closed_case.youth_id).last_name == ""
    event = AuditEvent.objects.get(action="privacy.case_pseudonymised")
    assert event.details["early"] is True and event.details["decision"] == "DPO 2026/014"


def test_erasure_is_refused_for_an_open_held_or_restricted_case(full_case, coordinator):
    with pytest.raises(CommandError, match="still open"):
        call_command("erase_case", str(full_case.pk), "--decision", "DPO 1")
    close(full_case, coordinator)
    hold = privacy.place_legal_hold(actor=coordinator, case=full_case, reason="Procedure.")
    with pytest.raises(CommandError, match="legal hold"):
        call_command("erase_case", str(full_case.pk), "--decision", "DPO 1")
    privacy.lift_legal_hold(actor=coordinator, hold=hold)
    privacy.restrict_case(actor=coordinator, case=full_case, reason="Bewaren.")
    with pytest.raises(CommandError, match="restricted"):
        call_command("erase_case", str(full_case.pk), "--decision", "DPO 1")
    assert not Pseudonymisation.objects.exists()
