"""Restriction of processing (SECURITY.md L7): a restricted case refuses every write and every share.

The table ``WRITES`` calls every domain operation that writes on a case; each must be refused with
the restriction's message and leave every row of the case as it was. A second test introspects the
domain modules, so a new write operation fails here until it is added to the table or exempted
with a reason.
"""

from __future__ import annotations

import importlib
import inspect
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ketenregie.accounts import domain as accounts_domain
from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain as cases_domain
from ketenregie.cases import workflow
from ketenregie.cases.enums import CaseStatus, ClosureReason, OTDecision
from ketenregie.cases.models import Case
from ketenregie.common.errors import GuardFailed, NotAllowed, ValidationFailed
from ketenregie.consent import domain as consent_domain
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import Consent
from ketenregie.followup import domain as followup
from ketenregie.followup.enums import ContactChannel, ContactWith, EventKind
from ketenregie.meetings import domain as meetings
from ketenregie.meetings.domain import ActionEvaluationInput, HeldData, ProgressInput
from ketenregie.network import domain as network_domain
from ketenregie.network.domain import MemberData
from ketenregie.network.enums import MemberKind
from ketenregie.plans import domain as plans_domain
from ketenregie.plans.models import Action
from ketenregie.privacy import domain as privacy
from ketenregie.privacy.models import Restriction
from ketenregie.privacy.registry import case_sections
from tests.plans.fixtures import one_domain
from tests.privacy.conftest import PDF

RESTRICTED = "The processing of this case is restricted since"


@pytest.fixture
def world(full_case, chain, coordinator, case_director, network, legal_basis, ot_member):
    """The full case with work waiting (a planned meeting, an OT item, a thread), then restricted."""
    now = timezone.now()
    planned = meetings.plan_meeting(
        actor=case_director,
        case=full_case,
        starts_at=now + timedelta(minutes=20),
        location_kind="neutral",
        location="Stadhuis",
        invitees=[network["mother"]],
    )
    cases_domain.flag_for_ot(actor=coordinator, case=full_case, reason="Evaluatie van het traject.")
    ot = cases_domain.plan_ot_meeting(
        actor=coordinator,
        chain=chain,
        starts_at=now - timedelta(hours=1),
        location="Stadhuis",
        legal_basis=legal_basis,
        attendees=[ot_member],
    )
    item = ot.items.get(case=full_case)
    from ketenregie.network.models import OffenceGroup

    group = OffenceGroup.objects.get(members__case=full_case)
    try:
        from ketenregie.threads import domain as threads_domain
        from ketenregie.threads.models import Thread

        thread = Thread.objects.get(case=full_case)
    except ImportError:  # the conversations app is optional
        threads_domain = thread = None
    session = followup.start_intervision(actor=case_director, chain=chain, held_on=timezone.localdate())
    privacy.restrict_case(actor=coordinator, case=full_case, reason="De jongere betwist de feiten.")
    case = Case.objects.select_related("youth", "chain").get(pk=full_case.pk)
    return SimpleNamespace(
        case=case,
        chain=chain,
        coordinator=coordinator,
        director=case_director,
        network=network,
        planned=planned,
        held=case.network_meetings.get(status="held"),
        item=item,
        ot=ot,
        group=group,
        session=session,
        action=Action.objects.filter(case=case).first(),
        thread=thread,
        threads=threads_domain,
        legal_basis=legal_basis,
    )


def _contact(w):
    return followup.ContactData(contact_at=timezone.now(), with_whom=ContactWith.YOUTH, channel=ContactChannel.PHONE)


def _member(**extra):
    return MemberData(kind=MemberKind.INFORMAL, name="Oom Karim", role="Oom", **extra)


