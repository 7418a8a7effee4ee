"""Writes are atomic and side effects wait for the commit (SECURITY.md R1), by fault injection.

Each domain operation below runs with a fault injected at its audit entry: the entry is written,
then the write fails (as a full disk or a lost connection would). Afterwards every table holds
exactly what it held before, the audit log included, and nothing was scheduled for after the
commit (no notification, no e-mail).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from ketenregie.audit import domain as audit_domain
from ketenregie.cases import domain as cases
from ketenregie.cases.enums import CaseStatus, ReferrerKind
from ketenregie.cases.models import Case
from ketenregie.consent.domain import ConsentData, record_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.followup import domain as followup
from ketenregie.followup.enums import EventKind
from ketenregie.network import domain as network
from ketenregie.network.enums import MemberKind


class InjectedFault(Exception):
    pass


def _fingerprint() -> dict[str, str]:
    state = {}
    for model in apps.get_models():
        if model._meta.app_label == "sessions" or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        state[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return state


def _register(demo):
    today = timezone.localdate()
    return cases.register_case(
        actor=demo.coordinator,
        chain=demo.chain,
        data=cases.RegistrationData(
            youth=cases.YouthData(
                first_name="Fout",
                last_name="Injectie",
                birth_date=today.replace(year=today.year - 15),
                postal_code="3600",
                municipality="Genk",
            ),
            referrer_kind=ReferrerKind.PARENT,
            referrer_name="Moeder",
            registered_on=today,
            youth_informed_on=today,
            parents_informed_on=today,
            multi_problem="Schoolverzuim en conflicten thuis.",
            offences=[cases.OffenceData(offence_type="diefstal", description="Fiets gestolen.")],
        ),
    )


def _intake(demo):
    return cases.save_intake(
        actor=demo.coordinator,
        case=demo.intake_case,
        version=None,
        intake_on=timezone.localdate(),
        domains={"gezondheid": {"situation": "Slaapt slecht."}},
        glm_needs=[],
        youth_words="Rust.",
    )


def _contact(demo):
    return followup.record_contact(
        actor=demo.coordinator,
        case=demo.active_case,
        data=followup.ContactData(
            contact_at=timezone.now() - timedelta(hours=1), with_whom="youth", channel="home_visit", note="Thuis."
        ),
    )


def _member(demo):
    return network.add_network_member(
        actor=demo.coordinator,
        case=demo.active_case,
        data=network.MemberData(kind=MemberKind.INFORMAL, name="Oom Jan", role="oom"),
    )


def _event(demo):
    # An event of a flagged kind also notifies the case director and puts the case on the OT agenda.
    return followup.record_event(
        actor=demo.coordinator, case=demo.active_case, kind=EventKind.NEW_OFFENCE, occurred_on=timezone.localdate()
    )


def _consent(demo):
    case = demo.active_case
    return record_consent(
        actor=demo.coordinator,
        case=case,
        data=ConsentData(
            kind=ConsentKind.OT_DISCUSSION,
            given_by=GivenBy.YOUTH,
            given_by_name=case.youth.full_name,
            signed_on=timezone.localdate(),
            valid_until=None,
            organisations=[],
            life_domains=[],
        ),
    )


def _close(demo):
    from ketenregie.cases import workflow

    case = Case.objects.filter(chain=demo.chain, status=CaseStatus.REGISTERED).first()
    return workflow.transition_case(case, CaseStatus.WITHDRAWN, actor=demo.coordinator, reason="Verhuisd.")


OPERATIONS: dict[str, Callable] = {
    "register a case": _register,
    "save an intake": _intake,
    "log a follow-up contact": _contact,
    "add a network member": _member,
    "record a major event": _event,
    "record a consent": _consent,
    "withdraw a registration": _close,
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_fault_at_the_end_leaves_no_partial_rows_and_no_side_effect(
    demo, operation, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    append = audit_domain._append  # writes the entry and moves the head (one statement on PostgreSQL)

    def append_then_fail(event):
        append(event)
        raise InjectedFault("the disk is full")

    before = _fingerprint()
    monkeypatch.setattr(audit_domain, "_append", append_then_fail)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(InjectedFault):
        OPERATIONS[operation](demo)

    monkeypatch.undo()
    assert callbacks == [], "nothing may be scheduled for after a commit that did not happen"
    assert mailoutbox == []
    assert [label for label, digest in _fingerprint().items() if before[label] != digest] == []


@pytest.mark.parametrize("operation", OPERATIONS)
def test_without_the_fault_the_operation_writes(demo, operation):
    """The control: each operation above does write (so the test above proves something)."""
    before = _fingerprint()

    OPERATIONS[operation](demo)

    changed = [label for label, digest in _fingerprint().items() if before[label] != digest]
    assert "audit.AuditEvent" in changed and len(changed) >= 2
