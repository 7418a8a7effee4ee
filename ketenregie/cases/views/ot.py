"""Operational team (OT) pages: meetings, their agenda and decisions, attendance and minutes.

Operational coordinators manage meetings and record decisions. OT members see the meetings they
attend; on the agenda they see a dossier's summary only when the policy lets them see the case
(the youth's valid consent to OT discussion) and after they acknowledged confidentiality for that
meeting (SECURITY.md L2) — the information is shared at the meeting, under professional secrecy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import User
from ketenregie.audit.domain import log
from ketenregie.cases import domain
from ketenregie.cases.eligibility import age_on
from ketenregie.cases.enums import OTDecision, OTMeetingStatus
from ketenregie.cases.forms_ot import AttendanceForm, DecisionForm, HeldForm, MeetingForm, valid_legal_bases
from ketenregie.cases.models import OTAgendaItem, OTAttendance, OTMeeting
from ketenregie.cases.pdf import pdf_response, render_pdf
from ketenregie.cases.queries import with_item_counts
from ketenregie.cases.views.base import apply_domain_error, chain_for_request, chains_with_role
from ketenregie.common.access import CHAIN_MEMBER, access_rule
from ketenregie.common.errors import DomainError, NotAllowed, StaleVersion
from ketenregie.consent import policy

HELD_PER_PAGE = 20

# --- Look-ups ----------------------------------------------------------------------------------


def _meeting_or_404(request: HttpRequest, meeting_id) -> OTMeeting:
    meeting = (
        policy.visible_ot_meetings(request.user).select_related("legal_basis", "chain").filter(pk=meeting_id).first()
    )
    if meeting is None:
        raise Http404
    return meeting


def _item_or_404(request: HttpRequest, item_id) -> OTAgendaItem:
    item = (
        OTAgendaItem.objects.filter(pk=item_id, meeting__in=policy.visible_ot_meetings(request.user))
        .select_related("meeting__chain", "meeting__legal_basis")
        .first()
    )
    if item is None:
        raise Http404
    return item


def _require_manager(request: HttpRequest, meeting: OTMeeting) -> None:
    """Visible but not allowed is a 403 (the meeting's existence is no secret to its attendees)."""
    if not policy.can_manage_ot(request.user, meeting.chain_id):
        raise PermissionDenied


def _case_directors(chain) -> list:
    return list(
        User.objects.filter(memberships__chain=chain, memberships__role=Role.CASE_DIRECTOR, memberships__is_active=True)
        .distinct()
        .order_by("first_name", "last_name")
    )


def _items(meeting: OTMeeting) -> list[OTAgendaItem]:
    items = list(
        OTAgendaItem.objects.filter(meeting=meeting).select_related(
            "case__youth", "case__referrer_organisation", "chosen_case_director", "decided_by"
        )
    )
    for item in items:
        item.meeting = meeting  # the policy's predicates read item.meeting; spare the query
    return items


def _visible_case_ids(request: HttpRequest, items: list[OTAgendaItem], is_coordinator: bool) -> set:
    if is_coordinator:
        return {item.case_id for item in items}
    # The rule of policy.can_see_ot_item_case, asked once for the whole agenda instead of per item.
    ids = [item.case_id for item in items]
    return set(policy.visible_cases(request.user).filter(pk__in=ids).values_list("pk", flat=True))


# --- The agenda ----------------------------------------------------------------------------------


@dataclass
class AgendaRow:
    item: OTAgendaItem
    visible: bool
    hidden_reason: str = ""
    age: int | None = None
    form: DecisionForm | None = None
    can_decide: bool = False  # the coordinator may record (or change) the decision: a link opens the form
    focus: bool = False  # the form was opened on request: it takes the focus
    conflict: str = ""
    attempted: str = ""
    flash: str = ""

    @property
    def case(self):
        return self.item.case

    @property
    def referrer(self) -> str:
        case = self.item.case
        if case.referrer_organisation_id:
            return f"{case.referrer_organisation.name} ({case.referrer_name})"
        return f"{case.get_referrer_kind_display()}: {case.referrer_name}"

    @property
    def open_for_decision(self) -> bool:
        return self.item.decision in ("", OTDecision.PARK)


@dataclass
class Agenda:
    meeting: OTMeeting
    is_coordinator: bool
    attendances: list
    my_attendance: OTAttendance | None
    acknowledged: bool
    with_forms: bool = True
    rows: list[AgendaRow] = field(default_factory=list)

    @property
    def access_ended(self) -> bool:
        return self.meeting.starts_at < timezone.now() - timedelta(days=policy.OT_MEMBER_ACCESS_DAYS)


def _hidden_reason(agenda: Agenda) -> str:
    if not agenda.acknowledged:
        return _("The details of the dossiers are shown once you acknowledge confidentiality for this meeting.")
    if agenda.access_ended:
        return _("Access to the dossiers of this meeting ended %(days)d days after the meeting.") % {
            "days": policy.OT_MEMBER_ACCESS_DAYS
        }
    return _("No consent for OT discussion: the details of this dossier are not shown.")


def _row(agenda: Agenda, item: OTAgendaItem, visible: bool) -> AgendaRow:
    shown = visible and agenda.acknowledged
    row = AgendaRow(item=item, visible=shown)
    if not shown:
        row.hidden_reason = _hidden_reason(agenda)
        return row
    row.age = age_on(item.case.youth.birth_date, timezone.localtime(agenda.meeting.starts_at).date())
    row.can_decide = agenda.is_coordinator and agenda.with_forms and row.open_for_decision
    return row


def _open_forms(meeting: OTMeeting, rows: list[AgendaRow], forms: dict) -> None:
    """Give the rows named in ``forms`` their decision form: the one given, or a fresh one for None.

    The agenda renders a form only for the items the coordinator opened (or whose decision came back
    with errors): each form lists every case director of the chain, and a form per item made a long
    agenda slow (issue #8).
    """
    rows = [row for row in rows if row.can_decide and row.item.pk in forms]
    directors = _case_directors(meeting.chain) if any(forms[row.item.pk] is None for row in rows) else []
    for row in rows:
        row.form = forms[row.item.pk] or DecisionForm(item=row.item, case_directors=directors)


def build_agenda(
    request: HttpRequest, meeting: OTMeeting, *, forms: dict | None = None, with_forms: bool = True
) -> Agenda:
    """The meeting's agenda as this user may see it (a constant number of queries, whatever its length).

    ``forms`` maps the items whose decision form is open to their form (None: a fresh one).
    """
    user = request.user
    is_coordinator = policy.can_manage_ot(user, meeting.chain_id)
    attendances = list(
        OTAttendance.objects.filter(meeting=meeting)
        .select_related("user", "organisation")
        .order_by("user__first_name", "user__last_name")
    )
    mine = next((a for a in attendances if a.user_id == user.pk), None)
    acknowledged = is_coordinator or bool(mine and mine.confidentiality_acknowledged_at)
    agenda = Agenda(meeting, is_coordinator, attendances, mine, acknowledged, with_forms)
    items = _items(meeting)
    visible = _visible_case_ids(request, items, is_coordinator)
    agenda.rows = [_row(agenda, item, item.case_id in visible) for item in items]
    if forms:
        _open_forms(meeting, agenda.rows, forms)
    return agenda


def shown_case_ids(agenda: Agenda) -> list[str]:
    """The dossiers whose content this page shows: the audit row names each of them."""
    return [str(row.case.pk) for row in agenda.rows if row.visible]


def _render_detail(
    request: HttpRequest,
    meeting: OTMeeting,
    *,
    forms: dict | None = None,
    conflicts: dict | None = None,
    held_form: HeldForm | None = None,
    focus=None,
    status: int = 200,
) -> HttpResponse:
    agenda = build_agenda(request, meeting, forms=forms)
    for row in agenda.rows:
        if conflicts and row.item.pk in conflicts:
            row.conflict, row.attempted = conflicts[row.item.pk]
        row.focus = row.item.pk == focus
    # One row per page view (like the case list) with every dossier shown, not one row per dossier:
    # the page keeps a constant number of queries however long the agenda is.
    log(
        "ot.meeting_viewed",
        actor=request.user,
        obj=meeting,
        chain_id=meeting.chain_id,
        details={"cases": shown_case_ids(agenda)},
    )
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "held_form": held_form or HeldForm(initial={"notes": meeting.notes}),
        "open_items": sum(1 for r in agenda.rows if not r.item.decision),
        "meeting_started": timezone.localtime(meeting.starts_at).date() <= timezone.localdate(),
    }
    return render(request, "cases/ot/meeting_detail.html", context, status=status)


