"""The subject access export (GDPR art. 15, SECURITY.md L6): everything held about one youth.

Built from the registry of case data (``ketenregie.privacy.registry``), so a model with a path to a
case is exported with every one of its fields, plus who accessed each case (the audit log) and to
whom it was disclosed (consents, OT meetings, network, emergency accesses). The same document is
written as JSON (machine-readable, for a portability request too) and as a readable PDF.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import Organisation, User
from ketenregie.audit.actions import describe
from ketenregie.audit.models import AuditEvent
from ketenregie.cases.models import Case, Consult, Youth
from ketenregie.privacy.registry import case_sections

FORMAT = "ketenregie-subject-export/1"
# Technical or derived fields that say nothing to the youth (a form token, a search key).
HIDDEN = {"submission_key", "search_name"}
# In the JSON, but not worth a line in the PDF.
BOOKKEEPING = {"version", "updated_at", "position"}

# Labels for fields that have no translatable verbose name of their own.
FIELD_LABELS = {
    "acknowledged_at": gettext_lazy("seen on"),
    "acknowledged_by": gettext_lazy("seen by"),
    "activated_at": gettext_lazy("activated on"),
    "actor": gettext_lazy("by"),
    "added_at": gettext_lazy("added on"),
    "added_by": gettext_lazy("added by"),
    "applied_at": gettext_lazy("applied on"),
    "author": gettext_lazy("written by"),
    "body": gettext_lazy("text"),
    "changes": gettext_lazy("what changed"),
    "chosen_case_director": gettext_lazy("case director chosen"),
    "confidentiality_acknowledged_at": gettext_lazy("confidentiality acknowledged on"),
    "content_type": gettext_lazy("type of file"),
    "created_at": gettext_lazy("recorded on"),
    "created_by": gettext_lazy("recorded by"),
    "days": gettext_lazy("every how many days"),
    "decided_at": gettext_lazy("decided on"),
    "decided_by": gettext_lazy("decided by"),
    "deleted_at": gettext_lazy("deleted on"),
    "deleted_by": gettext_lazy("deleted by"),
    "document": gettext_lazy("signed document kept"),
    "document_name": gettext_lazy("name of the document"),
    "document_type": gettext_lazy("type of the document"),
    "edited_at": gettext_lazy("changed on"),
    "eligibility": gettext_lazy("criteria of the chain"),
    "eligibility_overridden_by": gettext_lazy("criteria overridden by"),
    "ended_at": gettext_lazy("ended on"),
    "ended_by": gettext_lazy("ended by"),
    "ended_on": gettext_lazy("ended on"),
    "file": gettext_lazy("file kept"),
    "flagged_for_ot": gettext_lazy("put on the OT agenda"),
    "from_status": gettext_lazy("from"),
    "handled_at": gettext_lazy("handled on"),
    "handled_by": gettext_lazy("handled by"),
    "held_at": gettext_lazy("held on"),
    "invited_at": gettext_lazy("invited on"),
    "invited_by": gettext_lazy("invited by"),
    "is_professional": gettext_lazy("professional"),
    "is_youth": gettext_lazy("the youth"),
    "key": gettext_lazy("signal"),
    "kind": gettext_lazy("kind"),
    "last_message_at": gettext_lazy("last message on"),
    "last_read_at": gettext_lazy("last read on"),
    "lifted_by": gettext_lazy("lifted by"),
    "name": gettext_lazy("name"),
    "note": gettext_lazy("note"),
    "number": gettext_lazy("number"),
    "occurred_at": gettext_lazy("when"),
    "organisation": gettext_lazy("organisation"),
    "placed_by": gettext_lazy("placed by"),
    "portal_user": gettext_lazy("account for My trajectory"),
    "present": gettext_lazy("present"),
    "quiet_until": gettext_lazy("quiet until"),
    "read_at": gettext_lazy("read on"),
    "reason": gettext_lazy("reason"),
    "recorded_by": gettext_lazy("recorded by"),
    "removed": gettext_lazy("removed"),
    "replaced_at": gettext_lazy("replaced on"),
    "replaced_by": gettext_lazy("replaced by"),
    "restricted_by": gettext_lazy("restricted by"),
    "retention_years": gettext_lazy("retention period (years)"),
    "set_at": gettext_lazy("set on"),
    "set_by": gettext_lazy("set by"),
    "size": gettext_lazy("size (bytes)"),
    "snapshot": gettext_lazy("the plan at that moment"),
    "to_status": gettext_lazy("to"),
    "updated_by": gettext_lazy("last changed by"),
    "url": gettext_lazy("link"),
    "user": gettext_lazy("account"),
}


def _label(model_field: Any) -> str:
    verbose = getattr(model_field, "verbose_name", model_field.name)
    if not isinstance(verbose, Promise) and model_field.name in FIELD_LABELS:
        return str(FIELD_LABELS[model_field.name])
    return str(verbose)


@dataclass
class Item:
    name: str
    label: str
    value: Any  # JSON-ready
    text: str  # for people
    show: bool = True  # in the PDF; internal ids and bookkeeping stay in the JSON only


@dataclass
class Record:
    id: str
    items: list[Item]

    def as_json(self) -> dict:
        return {"id": self.id, **{i.name: i.value for i in self.items}}


@dataclass
class Part:
    key: str
    label: str
    records: list[Record] = field(default_factory=list)


@dataclass
class CaseExport:
    case: Record
    reference: str
    parts: list[Part]


@dataclass
class SubjectExport:
    youth: Record
    chain: str
    generated_at: datetime
    generated_by: str
    cases: list[CaseExport]

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            "generated_at": self.generated_at.isoformat(),
            "generated_by": self.generated_by,
            "chain": self.chain,
            "youth": self.youth.as_json(),
            "cases": [
                {
                    "case": c.case.as_json(),
                    **{p.key: [r.as_json() for r in p.records] for p in c.parts},
                }
                for c in self.cases
            ],
        }

    def to_json_bytes(self) -> bytes:
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2, sort_keys=False).encode()


def person_name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class _Names:
    """Names of accounts and organisations, each looked up once per export."""

    def __init__(self) -> None:
        self.users: dict[Any, str] = {}
        self.organisations: dict[Any, str] = {}

    def user(self, pk: Any) -> str:
        if pk not in self.users:
            self.users[pk] = person_name(User.objects.filter(pk=pk).first())
        return self.users[pk]

    def organisation(self, pk: Any) -> str:
        if pk not in self.organisations:
            self.organisations[pk] = Organisation.objects.filter(pk=pk).values_list("name", flat=True).first() or ""
        return self.organisations[pk]


def _text(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "j F Y H:i")
    if isinstance(value, date):
        return date_format(value, "j F Y")
    if isinstance(value, dict):
        lines = []
        for key, inner in value.items():
            inner_text = (
                _text(inner) if not isinstance(inner, dict) else "; ".join(f"{k}: {v}" for k, v in inner.items())
            )
            lines.append(f"{key}: {inner_text}")
        return "\n".join(lines)
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            return "\n".join(_line(v) for v in value)
        return ", ".join(_text(v) for v in value)
    return str(value)


def _line(value: Any) -> str:
    """One entry of a list of records (e.g. the eligibility check): its message, or its fields."""
    if isinstance(value, dict):
        if value.get("message"):
            return str(value["message"])
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return _text(value)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def serialise(obj: models.Model, names: _Names) -> Record:
    """Every stored field of ``obj`` (and its many-to-many links), decrypted, with label and display text."""
    items = []
    meta = obj._meta
    for f in [*meta.concrete_fields, *meta.many_to_many]:
        if f.name in HIDDEN or f.primary_key:
            continue
        label = _label(f)
        if f.many_to_many:
            related = list(getattr(obj, f.name).all())
            value = [{"id": str(r.pk), "name": str(r)} for r in related]
            items.append(Item(f.name, label, value, ", ".join(str(r) for r in related) or "—"))
            continue
        if f.is_relation:
            pk = getattr(obj, f.attname)
            if pk is None:
                items.append(Item(f.name, label, None, "—"))
            elif f.related_model is User:
                items.append(Item(f.name, label, {"id": str(pk), "name": names.user(pk)}, names.user(pk)))
            elif f.related_model is Organisation:
                name = names.organisation(pk)
                items.append(Item(f.name, label, {"id": str(pk), "name": name}, name))
            else:  # a link inside the export (the case, the plan, a meeting): an id, for the JSON
                items.append(Item(f.name, label, str(pk), str(pk), show=False))
            continue
        if isinstance(f, models.FileField):
            present = bool(getattr(obj, f.name))
            items.append(Item(f.name, label, present, _text(present)))
            continue
        value = getattr(obj, f.attname)
        text = str(getattr(obj, f"get_{f.name}_display")()) if f.choices and value not in (None, "") else _text(value)
        items.append(Item(f.name, label, _json(value), text, show=f.name not in BOOKKEEPING))
    return Record(str(obj.pk), items)


# --- Who accessed the case, and to whom it was disclosed -----------------------------------------

ROLE_LABELS = {**{r.value: r.label for r in Role}, "administrator": gettext_lazy("Administrator")}


def role_labels(codes: str) -> str:
    return ", ".join(str(ROLE_LABELS.get(c, c)) for c in codes.split(",") if c)


def access_log_records(events: list[AuditEvent], names: _Names) -> list[Record]:
    records = []
    for e in events:
        actor = names.user(e.actor_id) if e.actor_id else ""
        items = [
            Item("occurred_at", _("When"), _json(e.occurred_at), _text(e.occurred_at)),
            Item("actor", _("Who"), actor or e.actor_username, actor or e.actor_username or _("the system")),
            Item("roles", _("Role"), e.actor_roles, role_labels(e.actor_roles) or "—"),
            Item("organisation", _("Organisation"), e.actor_organisation, e.actor_organisation or "—"),
            Item("action", _("What"), e.action, describe(e.action)),
            Item("result", _("Result"), e.result, e.result),
            Item("reason", _("Reason given"), e.reason, e.reason or "—"),
            Item("channel", _("Through"), e.channel, e.channel or "—"),
        ]
        records.append(Record(str(e.id), items))
    return records


def _disclosure(rid: str, recipient: str, organisation: str, basis: str, start: Any, end: Any, scope: str) -> Record:
    return Record(
        rid,
        [
            Item("recipient", _("Recipient"), recipient, recipient or "—"),
            Item("organisation", _("Organisation"), organisation, organisation or "—"),
            Item("basis", _("On the basis of"), basis, basis),
            Item("from", _("From"), _json(start), _text(start)),
            Item("until", _("Until"), _json(end), _text(end)),
            Item("scope", _("Scope"), scope, scope or "—"),
        ],
    )


def disclosure_records(case: Case, names: _Names) -> list[Record]:
    """To whom the case's information went: consents, OT meetings, the network, emergency accesses."""
    from ketenregie.cases.models import OTAgendaItem
    from ketenregie.consent.enums import ConsentKind
    from ketenregie.consent.models import BreakGlassAccess, Consent
    from ketenregie.meetings.models import MeetingAttendance
    from ketenregie.network.models import NetworkMember

    chain = case.chain_id
    records = []
    for consent in Consent.objects.with_scope(chain=chain).filter(case=case).prefetch_related("organisations"):
        if consent.kind != ConsentKind.SHARING:
            continue
        end = consent.withdrawn_on or consent.valid_until
        scope = ", ".join(consent.life_domains) if consent.life_domains else _("all life domains")
        for org in consent.organisations.all():
            records.append(
                _disclosure(f"consent:{consent.pk}:{org.pk}", "", org.name, _("consent"), consent.signed_on, end, scope)
            )
    items = OTAgendaItem.objects.with_scope(chain=chain).filter(case=case).select_related("meeting")
    for item in items:
        for attendance in item.meeting.attendances.filter(present=True):
            records.append(
                _disclosure(
                    f"ot:{item.pk}:{attendance.pk}",
                    names.user(attendance.user_id),
                    names.organisation(attendance.organisation_id) if attendance.organisation_id else "",
                    _("OT meeting (case conference)"),
                    item.meeting.starts_at,
                    item.meeting.starts_at,
                    item.get_kind_display(),
                )
            )
    for member in NetworkMember.objects.with_scope(chain=chain).filter(case=case):
        if not (member.organisation_id or member.user_id):
            continue
        records.append(
            _disclosure(
                f"network:{member.pk}",
                member.name,
                names.organisation(member.organisation_id) if member.organisation_id else "",
                _("network of the youth"),
                member.since,
                member.until,
                ", ".join(member.life_domains),
            )
        )
    attendances = MeetingAttendance.objects.with_scope(chain=chain).filter(
        meeting__case=case, is_professional=True, is_youth=False
    )
    for attendance in attendances.select_related("meeting"):
        records.append(
            _disclosure(
                f"meeting:{attendance.pk}",
                attendance.name,
                "",
                _("network meeting (case conference)"),
                attendance.meeting.starts_at,
                attendance.meeting.starts_at,
                "",
            )
        )
    for grant in BreakGlassAccess.objects.with_scope(chain=chain).filter(case=case):
        records.append(
            _disclosure(
                f"break_glass:{grant.pk}",
                names.user(grant.user_id),
                "",
                _("emergency access"),
                grant.created_at,
                grant.expires_at,
                grant.reason,
            )
        )
    return records


