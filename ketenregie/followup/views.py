"""Pages of follow-up: contacts and their rhythm, major events, signals, intervision, notifications.

Thin views: the form parses, the policy scopes (``get_case`` / ``visible_cases``), followup.domain
decides, and its refusals are shown next to the fields. Contacts and events are case content: only
the chain's coordinators and the case's own director open them (others get the same 404).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ketenregie.accounts.enums import Role
from ketenregie.audit.domain import log
from ketenregie.cases.enums import CaseStatus, OTMeetingStatus
from ketenregie.cases.models import Case, OTAgendaItem
from ketenregie.cases.queries import for_read_page
from ketenregie.cases.views.base import apply_domain_error, chain_for_request, chains_with_role, get_case
from ketenregie.common.access import AUTHENTICATED, CASE, CHAIN_MEMBER, access_rule
from ketenregie.common.errors import DomainError, NotAllowed
from ketenregie.consent import policy
from ketenregie.followup import domain, domain_notify, queries
from ketenregie.followup.enums import ContactWith, EventKind
from ketenregie.followup.forms import (
    AcknowledgeForm,
    AdviceForm,
    CadenceForm,
    ContactForm,
    EventForm,
    PreferenceForm,
    SignalFilterForm,
)
from ketenregie.followup.models import CaseCadence, FollowUpContact, MajorEvent, Notification

CONTACTS_PER_PAGE = 20
SIGNALS_PER_PAGE = 50
NOTIFICATIONS_SHOWN = 50


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- Contacts and rhythm --------------------------------------------------------------------------


def contact_figures(case) -> dict:
    """In one query: how many contacts the case has (``count``), the last one with the youth or the
    trusted person (``last``) and the last one that reached the youth (``last_reached``)."""
    return FollowUpContact.objects.filter(case=case).aggregate(
        count=Count("pk"),
        last=Max("contact_at", filter=Q(with_whom__in=[ContactWith.YOUTH, ContactWith.TRUSTED_PERSON])),
        last_reached=Max("contact_at", filter=Q(with_whom=ContactWith.YOUTH, reached=True)),
    )


def _own_cadence(case) -> CaseCadence | None:
    loaded = Case.cadence.related  # the reverse one-to-one, when the page loaded it with the case
    if loaded.is_cached(case):
        return loaded.get_cached_value(case)
    return CaseCadence.objects.filter(case=case).select_related("set_by").first()


def rhythm_of(case, figures: dict | None = None) -> dict:
    """The case's follow-up rhythm: its own cadence or the chain's, the last contact and when the next is due.

    ``figures``: ``contact_figures(case)`` when the caller has them already.
    """
    own = _own_cadence(case)
    days = domain.cadence_days(case, own)
    figures = figures if figures is not None else contact_figures(case)
    last, last_reached = figures["last"], figures["last_reached"]
    watched = case.status == CaseStatus.ACTIVE
    today = timezone.localdate()
    next_due = out_of_view_since = None
    if watched:
        start = case.first_conversation_on or case.registered_on
        next_due = (timezone.localtime(last).date() if last else start) + timedelta(days=days)
        reached_on = timezone.localtime(last_reached).date() if last_reached else start
        if (today - reached_on).days > case.chain.out_of_view_days:
            out_of_view_since = reached_on
    return {
        "own": own,
        "days": days,
        "chain_days": case.chain.follow_up_cadence_days,
        "last": last,
        "watched": watched,
        "next_due": next_due,
        "overdue": next_due is not None and next_due < today,
        "out_of_view_since": out_of_view_since,
    }


def contacts_context(request: HttpRequest, case, *, form=None, saved=None, cadence_form=None) -> dict:
    """Everything ``followup/_contacts.html`` needs; the case page can embed the partial with it."""
    can_log = not case.is_closed
    if form is None and can_log:
        form = ContactForm(case=case)
    figures = contact_figures(case)
    paginator = Paginator(
        FollowUpContact.objects.filter(case=case).select_related("network_member", "created_by"), CONTACTS_PER_PAGE
    )
    paginator.count = figures["count"]  # counted with the rhythm's figures: no COUNT query of its own
    page = paginator.get_page(request.GET.get("page"))
    labels = dict(case.chain.life_domain_choices)
    for contact in page.object_list:
        contact.domain_labels = [labels.get(code, code) for code in contact.life_domains]
    rhythm = rhythm_of(case, figures)
    if cadence_form is None:
        cadence_form = CadenceForm(
            initial={
                "days": rhythm["own"].days if rhythm["own"] else None,
                "reason": rhythm["own"].reason if rhythm["own"] else "",
            }
        )
    return {
        "case": case,
        "form": form,
        "can_log": can_log,
        "page": page,
        "contacts": page.object_list,
        "saved": saved,
        "rhythm": rhythm,
        "cadence_form": cadence_form,
        "contacts_url": reverse("followup:contacts", kwargs={"case_id": case.pk}),
    }


@access_rule(CASE)
@require_http_methods(["GET", "POST"])
def contacts(request: HttpRequest, case_id) -> HttpResponse:
    # Reading the page: the restriction (for the tabs) and the case's own rhythm come with the case.
    reading = request.method == "GET"
    case = get_case(
        request, case_id, work=True, queryset=for_read_page(request.user, "cadence__set_by") if reading else None
    )
    form = None
    saved = None
    if request.method == "POST":
        form = ContactForm(request.POST, case=case)
        if form.is_valid():
            try:
                saved = domain.record_contact(
                    actor=request.user,
                    case=case,
                    data=form.contact_data(),
                    submission_key=form.cleaned_data.get("submission_key"),
                )
            except NotAllowed:
                raise PermissionDenied from None
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                if not _htmx(request):
                    messages.success(request, _("The contact is logged."))
                    return redirect("followup:contacts", case_id=case.pk)
                form = None  # a fresh form for the next contact
    context = contacts_context(request, case, form=form, saved=saved)
    return render(request, "followup/_contacts.html" if _htmx(request) else "followup/contacts.html", context)


@access_rule(CASE)
@require_POST
def cadence(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    form = CadenceForm(request.POST)
    if form.is_valid():
        days = form.cleaned_data["days"]
        try:
            domain.set_cadence(actor=request.user, case=case, days=days, reason=form.cleaned_data["reason"] or "")
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if days is None:
                messages.success(
                    request,
                    _("The case follows the chain's rhythm again: a contact every %(days)d days.")
                    % {"days": case.chain.follow_up_cadence_days},
                )
            else:
                messages.success(
                    request, _("The rhythm of this case is now a contact every %(days)d days.") % {"days": days}
                )
            return redirect(reverse("followup:contacts", kwargs={"case_id": case.pk}) + "#ritme")
    context = contacts_context(request, case, cadence_form=form)
    context["cadence_open"] = True
    return render(request, "followup/contacts.html", context)


# --- Major events -----------------------------------------------------------------------------------


def _next_agenda_item(case):
    return (
        OTAgendaItem.objects.filter(
            case=case, decision="", meeting__status=OTMeetingStatus.PLANNED, meeting__starts_at__gte=timezone.now()
        )
        .select_related("meeting")
        .order_by("meeting__starts_at")
        .first()
    )


@access_rule(CASE)
@require_http_methods(["GET", "POST"])
def events(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    can_record = not case.is_closed
    form = EventForm(request.POST or None, case=case) if can_record or request.method == "POST" else None
    if form is not None and form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            event = domain.record_event(
                actor=request.user,
                case=case,
                kind=data["kind"],
                occurred_on=data["occurred_on"],
                description=data["description"],
            )
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            domain_notify.notify_event_recorded(event=event, actor=request.user)
            if event.flagged_for_ot:
                item = _next_agenda_item(case)
                if item is not None:
                    when = timezone.localtime(item.meeting.starts_at)
                    messages.warning(
                        request,
                        _("The event is saved and put the case on the agenda of the next OT meeting, on %(date)s.")
                        % {"date": date_format(when, "l j F Y")},
                    )
                else:
                    messages.warning(
                        request,
                        _(
                            "The event is saved. The case goes back to the OT: it is put on the "
                            "agenda as soon as the next OT meeting is planned."
                        ),
                    )
            else:
                messages.success(request, _("The event is saved."))
            return redirect("followup:events", case_id=case.pk)
    events_list = list(MajorEvent.objects.filter(case=case).select_related("created_by"))
    return render(
        request,
        "followup/events.html",
        {
            "case": case,
            "form": form,
            "events": events_list,
            "ot_kinds": [str(EventKind(k).label) for k in (case.chain.ot_event_kinds or []) if k in EventKind.values],
            "next_item": _next_agenda_item(case) if case.flagged_for_ot else None,
        },
    )


# --- Signals -------------------------------------------------------------------------------------------


SEVERITY_TITLES = {
    1: (
        _("Act now"),
        _("The youth may be slipping out of view, or sharing rests on a consent that is no longer valid."),
    ),
    2: (_("To do this week"), _("Follow-up that is behind.")),
    3: (_("Coming up"), _("Prepare these in time.")),
}


def _severity_titles() -> dict:
    return {k: (str(t), str(i)) for k, (t, i) in SEVERITY_TITLES.items()}


def _case_options(form: SignalFilterForm, selected: str) -> str:
    """The options of the case filter, composed at once: a coordinator's chain has signals on hundreds
    of cases, and the form's widget renders each option through a template of its own."""
    return mark_safe(  # noqa: S308 — every value and label is escaped
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>{escape(label)}</option>'
            for value, label in form.fields["case"].choices
        )
    )