WRITES = {
    # cases
    "save_intake": lambda w: cases_domain.save_intake(
        actor=w.director,
        case=w.case,
        version=None,
        intake_on=timezone.localdate(),
        domains={},
        glm_needs=[],
        youth_words="Nieuw.",
    ),
    "record_start": lambda w: cases_domain.record_start(
        actor=w.coordinator, case=w.case, referrer_informed_on=None, youth_informed_of_decision_on=None
    ),
    "flag_for_ot": lambda w: cases_domain.flag_for_ot(actor=w.director, case=w.case, reason="Nog eens."),
    "assign_case_director": lambda w: cases_domain.assign_case_director(
        actor=w.coordinator, case=w.case, case_director=w.director
    ),
    "close_case": lambda w: cases_domain.close_case(
        actor=w.coordinator, case=w.case, closure_reason=ClosureReason.GOALS_REACHED, closure_summary={"general": "x"}
    ),
    "transition_case": lambda w: workflow.transition_case(
        w.case,
        CaseStatus.CLOSED,
        actor=w.coordinator,
        closure_reason=ClosureReason.GOALS_REACHED,
        closure_summary={"general": "x"},
    ),
    "decide_ot_item": lambda w: cases_domain.decide_ot_item(
        actor=w.coordinator, item=w.item, data=cases_domain.DecisionData(decision=OTDecision.CONTINUE)
    ),
    # consent
    "record_consent": lambda w: consent_domain.record_consent(
        actor=w.coordinator,
        case=w.case,
        data=consent_domain.ConsentData(
            kind=ConsentKind.OT_DISCUSSION, given_by=GivenBy.YOUTH, given_by_name="Jens", signed_on=timezone.localdate()
        ),
        document=SimpleUploadedFile("t.pdf", PDF, content_type="application/pdf"),
    ),
    # network
    "add_network_member": lambda w: network_domain.add_network_member(actor=w.director, case=w.case, data=_member()),
    "update_network_member": lambda w: network_domain.update_network_member(
        actor=w.director, member=w.network["mother"], data=_member(youth_agreed=True)
    ),
    "end_network_member": lambda w: network_domain.end_network_member(actor=w.director, member=w.network["caw"]),
    "link_case_to_group": lambda w: network_domain.link_case_to_group(
        actor=w.coordinator, group=w.group, case=w.case, position="leader"
    ),
    # plan
    "save_plan": lambda w: plans_domain.save_plan(
        actor=w.director, case=w.case, version=w.case.plan.version, domains=[one_domain(w.network, code="vrije_tijd")]
    ),
    "update_action_status": lambda w: plans_domain.update_action_status(
        actor=w.director, action=w.action, status="done", note="Klaar."
    ),
    # network meetings
    "plan_meeting": lambda w: meetings.plan_meeting(
        actor=w.director,
        case=w.case,
        starts_at=timezone.now() + timedelta(days=3),
        location_kind="neutral",
        location="Stadhuis",
    ),
    "hold_meeting": lambda w: meetings.hold_meeting(
        actor=w.director, meeting=w.planned, data=HeldData(youth_attended=True, attendee_ids=[w.network["mother"].pk])
    ),
    "evaluate_meeting": lambda w: meetings.evaluate_meeting(
        actor=w.director,
        meeting=w.held,
        actions=[ActionEvaluationInput(action_id=w.action.pk, kept="yes")],
        progress=[ProgressInput(domain="werk_onderwijs", score=4)],
    ),
    "record_past_meeting": lambda w: meetings.record_past_meeting(
        actor=w.director,
        case=w.case,
        starts_at=timezone.now() - timedelta(days=1),
        location_kind="neutral",
        location="Stadhuis",
        data=HeldData(youth_attended=True),
    ),
    # follow-up
    "record_contact": lambda w: followup.record_contact(actor=w.director, case=w.case, data=_contact(w)),
    "set_cadence": lambda w: followup.set_cadence(actor=w.director, case=w.case, days=7, reason="Terug wekelijks."),
    "record_event": lambda w: followup.record_event(
        actor=w.director, case=w.case, kind=EventKind.ARREST, occurred_on=timezone.localdate()
    ),
    "acknowledge_signal": lambda w: followup.acknowledge_signal(
        actor=w.director, case=w.case, key=f"no_plan:{w.case.pk}", note="Gezien."
    ),
    "record_intervision_advice": lambda w: followup.record_intervision_advice(
        actor=w.director, session=w.session, case=w.case, advice="Nog eens bellen."
    ),
    # conversations (when installed)
    "start_thread": lambda w: w.threads.start_thread(actor=w.coordinator, case=w.case, subject="Nieuw", body="Hoi."),
    "post_message": lambda w: w.threads.post_message(actor=w.director, thread=w.thread, body="Nog iets."),
}