# --- Views ------------------------------------------------------------------------------------


@access_rule(CHAIN_MEMBER)
def meeting_list(request: HttpRequest) -> HttpResponse:
    coordinator_chains = chains_with_role(request.user, Role.OPERATIONAL_COORDINATOR)
    member_chains = chains_with_role(request.user, Role.OT_MEMBER)
    if not coordinator_chains and not member_chains:
        raise Http404
    # The list shows neither the legal basis nor the (encrypted) notes: not fetched, not decrypted.
    meetings = policy.visible_ot_meetings(request.user).select_related("chain").defer("notes")
    # Planned meetings are few; the held ones pile up month after month: they come a page at a time,
    # and the items are counted for the meetings shown only.
    upcoming = list(with_item_counts(meetings.filter(status=OTMeetingStatus.PLANNED).order_by("starts_at")))
    held = Paginator(
        with_item_counts(meetings.filter(status=OTMeetingStatus.HELD).order_by("-starts_at", "pk")), HELD_PER_PAGE
    ).get_page(request.GET.get("page"))
    chains = [{"chain": chain, "has_basis": valid_legal_bases(chain).exists()} for chain in coordinator_chains]
    return render(
        request,
        "cases/ot/meeting_list.html",
        {
            "upcoming": upcoming,
            "held": held,
            "coordinator_chains": chains,
            "now": timezone.now(),
            "show_chain": len({chain.pk for chain in (*coordinator_chains, *member_chains)}) > 1,
            "playbook_chain": (coordinator_chains or member_chains)[0],
            "is_coordinator": bool(coordinator_chains),
        },
    )