@access_rule(CHAIN_MEMBER)
def signals(request: HttpRequest) -> HttpResponse:
    user = request.user
    all_signals = queries.signals_of(user)
    case_labels: dict[str, str] = {}
    for s in all_signals:
        case_labels.setdefault(str(s.case_id), f"{s.case_reference} · {s.youth_name}")
    form = SignalFilterForm(request.GET or None, cases=sorted(case_labels.items(), key=lambda kv: kv[1]))
    kind, case = form.values()
    shown = [s for s in all_signals if (not kind or s.kind == kind) and (not case or str(s.case_id) == case)]
    # A chain in its tenth year has signals by the thousand: the most severe first, a page at a time.
    page = Paginator(shown, SIGNALS_PER_PAGE).get_page(request.GET.get("page"))
    titles = _severity_titles()
    groups = []
    for severity in queries.SEVERITY_GROUPS:
        items = [{"signal": s, "action_url": queries.action_url(s)} for s in page.object_list if s.severity == severity]
        if items:
            groups.append(
                {"severity": severity, "title": titles[severity][0], "intro": titles[severity][1], "items": items}
            )
    log("followup.signals_listed", actor=user, details={"count": len(shown)})
    return render(
        request,
        "followup/signals.html",
        {
            "form": form,
            "case_options": _case_options(form, case),
            "groups": groups,
            "total": len(all_signals),
            "shown": len(shown),
            "kinds": queries.counts_by_kind(all_signals),
            "kind": kind,
            "case": case,
            "filtered": bool(kind or case),
            "page": page,
            "acts_on_signals": bool(all_signals) or queries.acts_on_signals(user),
            "quiet_days": 7,
        },
    )