# Operations with an actor that do not write on one case's content, or that must stay possible.
EXEMPT = {
    "record_consult": "no case exists yet",
    "register_case": "makes a new case; a new trajectory after a restricted case is refused (test below)",
    "add_legal_basis": "the chain's register of legal bases",
    "plan_ot_meeting": "chain-level; restricted cases are left off the agenda (test below)",
    "refresh_agenda": "chain-level; restricted cases are left off the agenda (test below)",
    "mark_meeting_held": "the OT meeting, chain-level",
    "acknowledge_confidentiality": "an attendee of the OT meeting, chain-level",
    "create_offence_group": "chain-level; linking a restricted case is refused",
    "start_intervision": "chain-level; advice on a restricted case is refused",
    "set_digest_preference": "a professional's own setting",
    "require_work": "the guard itself",
    "set_action_statuses": "internal step of update_action_status and evaluate_meeting, which guard",
    "notify_event_recorded": "a notification about a write that passed the guard",
    "notify_intervision_advice": "a notification about a write that passed the guard",
    "withdraw_consent": "the youth's right to withdraw at any time (GDPR art. 7(3)); it only narrows sharing",
    "break_the_glass": "read-only emergency access, audited (GDPR art. 18(2): protection of another's rights)",
    "activate_case": "a step through transition_case, refused there (close_case, transition_case)",
    "restrict_case": "the right itself",
    "lift_restriction": "the right itself",
    "place_legal_hold": "keeps data, changes nothing of the case",
    "lift_legal_hold": "keeps data, changes nothing of the case",
    "export_subject": "a read (the access right)",
    "may_export": "a predicate",
    # conversations
    "edit_message": "within 15 minutes of posting; refused on a restricted case like posting (require_open)",
    "delete_message": "within 15 minutes of posting; refused on a restricted case like posting (require_open)",
    "add_participant": "refused on a restricted case (require_open)",
    "mark_read": "a professional's read marker",
    "log_read": "an audit entry of a read",
    "report_action_progress": "a partner's update of an action, through update_action_status",
    "require_poster": "a predicate",
    "post_portal_message": "the youth's message from My trajectory: refused in the same posting step as post_message",
}

DOMAIN_MODULES = [
    "ketenregie.cases.domain",
    "ketenregie.cases.workflow",
    "ketenregie.consent.domain",
    "ketenregie.network.domain",
    "ketenregie.plans.domain",
    "ketenregie.meetings.domain",
    "ketenregie.followup.domain",
    "ketenregie.followup.domain_notify",
    "ketenregie.privacy.domain",
    "ketenregie.threads.domain",
]


def _operations() -> set[str]:
    names = set()
    for path in DOMAIN_MODULES:
        try:
            module = importlib.import_module(path)
        except ImportError:
            continue
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == path and not name.startswith("_"):
                if "actor" in inspect.signature(function).parameters:
                    names.add(name)
    return names


def test_every_domain_operation_is_in_the_write_table_or_exempt_with_a_reason():
    unknown = _operations() - set(WRITES) - set(EXEMPT)
    assert unknown == set(), f"say whether a restricted case refuses these: {sorted(unknown)}"


def _state(case: Case) -> dict:
    """Everything a write could touch: every row of the case (and its fields), and the audit log."""
    state: dict = {"audit": list(AuditEvent.objects.exclude(action="case.viewed").values_list("action", flat=True))}
    fresh = Case.objects.get(pk=case.pk)
    state["case"] = {f.attname: getattr(fresh, f.attname) for f in Case._meta.concrete_fields}
    for section in case_sections():
        state[section.key] = sorted(
            (str(row["pk"]), repr(sorted(row.items()))) for row in section.rows(case).values("pk", *_columns(section))
        )
    return state


def _columns(section) -> list[str]:
    return [f.attname for f in section.model._meta.concrete_fields if not f.primary_key]


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_restricted_case_refuses_the_write(world, name):
    if name in ("start_thread", "post_message") and world.threads is None:
        pytest.skip("the conversations app is not installed")
    before = _state(world.case)

    with pytest.raises(GuardFailed) as refused:
        WRITES[name](world)

    assert refused.value.detail.startswith(RESTRICTED)
    assert refused.value.status == 409
    assert _state(world.case) == before