# --- The whole export ----------------------------------------------------------------------------


def cases_of(youth: Youth) -> list[Case]:
    return list(
        Case.objects.with_scope(chain=youth.chain_id)
        .filter(youth=youth)
        .select_related("chain")
        .order_by("registered_on", "created_at")
    )


def build_export(*, youth: Youth, actor: Any) -> SubjectExport:
    names = _Names()
    cases = []
    for case in cases_of(youth):
        parts = []
        consult = Consult.objects.with_scope(chain=case.chain_id).filter(pk=case.consult_id).first()
        parts.append(
            Part("consult", _("Consult before the registration"), [serialise(consult, names)] if consult else [])
        )
        for section in case_sections():
            rows = [serialise(obj, names) for obj in section.rows(case)]
            parts.append(Part(section.key, str(section.label), rows))
        events = list(AuditEvent.objects.filter(case_id=case.pk).order_by("id"))
        parts.append(Part("access_log", _("Who accessed the case"), access_log_records(events, names)))
        parts.append(Part("disclosures", _("To whom information was disclosed"), disclosure_records(case, names)))
        cases.append(CaseExport(serialise(case, names), case.reference, parts))
    return SubjectExport(
        youth=serialise(youth, names),
        chain=youth.chain.name,
        generated_at=timezone.now(),
        generated_by=person_name(actor) if actor is not None else "",
        cases=cases,
    )


def export_filename(youth: Youth, extension: str) -> str:
    """No name in the file name (SECURITY.md L9): the youth's opaque id and the date."""
    return f"inzage-{str(youth.pk)[:8]}-{timezone.localdate():%Y%m%d}.{extension}"


def render_export_pdf(export: SubjectExport, request: Any = None) -> bytes:
    from ketenregie.cases.pdf import render_pdf

    return render_pdf(
        "privacy/subject_export_pdf.html",
        {"export": export, "chain": {"name": export.chain}, "debug": settings.DEBUG},
        request=request,
    )