@access_rule(CHAIN_MEMBER)
def meeting_create(request: HttpRequest) -> HttpResponse:
    chain, chains = chain_for_request(request, Role.OPERATIONAL_COORDINATOR)
    has_basis = valid_legal_bases(chain).exists()
    form = MeetingForm(request.POST or None, chain=chain)
    if request.method == "POST" and has_basis and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = domain.plan_ot_meeting(
                actor=request.user,
                chain=chain,
                starts_at=data["starts_at"],
                location=data["location"],
                legal_basis=data["legal_basis"],
                attendees=list(data["attendees"]),
                submission_key=data["submission_key"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            count = meeting.items.count()
            messages.success(
                request,
                ngettext(
                    "The meeting is planned with %(n)d case on its agenda.",
                    "The meeting is planned with %(n)d cases on its agenda.",
                    count,
                )
                % {"n": count},
            )
            return redirect("cases:ot_detail", meeting_id=meeting.pk)
    return render(
        request, "cases/ot/meeting_form.html", {"chain": chain, "chains": chains, "form": form, "has_basis": has_basis}
    )


@access_rule(CHAIN_MEMBER)
def meeting_detail(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    return _render_detail(request, meeting)


@access_rule(CHAIN_MEMBER)
@require_POST
def decide(request: HttpRequest, item_id) -> HttpResponse:
    item = _item_or_404(request, item_id)
    meeting = item.meeting
    _require_manager(request, meeting)
    directors = _case_directors(meeting.chain)
    form = DecisionForm(request.POST, item=item, case_directors=directors)
    conflict = attempted = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            domain.decide_ot_item(
                actor=request.user,
                item=item,
                data=domain.DecisionData(
                    decision=data["decision"],
                    version=data["version"],
                    chosen_case_director=data.get("chosen_case_director"),
                    guideline=data.get("guideline", ""),
                    subsidiarity=data.get("subsidiarity", ""),
                    advice=data.get("advice", ""),
                    recontact_on=data.get("recontact_on"),
                    park_until=data.get("park_until"),
                    notes=data.get("notes", ""),
                ),
            )
        except StaleVersion:
            conflict = _(
                "Another coordinator recorded a decision in the meantime. Your decision was not saved; the recorded decision is shown below."
            )
            attempted = str(OTDecision(data["decision"]).label)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if request.htmx:
                return _item_partial(request, meeting, item.pk, forms={}, flash=_("The decision is recorded."))
            messages.success(request, _("The decision is recorded."))
            return redirect(reverse("cases:ot_detail", kwargs={"meeting_id": meeting.pk}) + f"#item-{item.pk}")
    # A conflict shows the recorded decision with a fresh form (if the item is still open).
    forms = {item.pk: None if conflict else form}
    if request.htmx:
        return _item_partial(request, meeting, item.pk, forms=forms, conflict=conflict, attempted=attempted)
    return _render_detail(
        request, meeting, forms=forms, conflicts={item.pk: (conflict, attempted)} if conflict else None
    )


@access_rule(CHAIN_MEMBER)
@require_GET
def decision_form(request: HttpRequest, item_id) -> HttpResponse:
    """The decision form of one agenda item, opened from the agenda.

    With htmx only the form comes back, in place of the link that opened it; without JavaScript the
    link opens the whole agenda with this item's form. Only a coordinator has a decision form: for
    anyone else the item answers 404, like one that does not exist (nothing to show, no case to hint at).
    """
    item = _item_or_404(request, item_id)
    meeting = item.meeting
    if not policy.can_manage_ot(request.user, meeting.chain_id):
        raise Http404
    if not request.htmx:
        return _render_detail(request, meeting, forms={item.pk: None}, focus=item.pk)
    # Only the form, none of the dossier: a decision recorded meanwhile gets a line asking to reload.
    row = AgendaRow(item=item, visible=True, focus=True)
    row.can_decide = row.open_for_decision
    _open_forms(meeting, [row], {item.pk: None})
    return render(request, "cases/ot/meeting_detail.html#decision", {"row": row, "fragment": True})


def _item_partial(
    request: HttpRequest,
    meeting: OTMeeting,
    item_id,
    *,
    forms: dict,
    conflict: str = "",
    attempted: str = "",
    flash: str = "",
) -> HttpResponse:
    items = _items(meeting)
    item = next((i for i in items if i.pk == item_id), None)
    if item is None:
        raise Http404
    agenda = Agenda(meeting, True, [], None, True)
    row = _row(agenda, item, policy.can_see_ot_item_case(request.user, item))
    _open_forms(meeting, [row], forms)
    row.conflict, row.attempted, row.flash = conflict, attempted, flash
    agenda.rows = [row]
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "row": row,
        "oob": True,
        "open_items": sum(1 for i in items if not i.decision),
    }
    return render(request, "cases/ot/meeting_detail.html#item", context)


@access_rule(CHAIN_MEMBER)
@require_POST
def attendance(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    target = reverse("cases:ot_detail", kwargs={"meeting_id": meeting.pk}) + "#attendance"
    form = AttendanceForm(request.POST)
    attendee = None
    if form.is_valid():
        attendee = User.objects.filter(pk=form.cleaned_data["attendee"], ot_attendances__meeting=meeting).first()
    if attendee is None:
        messages.error(request, _("This person is not on the attendance list of the meeting."))
        return redirect(target)
    try:
        domain.acknowledge_confidentiality(actor=request.user, meeting=meeting, attendee=attendee)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if attendee.pk == request.user.pk:
            messages.success(request, _("Thank you: your presence and confidentiality for this meeting are recorded."))
        else:
            messages.success(
                request, _("Recorded: %(name)s is present and acknowledged confidentiality.") % {"name": attendee}
            )
    return redirect(target)


@access_rule(CHAIN_MEMBER)
@require_POST
def refresh_agenda(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    _require_manager(request, meeting)
    try:
        added = domain.refresh_agenda(actor=request.user, meeting=meeting)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if added:
            messages.success(
                request,
                ngettext("%(n)d case was added to the agenda.", "%(n)d cases were added to the agenda.", added)
                % {"n": added},
            )
        else:
            messages.info(request, _("The agenda is up to date: no case was waiting to be added."))
    return redirect("cases:ot_detail", meeting_id=meeting.pk)


@access_rule(CHAIN_MEMBER)
@require_POST
def mark_held(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    _require_manager(request, meeting)
    form = HeldForm(request.POST)
    if form.is_valid():
        try:
            domain.mark_meeting_held(actor=request.user, meeting=meeting, notes=form.cleaned_data["notes"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The meeting is recorded as held. The minutes are ready to download."))
            return redirect("cases:ot_detail", meeting_id=meeting.pk)
    return _render_detail(request, meeting, held_form=form)


@access_rule(CHAIN_MEMBER)
def minutes_pdf(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _meeting_or_404(request, meeting_id)
    agenda = build_agenda(request, meeting, with_forms=False)
    pdf = render_pdf(
        "pdf/ot_minutes.html",
        {"meeting": meeting, "chain": meeting.chain, "agenda": agenda, "printed_at": timezone.now()},
    )
    log(
        "case.document_downloaded",
        actor=request.user,
        obj=meeting,
        chain_id=meeting.chain_id,
        details={"document": "ot_minutes", "cases": shown_case_ids(agenda)},
    )
    local = timezone.localtime(meeting.starts_at)
    return pdf_response(pdf, f"ot-verslag-{local:%Y-%m-%d}.pdf")