@access_rule(CHAIN_MEMBER)
@require_POST
def acknowledge(request: HttpRequest) -> HttpResponse:
    back = _safe_next(request, reverse("followup:signals"))
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long (500 characters at most)."))
        return redirect(back)
    key = form.cleaned_data["key"]
    parts = key.split(":")
    if len(parts) < 3:
        raise Http404
    case = get_case(request, parts[1], audit=False)  # the acknowledgement itself is audited
    current = {s.key: s for s in queries.signals_of(request.user, case_id=case.pk)}
    signal = current.get(key)
    if signal is None:
        messages.info(request, _("This signal is no longer there: nothing left to do."))
        return redirect(back)
    try:
        ack = domain.acknowledge_signal(actor=request.user, case=case, key=key, note=form.cleaned_data["note"])
    except NotAllowed:
        raise PermissionDenied from None
    messages.success(
        request,
        _(
            "Noted. “%(kind)s” for %(reference)s stays quiet until %(date)s; if the cause is "
            "still there then, the signal comes back."
        )
        % {
            "kind": signal.kind_label,
            "reference": case.reference,
            "date": date_format(ack.quiet_until, "j F Y"),
        },
    )
    return redirect(back)


# --- Intervision ---------------------------------------------------------------------------------------


def _intervision_page(request: HttpRequest, chain, chains, *, page=None, errors: dict | None = None, status: int = 200):
    overview = queries.intervision_overview(request.user, chain, page=page or request.GET.get("page"))
    log(
        "case.listed",
        actor=request.user,
        chain_id=chain.pk,
        details={"view": "intervision", "count": len(overview.rows)},
    )
    errors = errors or {}
    shown = {row.case.pk for row in overview.rows}
    for row in overview.rows:
        row.error_form = errors.get(row.case.pk)
    for case_id, form in errors.items():
        if case_id not in shown:  # the list moved on since the form was sent: say it at the top
            for message in form.errors.get("advice", []) + form.non_field_errors():
                messages.error(request, message)
    return render(
        request,
        "followup/intervision.html",
        {
            "overview": overview,
            "page": overview.page,
            "chain": chain,
            "chains": chains if len(chains) > 1 else [],
            "today": timezone.localdate(),
            "mine": [r for r in overview.rows if r.case.case_director_id == request.user.pk],
            "others": [r for r in overview.rows if r.case.case_director_id != request.user.pk],
        },
        status=status,
    )