def test_the_table_writes_once_the_restriction_is_lifted(world, coordinator):
    """The same calls go through on the same case when it is not restricted: the refusal was the restriction's."""
    privacy.lift_restriction(actor=coordinator, case=world.case, reason="Rechtgezet.")
    world.case = Case.objects.select_related("youth", "chain").get(pk=world.case.pk)
    done = []
    for name in ("save_intake", "record_contact", "set_cadence", "add_network_member", "record_intervision_advice"):
        WRITES[name](world)
        done.append(name)
    assert len(done) == 5


def test_the_case_page_offers_no_step_but_says_why(world, client_for, coordinator):
    options = workflow.allowed_transitions(world.case, coordinator)
    assert options and all(o.blocked_by[0].startswith(RESTRICTED) for o in options)

    page = client_for(coordinator).get(reverse("cases:case_detail", args=[world.case.pk]))
    assert RESTRICTED in page.content.decode()


def test_a_restricted_case_stays_off_the_ot_agenda(world, chain, coordinator, legal_basis):
    assert world.case.flagged_for_ot
    meeting = cases_domain.plan_ot_meeting(
        actor=coordinator,
        chain=chain,
        starts_at=timezone.now() + timedelta(days=7),
        location="Stadhuis",
        legal_basis=legal_basis,
        attendees=[],
    )
    assert not meeting.items.filter(case=world.case).exists()
    assert cases_domain.refresh_agenda(actor=coordinator, meeting=meeting) == 0


def test_withdrawing_a_consent_stays_possible_and_goes_to_the_ot_after_the_lift(
    full_case, coordinator, chain, legal_basis
):
    privacy.restrict_case(actor=coordinator, case=full_case, reason="De jongere betwist de feiten.")
    consent = Consent.objects.filter(case=full_case, kind=ConsentKind.SHARING).get()
    upcoming = cases_domain.plan_ot_meeting(
        actor=coordinator,
        chain=chain,
        starts_at=timezone.now() + timedelta(days=7),
        location="Stadhuis",
        legal_basis=legal_basis,
        attendees=[],
    )

    consent_domain.withdraw_consent(actor=coordinator, consent=consent, note="Wil niet meer delen.")

    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()
    assert Case.objects.get(pk=full_case.pk).flagged_for_ot
    assert not upcoming.items.filter(case=full_case).exists()  # not shared with the OT while restricted
    privacy.lift_restriction(actor=coordinator, case=full_case, reason="Opgeheven.")
    assert cases_domain.refresh_agenda(actor=coordinator, meeting=upcoming) == 1
    assert upcoming.items.filter(case=full_case).exists()


def test_a_new_trajectory_after_a_restricted_case_is_refused(full_case, coordinator, chain, police):
    from tests.plans.fixtures import close

    close(full_case, coordinator)
    privacy.restrict_case(actor=coordinator, case=full_case, reason="Betwist.")
    youth = full_case.youth
    with pytest.raises(GuardFailed) as refused:
        cases_domain.register_case(
            actor=coordinator,
            chain=chain,
            previous_case=Case.objects.get(pk=full_case.pk),
            data=cases_domain.RegistrationData(
                youth=cases_domain.YouthData(youth.first_name, youth.last_name, youth.birth_date, "3600", "Genk"),
                referrer_kind="organisation",
                referrer_organisation=police,
                referrer_name="Inspecteur",
                registered_on=timezone.localdate(),
                youth_informed_on=timezone.localdate(),
                parents_informed_on=timezone.localdate(),
                multi_problem="Opnieuw.",
                offences=[cases_domain.OffenceData(offence_type="diefstal")],
            ),
        )
    assert refused.value.detail.startswith(RESTRICTED)
    assert Case.objects.filter(youth=youth).count() == 1


