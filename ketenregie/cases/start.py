"""Start-page content per role, filled from the case data the user may see.

The coordinators' figures and the OT meetings are fetched for all sections at once, grouped by
chain; a case director's section costs one query. The start page stays at a fixed number of
queries however many cases there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ketenregie.accounts.enums import Role
from ketenregie.accounts.start import Link
from ketenregie.cases.enums import OPEN_STATUSES, CaseStatus, OTMeetingStatus
from ketenregie.cases.models import Consult
from ketenregie.common.case_urls import case_url
from ketenregie.consent import policy

MY_CASES_SHOWN = 10


@dataclass
class Item:
    label: str
    url: str = ""
    note: str = ""


def _url(name: str, chain, several: bool, **params) -> str:
    query = dict(params)
    if several:
        query["keten"] = chain.slug
    url = reverse(name)
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def _meeting_item(meeting) -> Item:
    when = timezone.localtime(meeting.starts_at)
    note = meeting.location
    if (n := getattr(meeting, "item_count", None)) is not None:  # follow-up: the size of the agenda
        on_agenda = ngettext("%(n)d case on the agenda", "%(n)d cases on the agenda", n) % {"n": n}
        note = f"{on_agenda} · {note}" if note else on_agenda
    return Item(
        _("Next OT meeting: %(date)s at %(time)s")
        % {"date": date_format(when, "l j F Y"), "time": date_format(when, "H:i")},
        reverse("cases:ot_detail", kwargs={"meeting_id": meeting.pk}),
        note,
    )


def fill_sections(user, sections) -> None:
    by_role: dict[str, list] = defaultdict(list)
    for section in sections:
        by_role[section.role].append(section)
    several = len({s.chain.pk for s in sections}) > 1
    coordinators = by_role.get(Role.OPERATIONAL_COORDINATOR, [])
    ot_members = by_role.get(Role.OT_MEMBER, [])

    meetings_by_chain: dict = {}
    attending_by_chain: dict = {}
    if coordinators or ot_members:
        chain_ids = [s.chain.pk for s in coordinators + ot_members]
        start_of_today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
        upcoming = (
            policy.visible_ot_meetings(user)
            .filter(chain_id__in=chain_ids, status=OTMeetingStatus.PLANNED, starts_at__gte=start_of_today)
            .order_by("starts_at")
        )
        attending_ids = (
            set(upcoming.filter(attendances__user=user).values_list("pk", flat=True)) if ot_members else set()
        )
        for meeting in upcoming.annotate(item_count=Count("items", distinct=True)):
            meetings_by_chain.setdefault(meeting.chain_id, meeting)
            if meeting.pk in attending_ids:
                attending_by_chain.setdefault(meeting.chain_id, meeting)

    if coordinators:
        _fill_coordinators(user, coordinators, several, meetings_by_chain)
    for section in by_role.get(Role.CASE_DIRECTOR, []):
        _fill_case_director(user, section, several)
    for section in by_role.get(Role.PARTNER, []):
        _fill_partner(user, section, several)
    for section in ot_members:
        if (meeting := attending_by_chain.get(section.chain.pk)) is not None:
            section.items.append(_meeting_item(meeting))
        section.links.append(Link(_("OT meetings"), _url("cases:ot_list", section.chain, several)))
    _fill_followup(user, sections, several)
    from ketenregie.reports.start import add_report_links

    add_report_links(sections, several)


def _fill_coordinators(user, sections, several: bool, meetings_by_chain: dict) -> None:
    chain_ids = [s.chain.pk for s in sections]
    month_start = timezone.localdate().replace(day=1)
    consults = {
        row["chain_id"]: row["n"]
        for row in Consult.objects.with_scope(chain=chain_ids)
        .filter(consulted_on__gte=month_start)
        .order_by()
        .values("chain_id")
        .annotate(n=Count("pk"))
    }
    waiting = [CaseStatus.REGISTERED, CaseStatus.INTAKE, CaseStatus.AWAITING_OT]
    counts: dict = defaultdict(dict)
    for row in (
        policy.visible_cases(user)
        .filter(chain_id__in=chain_ids, status__in=waiting)
        .order_by()
        .values("chain_id", "status")
        .annotate(n=Count("pk"))
    ):
        counts[row["chain_id"]][row["status"]] = row["n"]
    for section in sections:
        chain = section.chain
        per_status = counts.get(chain.pk, {})
        to_process = per_status.get(CaseStatus.REGISTERED, 0) + per_status.get(CaseStatus.INTAKE, 0)
        awaiting = per_status.get(CaseStatus.AWAITING_OT, 0)
        if n := consults.get(chain.pk, 0):
            section.items.append(
                Item(
                    _("Consults this month: %(n)d") % {"n": n},
                    _url("cases:consult_list", chain, False),
                )
            )
        if to_process:
            section.items.append(
                Item(
                    _("Registrations to process: %(n)d") % {"n": to_process},
                    _url(
                        "cases:case_list", chain, several, status=[CaseStatus.REGISTERED.value, CaseStatus.INTAKE.value]
                    ),
                    _("registered or in intake"),
                )
            )
        if awaiting:
            section.items.append(
                Item(
                    _("Cases awaiting the OT: %(n)d") % {"n": awaiting},
                    _url("cases:case_list", chain, several, status=CaseStatus.AWAITING_OT.value),
                )
            )
        if (meeting := meetings_by_chain.get(chain.pk)) is not None:
            section.items.append(_meeting_item(meeting))
        section.links += [
            Link(_("Record a consult"), _url("cases:consult_create", chain, several)),
            Link(_("Register a case"), _url("cases:register", chain, several)),
            Link(_("All cases"), _url("cases:case_list", chain, several)),
            Link(_("OT meetings"), _url("cases:ot_list", chain, several)),
        ]


# What a line of "my cases" shows of a case and its youth.
SHOWN_COLUMNS = ("reference", "status", "chain_id", "youth__first_name", "youth__last_name")


def _fill_case_director(user, section, several: bool) -> None:
    chain = section.chain
    mine = list(
        policy.visible_cases(user)
        .filter(chain_id=chain.pk, case_director=user, status__in=OPEN_STATUSES)
        .select_related("youth")
        .only(*SHOWN_COLUMNS)  # the rest of a case (texts stored encrypted among it) is not shown here
        .annotate(**_follow_up_annotations())
        .order_by("youth__last_name", "youth__first_name")[: MY_CASES_SHOWN + 1]
    )
    for case in mine[:MY_CASES_SHOWN]:
        section.items.append(
            Item(
                f"{case.youth.full_name} ({case.reference})",
                case_url("cases:case_detail", case.pk),
                _follow_up_note(case),
            )
        )
    label = (
        _("All my cases")
        if len(mine) <= MY_CASES_SHOWN
        else _("All my cases (more than %(n)d)") % {"n": MY_CASES_SHOWN}
    )
    section.links.append(Link(label, _url("cases:case_list", chain, several)))
    section.links.append(Link(_("Emergency access to another case"), reverse("cases:break_glass")))


def _fill_partner(user, section, several: bool) -> None:
    """The cases shared with the partner now (network member under a valid sharing consent)."""
    chain = section.chain
    shared = list(
        policy.visible_cases(user)
        .filter(chain_id=chain.pk)
        .select_related("youth")
        .only(*SHOWN_COLUMNS)
        .order_by("youth__last_name", "youth__first_name")[: MY_CASES_SHOWN + 1]
    )
    for case in shared[:MY_CASES_SHOWN]:
        section.items.append(Item(f"{case.youth.full_name} ({case.reference})", case_url("cases:case_detail", case.pk)))
    if shared:
        section.links.append(Link(_("All cases shared with me"), _url("cases:case_list", chain, several)))


# --- Follow-up: signals first, last contacts, next network meetings, the strategists' figures --------

SIGNALS_SHOWN = 10


@dataclass
class SignalBlock:
    mine: bool  # a case director's own signals, or all the chain's (coordinator)
    total: int
    items: list
    url: str


def _follow_up_annotations() -> dict:
    """Last contact with the youth or trusted person, and the next planned network meeting, per case."""
    from django.db.models import OuterRef, Subquery

    from ketenregie.followup.enums import ContactWith
    from ketenregie.followup.models import FollowUpContact
    from ketenregie.meetings.enums import MeetingStatus
    from ketenregie.meetings.models import NetworkMeeting

    contacts = FollowUpContact.objects.with_scopes_disabled().filter(
        case=OuterRef("pk"), with_whom__in=[ContactWith.YOUTH, ContactWith.TRUSTED_PERSON]
    )
    meetings = NetworkMeeting.objects.with_scopes_disabled().filter(
        case=OuterRef("pk"), status=MeetingStatus.PLANNED, starts_at__gte=timezone.now()
    )
    return {
        "last_contact": Subquery(contacts.order_by("-contact_at").values("contact_at")[:1]),
        "next_meeting": Subquery(meetings.order_by("starts_at").values("starts_at")[:1]),
    }


def _follow_up_note(case) -> str:
    parts = [str(CaseStatus(case.status).label)]
    if case.status in (CaseStatus.INCLUDED, CaseStatus.ACTIVE):
        if case.last_contact:
            parts.append(
                _("last contact %(date)s") % {"date": date_format(timezone.localtime(case.last_contact), "j F")}
            )
        else:
            parts.append(_("no contact logged yet"))
    if case.next_meeting:
        when = timezone.localtime(case.next_meeting)
        parts.append(
            _("network meeting %(date)s at %(time)s")
            % {"date": date_format(when, "j F"), "time": date_format(when, "H:i")}
        )
    return " · ".join(parts)


def _fill_followup(user, sections, several: bool) -> None:
    """Signals on top of the coordinators' and case directors' sections; figures for the strategists.

    One computation of the signals serves every section (signals_for: a fixed number of queries),
    and the strategists' figures are two aggregate queries for all their chains together.
    """
    from ketenregie.followup import queries as followup

    working = [s for s in sections if s.role in (Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR)]
    if working:
        signals = followup.signals_of(user)
        for section in working:
            mine = section.role == Role.CASE_DIRECTOR
            own = [s for s in signals if s.chain_id == section.chain.pk and (not mine or s.case_director_id == user.pk)]
            section.followup = SignalBlock(
                mine=mine,
                total=len(own),
                url=reverse("followup:signals"),
                items=[{"signal": s, "action_url": followup.action_url(s)} for s in own[:SIGNALS_SHOWN]],
            )
            section.links += [
                Link(_("Signals"), reverse("followup:signals")),
                Link(_("Intervision"), _url("followup:intervision", section.chain, several)),
                Link(_("Notifications"), reverse("followup:notifications")),
            ]
    strategists = [s for s in sections if s.role == Role.STRATEGIC_COORDINATOR]
    if strategists:
        _fill_strategists(strategists)


def _fill_strategists(sections) -> None:
    """Headline figures: aggregates only, never a name or a case (strategists see no case content)."""
    from django.db.models import Q

    from ketenregie.cases.models import Case

    chain_ids = [s.chain.pk for s in sections]
    today = timezone.localdate()
    cases = Case.objects.with_scope(chain=chain_ids).filter(chain_id__in=chain_ids).order_by()
    by_status: dict = defaultdict(dict)
    for row in cases.values("chain_id", "status").annotate(n=Count("pk")):
        by_status[row["chain_id"]][row["status"]] = row["n"]
    totals = {
        row["chain_id"]: row
        for row in cases.values("chain_id").annotate(
            new=Count("pk", filter=Q(registered_on__gte=today.replace(day=1))),
            closed=Count("pk", filter=Q(status=CaseStatus.CLOSED, closed_on__gte=today.replace(month=1, day=1))),
        )
    }
    for section in sections:
        per_status = by_status.get(section.chain.pk, {})
        if not per_status:
            continue
        row = totals.get(section.chain.pk, {})
        section.items += [
            Item(_("Active cases"), note=str(per_status.get(CaseStatus.ACTIVE, 0))),
            Item(_("New registrations this month"), note=str(row.get("new", 0))),
            Item(_("Closed this year"), note=str(row.get("closed", 0))),
        ]
        section.figures_by_status = [
            Item(str(status.label), note=str(per_status[status.value]))
            for status in CaseStatus
            if per_status.get(status.value)
        ]
        section.template = "followup/_start_figures.html"