def _intervision_chains(request: HttpRequest) -> list:
    return chains_with_role(request.user, Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR)


@access_rule(CHAIN_MEMBER)
def intervision(request: HttpRequest) -> HttpResponse:
    chain, chains = chain_for_request(request, Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR)
    return _intervision_page(request, chain, chains)


@access_rule(CASE)
@require_POST
def intervision_advice(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, work=True, audit=False)  # the advice itself is audited
    if case.status != CaseStatus.ACTIVE:
        raise Http404
    form = AdviceForm(request.POST)
    page = request.POST.get("page", "")  # back on the page the advice was given from
    if form.is_valid():
        try:
            session = domain.start_intervision(actor=request.user, chain=case.chain, held_on=timezone.localdate())
            advice = domain.record_intervision_advice(
                actor=request.user, session=session, case=case, advice=form.cleaned_data["advice"]
            )
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            domain_notify.notify_intervision_advice(advice=advice, actor=request.user)
            messages.success(
                request,
                _("The team's advice for %(reference)s is saved in the case's history.")
                % {"reference": case.reference},
            )
            params = {}
            if len(_intervision_chains(request)) > 1:
                params["keten"] = case.chain.slug
            if page.isdigit() and page != "1":
                params["page"] = page
            url = reverse("followup:intervision") + (f"?{urlencode(params)}" if params else "")
            return redirect(f"{url}#case-{case.pk}")
    return _intervision_page(
        request, case.chain, _intervision_chains(request), page=page or None, errors={case.pk: form}
    )


# --- Notifications -------------------------------------------------------------------------------------


def _rows(user, notifications: list[Notification]) -> list[dict]:
    """Each notification's sentence, composed only when its case is still visible to ``user``."""
    case_ids = {n.case_id for n in notifications if n.case_id}
    cases = (
        {c.pk: c for c in policy.visible_cases(user).filter(pk__in=case_ids).select_related("youth")}
        if case_ids
        else {}
    )
    rows = []
    for n in notifications:
        case = cases.get(n.case_id) if n.case_id else None
        accessible = n.case_id is None or case is not None
        text = ""
        if accessible:
            template = domain_notify.KINDS.get(n.kind)
            values = (
                {"reference": case.reference, "youth": case.youth.full_name} if case else {"reference": "", "youth": ""}
            )
            text = str(template) % values if template else _("A notification.")
        rows.append({"n": n, "accessible": accessible, "text": text})
    return rows


@access_rule(AUTHENTICATED)
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(Notification.objects.filter(user=request.user).order_by("-created_at")[:NOTIFICATIONS_SHOWN])
    rows = _rows(request.user, items)
    if any(r["accessible"] and r["n"].case_id for r in rows):
        log("case.listed", actor=request.user, details={"view": "notifications", "count": len(rows)})
    return render(
        request,
        "followup/notifications.html",
        {
            "rows": rows,
            "unread": sum(1 for r in rows if r["n"].read_at is None),
            "preference": domain_notify.digest_preference(request.user),
        },
    )


def _own_notification(request: HttpRequest) -> Notification:
    try:
        pk = int(request.POST.get("notification", ""))
    except ValueError:
        raise Http404 from None
    found = Notification.objects.filter(user=request.user, pk=pk).first()
    if found is None:
        raise Http404
    return found


@access_rule(AUTHENTICATED)
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    if request.POST.get("all"):
        n = domain_notify.mark_read(user=request.user)
        messages.success(
            request, ngettext("%(n)d notification marked as read.", "%(n)d notifications marked as read.", n) % {"n": n}
        )
    else:
        domain_notify.mark_read(user=request.user, ids=[_own_notification(request).pk])
    return redirect("followup:notifications")


@access_rule(AUTHENTICATED)
@require_POST
def notification_open(request: HttpRequest) -> HttpResponse:
    notification = _own_notification(request)
    domain_notify.mark_read(user=request.user, ids=[notification.pk])
    row = _rows(request.user, [notification])[0]
    url = notification.url
    if not row["accessible"] or not url_has_allowed_host_and_scheme(url, allowed_hosts=None) or not url.startswith("/"):
        messages.info(request, _("This notification is about a case you no longer have access to."))
        return redirect("followup:notifications")
    return redirect(url)


@access_rule(AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferenceForm(request.POST or None, initial={"digest": domain_notify.digest_preference(request.user)})
    if request.method == "POST" and form.is_valid():
        try:
            domain_notify.set_digest_preference(actor=request.user, digest=form.cleaned_data["digest"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your choice is saved."))
            return redirect("followup:notifications")
    return render(request, "followup/preferences.html", {"form": form})
