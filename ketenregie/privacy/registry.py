"""Where the data about one case lives: every model that points (directly or through a parent) at a
case, with the lookup from that model to the case.

The subject access export reads these sections, retention pseudonymises them, and
``tests/privacy/test_export.py`` fails when a model with a path to a case or youth is missing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    label: Any
    model_label: str
    path: str  # lookup from the model to the case, e.g. "case" or "plan_domain__plan__case"
    delete_on_retention: bool = False  # rows without value for reports (in-app pointers) go entirely
    shared: bool = False  # reached through a reverse relation: one row may concern several cases

    @property
    def app_name(self) -> str:
        return "ketenregie." + self.model_label.split(".")[0]

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    def rows(self, case: Any) -> models.QuerySet:
        manager = self.model._default_manager
        if hasattr(manager, "with_scope"):
            manager = manager.with_scope(chain=case.chain_id)
        qs = manager.filter(**{self.path: case})
        if self.shared:
            qs = qs.distinct()
        return qs.order_by("pk")


ALL_SECTIONS: tuple[Section, ...] = (
    Section("guardians", _("Parents and guardians"), "cases.Guardian", "case"),
    Section("offences", _("Offences"), "cases.Offence", "case"),
    Section("transitions", _("Steps of the case"), "cases.CaseTransition", "case"),
    Section("intake", _("Intake"), "cases.Intake", "case"),
    Section("ot_meetings", _("OT meetings that discussed the case"), "cases.OTMeeting", "items__case", shared=True),
    Section("ot_items", _("OT agenda items and decisions"), "cases.OTAgendaItem", "case"),
    Section(
        "ot_attendances", _("Attendees of those OT meetings"), "cases.OTAttendance", "meeting__items__case", shared=True
    ),
    Section("consents", _("Consents"), "consent.Consent", "case"),
    Section("break_glass", _("Emergency accesses"), "consent.BreakGlassAccess", "case"),
    Section("network", _("Network"), "network.NetworkMember", "case"),
    Section("offence_groups", _("Offence groups"), "network.OffenceGroup", "members__case", shared=True),
    Section("offence_group_members", _("Place in offence groups"), "network.OffenceGroupMember", "case"),
    Section("plan", _("Plan of approach"), "plans.Plan", "case"),
    Section("plan_domains", _("Plan per life domain"), "plans.PlanDomain", "plan__case"),
    Section("goals", _("Goals"), "plans.Goal", "plan_domain__plan__case"),
    Section("actions", _("Actions"), "plans.Action", "case"),
    Section("plan_versions", _("Versions of the plan"), "plans.PlanVersion", "plan__case"),
    Section("network_meetings", _("Network meetings"), "meetings.NetworkMeeting", "case"),
    Section("meeting_attendances", _("Attendance at network meetings"), "meetings.MeetingAttendance", "meeting__case"),
    Section("action_evaluations", _("Evaluations of actions"), "meetings.ActionEvaluation", "meeting__case"),
    Section("domain_progress", _("Progress per life domain"), "meetings.DomainProgress", "case"),
    Section("contacts", _("Follow-up contacts"), "followup.FollowUpContact", "case"),
    Section("cadence", _("Follow-up cadence"), "followup.CaseCadence", "case"),
    Section("events", _("Major events"), "followup.MajorEvent", "case"),
    Section("signal_acknowledgements", _("Signals seen"), "followup.SignalAcknowledgement", "case"),
    Section("intervision_advice", _("Intervision advice"), "followup.IntervisionAdvice", "case"),
    Section(
        "notifications", _("Notifications to professionals"), "followup.Notification", "case", delete_on_retention=True
    ),
    Section("threads", _("Conversations"), "threads.Thread", "case"),
    Section("thread_participants", _("Participants in conversations"), "threads.ThreadParticipant", "thread__case"),
    Section("messages", _("Messages"), "threads.Message", "thread__case"),
    Section("message_revisions", _("Earlier versions of messages"), "threads.MessageRevision", "message__thread__case"),
    Section("attachments", _("Files sent with messages"), "threads.Attachment", "message__thread__case"),
    Section("portal_accesses", _("Accounts for “My trajectory”"), "portal.PortalAccess", "case"),
    Section("portal_requests", _("Requests from “My trajectory”"), "portal.PortalRequest", "case"),
    Section("restrictions", _("Restrictions of processing"), "privacy.Restriction", "case"),
    Section("legal_holds", _("Legal holds"), "privacy.LegalHold", "case"),
    Section("pseudonymisation", _("Pseudonymisation"), "privacy.Pseudonymisation", "case"),
)

# Models with a path to a case or youth that hold nothing beyond what another section shows.
COVERED_ELSEWHERE: dict[str, str] = {
    "cases.Case": "the case itself (top of each case in the export)",
    "cases.Youth": "the youth (top of the export)",
    "cases.Consult": "the consult that led to the case (its own section per case)",
}


def case_sections() -> list[Section]:
    """The sections of the apps that are installed (an optional app adds its own)."""
    return [s for s in ALL_SECTIONS if apps.is_installed(s.app_name)]


def section(key: str) -> Section:
    return next(s for s in case_sections() if s.key == key)