def test_the_api_refuses_a_write_with_409_problem_json(world, coordinator):
    from django.test import Client

    _token, plaintext = accounts_domain.create_token(actor=coordinator, name="test")
    response = Client().post(
        f"/api/v1/cases/{world.case.pk}/contacts",
        data={"contact_at": timezone.now().isoformat(), "with_whom": "youth", "channel": "phone"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )

    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["detail"].startswith(RESTRICTED)


def test_a_web_form_shows_the_refusal(world, client_for, case_director):
    before = world.case.contacts.count()
    response = client_for(case_director).post(
        reverse("followup:contacts", args=[world.case.pk]),
        {
            "contact_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "with_whom": "youth",
            "channel": "phone",
            "reached": "yes",
        },
    )
    assert RESTRICTED in response.content.decode()
    assert world.case.contacts.count() == before


# --- Restricting and lifting ------------------------------------------------------------------------


def test_restricting_needs_a_reason_and_a_coordinator(case, coordinator, case_director):
    with pytest.raises(ValidationFailed) as empty:
        privacy.restrict_case(actor=coordinator, case=case, reason="   ")
    assert empty.value.errors[0]["field"] == "reason"
    with pytest.raises(NotAllowed):
        privacy.restrict_case(actor=case_director, case=case, reason="Betwist.")
    assert not Restriction.objects.exists()


def test_restricting_twice_is_refused_and_lifting_is_audited(case, coordinator):
    restriction = privacy.restrict_case(actor=coordinator, case=case, reason="Betwist.")
    with pytest.raises(GuardFailed):
        privacy.restrict_case(actor=coordinator, case=case, reason="Nog eens.")
    privacy.lift_restriction(actor=coordinator, case=case, reason="Rechtgezet.")
    restriction.refresh_from_db()

    assert restriction.lifted_at is not None and restriction.lifted_by == coordinator
    events = list(
        AuditEvent.objects.filter(case_id=case.pk, action__startswith="privacy.").values_list("action", "reason")
    )
    assert events == [("privacy.case_restricted", ""), ("privacy.restriction_lifted", "")]
    assert "Betwist" not in str(AuditEvent.objects.filter(case_id=case.pk).values_list("details", flat=True))


def test_the_privacy_page_restricts_with_an_error_next_to_the_field(case, client_for, coordinator):
    client = client_for(coordinator)
    url = reverse("privacy:restrict", args=[case.pk])

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert refused.context["restrict_form"].errors == {"reason": ["This field is required."]}
    assert 'id="id_reason_error"' in refused.content.decode()

    done = client.post(url, {"reason": "De jongere betwist de feiten."})
    assert done.status_code == 302
    page = client.get(reverse("privacy:case", args=[case.pk]))
    assert page.context["restriction"] is not None
    assert RESTRICTED in page.content.decode()

    lifted = client.post(reverse("privacy:lift", args=[case.pk]), {"lift_reason": "Rechtgezet."})
    assert lifted.status_code == 302
    assert not Restriction.objects.filter(case=case, lifted_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("case_director", 403), ("ot_member", 403), ("partner", 404), ("outsider", 404), ("admin_user", 404)],
)
def test_the_privacy_pages_are_for_coordinators(case, client_for, request, who, status):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("privacy:case", args=[case.pk])).status_code == status
    assert client.post(reverse("privacy:restrict", args=[case.pk]), {"reason": "x"}).status_code == status
    assert not Restriction.objects.exists()


def test_a_legal_hold_is_placed_and_lifted_on_the_page(case, client_for, coordinator):
    client = client_for(coordinator)
    past = client.post(
        reverse("privacy:place_hold", args=[case.pk]), {"hold_reason": "Klacht.", "until": str(date(2020, 1, 1))}
    )
    assert past.context["hold_form"].errors == {"until": ["A legal hold cannot end in the past."]}

    client.post(reverse("privacy:place_hold", args=[case.pk]), {"hold_reason": "Procedure bij de jeugdrechter."})
    hold = case.legal_holds.get()
    assert hold.until is None and hold.is_active_on(timezone.localdate())
    client.post(reverse("privacy:lift_hold", args=[hold.pk]))
    hold.refresh_from_db()
    assert hold.lifted_at is not None
    assert list(
        AuditEvent.objects.filter(case_id=case.pk, action__startswith="privacy.legal").values_list("action", flat=True)
    ) == ["privacy.legal_hold_placed", "privacy.legal_hold_lifted"]
