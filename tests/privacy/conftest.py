"""A case with a row in every model that holds case data, built by the domain functions.

On top of the shared plan fixtures (an active case with its network, tests/plans/fixtures.py):
a plan, a sharing consent with its signed document, a held and evaluated network meeting, follow-up
contacts, cadence, a major event, a seen signal, intervision advice, an offence group, an emergency
access, a notification, and a lifted restriction and legal hold.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ketenregie.consent.domain import ConsentData, break_the_glass, record_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.followup import domain as followup
from ketenregie.followup.domain_notify import notify
from ketenregie.followup.enums import ContactChannel, ContactWith, EventKind
from ketenregie.meetings import domain as meetings
from ketenregie.meetings.domain import ActionEvaluationInput, Agreement, HeldData, ProgressInput
from ketenregie.network.domain import create_offence_group, link_case_to_group
from ketenregie.plans.domain import save_plan
from ketenregie.plans.models import Action
from ketenregie.privacy import domain as privacy
from tests.plans.fixtures import *  # noqa: F403 - the shared plan and meeting fixtures
from tests.plans.fixtures import one_domain

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CANARY = "Kanarie-7f3a vertrouwelijk"  # a free text that must not survive retention


@pytest.fixture
def private_media(settings, tmp_path):
    """Signed documents go to a temporary MEDIA_ROOT; the private storage follows MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "private"


@pytest.fixture
def full_case(case, chain, coordinator, case_director, other_case_director, network, caw, private_media):
    """The active ``case`` with data in every part of the dossier (see the module docstring)."""
    today = timezone.localdate()
    now = timezone.now()
    save_plan(actor=case_director, case=case, version=0, domains=[one_domain(network, text=f"Diploma {CANARY}")])
    record_consent(
        actor=coordinator,
        case=case,
        data=ConsentData(
            kind=ConsentKind.SHARING,
            given_by=GivenBy.YOUTH,
            given_by_name=case.youth.full_name,
            signed_on=today,
            organisations=[caw],
            life_domains=["werk_onderwijs"],
        ),
        document=SimpleUploadedFile("toestemming Jens.pdf", PDF, content_type="application/pdf"),
    )
    meeting = meetings.plan_meeting(
        actor=case_director,
        case=case,
        starts_at=now + timedelta(minutes=30),
        location_kind="neutral",
        location="Stadhuis Genk, zaal 2",
        agenda="Plan van aanpak maken.",
        invitees=list(network.values()),
    )
    action = Action.objects.filter(case=case).first()
    meetings.hold_meeting(
        actor=case_director,
        meeting=meeting,
        data=HeldData(
            youth_attended=True,
            attendee_ids=[network["clb"].pk, network["mother"].pk],
            acknowledged_ids=[network["clb"].pk],
            minutes=f"Goed overleg. {CANARY}",
            information_shared="De school deelde het rapport.",
            agreements=[
                Agreement(goal_id=action.goal_id, what="Mama belt de school", responsible_member=network["mother"].pk)
            ],
        ),
    )
    meetings.evaluate_meeting(
        actor=case_director,
        meeting=meeting,
        cooperation="Vlot.",
        actions=[ActionEvaluationInput(action_id=action.pk, kept="partly", realistic=False, note="Half gelukt.")],
        progress=[ProgressInput(domain="werk_onderwijs", score=3, note="Gaat beter.")],
    )
    followup.record_contact(
        actor=case_director,
        case=case,
        data=followup.ContactData(
            contact_at=now - timedelta(hours=1),
            with_whom=ContactWith.YOUTH,
            channel=ContactChannel.PHONE,
            note=f"Gaat beter op school. {CANARY}",
        ),
    )
    followup.set_cadence(actor=case_director, case=case, days=14, reason="Stabiele periode.")
    followup.record_event(
        actor=case_director, case=case, kind=EventKind.MOVE, occurred_on=today, description="Verhuisd naar oma."
    )
    followup.acknowledge_signal(actor=case_director, case=case, key=f"contact_overdue:{case.pk}", note="Gebeld.")
    session = followup.start_intervision(actor=case_director, chain=chain, held_on=today)
    followup.record_intervision_advice(actor=case_director, session=session, case=case, advice="Betrek de coach.")
    group = create_offence_group(
        actor=coordinator, chain=chain, name="Diefstallen Winterslag", facts_on=today, dynamics="Leider en volgers."
    )
    link_case_to_group(actor=coordinator, group=group, case=case)
    break_the_glass(actor=other_case_director, case=case, reason="Dringend: de jongere is opgepakt, info nodig.")
    notify(case_director, "event_flagged", case, f"/dossiers/{case.pk}/")
    try:
        from ketenregie.threads.domain import post_message, start_thread
    except ImportError:  # the conversations app is optional
        pass
    else:
        thread = start_thread(actor=coordinator, case=case, subject="Afspraken school", body=f"Hallo. {CANARY}")
        post_message(actor=case_director, thread=thread, body="Ik bel de school.")
    try:
        from ketenregie.portal import domain as portal
    except ImportError:  # "My trajectory" is optional
        pass
    else:
        access = portal.invite(
            actor=case_director, case=case, role="youth", email="jens@example.org", youth_agreed_on=today
        )
        ot_consent = case.consents.filter(kind=ConsentKind.OT_DISCUSSION).first()
        portal.request_withdrawal(actor=access.user, consent=ot_consent, note="Ik wil even niet meer.")
    hold = privacy.place_legal_hold(actor=coordinator, case=case, reason="Klacht bij de ombudsdienst.")
    privacy.lift_legal_hold(actor=coordinator, hold=hold)
    privacy.restrict_case(actor=coordinator, case=case, reason="De jongere betwist een feit.")
    privacy.lift_restriction(actor=coordinator, case=case, reason="Feit rechtgezet.")
    case.refresh_from_db()
    return case
