"""Pages of the plan of approach: the plan, the editor of one life domain, versions and the youth's PDF.

Thin views: the form parses, plans.domain.save_plan decides and writes, field errors are put back
next to the fields. Everyone who can see the case reads the plan; only those who may work on it
(policy.can_work_on_case) get the editor.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib import messages
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ketenregie.audit.domain import log
from ketenregie.cases.models import Case
from ketenregie.cases.pdf import pdf_response, render_pdf
from ketenregie.cases.queries import for_page_head, for_read_page
from ketenregie.cases.views.base import get_case
from ketenregie.common import chain_version, fragments
from ketenregie.common.access import CASE, access_rule
from ketenregie.common.errors import DomainError, StaleVersion
from ketenregie.consent import policy
from ketenregie.meetings.enums import MeetingStatus
from ketenregie.meetings.models import NetworkMeeting
from ketenregie.plans import domain
from ketenregie.plans.charts import case_progress
from ketenregie.plans.domain import plan_domains
from ketenregie.plans.enums import OPEN_ACTION_STATUSES, ActionStatus, ProposedBy
from ketenregie.plans.forms import DomainEditor
from ketenregie.plans.models import Plan, PlanDomain, PlanVersion

# --- Helpers ----------------------------------------------------------------------------------------


def _domain_labels(chain) -> dict[str, str]:
    return {d["code"]: d["label"] for d in chain.life_domains}


def _need_labels(chain) -> dict[str, str]:
    return {d["code"]: d["label"] for d in chain.glm_needs}


def _plan_of(case) -> Plan | None:
    loaded = Case.plan.related  # the reverse one-to-one, when the page loaded it with the case
    if loaded.is_cached(case):
        return loaded.get_cached_value(case)
    return Plan.objects.filter(case=case).select_related("updated_by").first()


def _can_edit(request: HttpRequest, case) -> bool:
    return policy.can_work_on_case(request.user, case) and not case.is_closed


def _known_domain(case, code: str) -> str:
    if code not in _domain_labels(case.chain):
        raise Http404
    return code


def _uuid(value) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def domain_input_from_snapshot(d: dict) -> domain.DomainInput:
    """A saved domain (snapshot form) as save_plan's input, unchanged."""
    return domain.DomainInput(
        domain=d["domain"],
        situation=d.get("situation", ""),
        strengths=d.get("strengths", ""),
        risks=d.get("risks", ""),
        glm_needs=list(d.get("glm_needs", [])),
        goals=[
            domain.GoalInput(
                text=g["text"],
                proposed_by=g["proposed_by"],
                intended_result=g.get("intended_result", ""),
                youth_agreed=g.get("youth_agreed", False),
                id=_uuid(g["id"]),
                actions=[
                    domain.ActionInput(
                        what=a["what"],
                        responsible_member=_uuid(a.get("responsible_member")),
                        responsible_organisation=_uuid(a.get("responsible_organisation")),
                        due_on=date.fromisoformat(a["due_on"]) if a.get("due_on") else None,
                        status=a["status"],
                        note=a.get("note", ""),
                        id=_uuid(a["id"]),
                    )
                    for a in g.get("actions", [])
                ],
            )
            for g in d.get("goals", [])
        ],
    )


def _document_with(chain, doc: dict, replaced: domain.DomainInput, *, drop: bool) -> list[domain.DomainInput]:
    """The whole plan as it is saved now, with only this one domain replaced (or left out when emptied)."""
    order = {d["code"]: i for i, d in enumerate(chain.life_domains)}
    result = [domain_input_from_snapshot(d) for d in doc.get("domains", []) if d["domain"] != replaced.domain]
    if not drop:
        result.append(replaced)
    return sorted(result, key=lambda d: order.get(d.domain, len(order)))


def _saved_domain(doc: dict, code: str) -> dict | None:
    return next((d for d in doc.get("domains", []) if d["domain"] == code), None)


def _display_domain(chain, d: dict | None, names: dict) -> dict | None:
    """A snapshot-like domain ready for the read-only partial: labels instead of codes."""
    if d is None:
        return None
    needs = _need_labels(chain)
    return {
        "strengths": d.get("strengths", ""),
        "situation": d.get("situation", ""),
        "risks": d.get("risks", ""),
        "glm_needs": [needs.get(n, n) for n in d.get("glm_needs", [])],
        "goals": [
            {
                "text": g["text"],
                "proposed_by": ProposedBy(g["proposed_by"]).label
                if g["proposed_by"] in ProposedBy.values
                else g["proposed_by"],
                "intended_result": g.get("intended_result", ""),
                "youth_agreed": g.get("youth_agreed", False),
                "actions": [
                    {
                        "what": a["what"],
                        "note": a.get("note", ""),
                        "status": ActionStatus(a["status"]).label
                        if a["status"] in ActionStatus.values
                        else a["status"],
                        "due_on": date.fromisoformat(a["due_on"]) if a.get("due_on") else None,
                        "responsible": a.get("responsible")
                        or names.get(a.get("responsible_member") or "")
                        or names.get(a.get("responsible_organisation") or "", ""),
                    }
                    for a in g.get("actions", [])
                ],
            }
            for g in d.get("goals", [])
        ],
    }


def _input_as_snapshot(d: domain.DomainInput) -> dict:
    """The user's unsaved input in the snapshot's shape, to show it beside the saved version."""
    return {
        "domain": d.domain,
        "strengths": d.strengths,
        "situation": d.situation,
        "risks": d.risks,
        "glm_needs": d.glm_needs,
        "goals": [
            {
                "id": str(g.id or ""),
                "text": g.text,
                "proposed_by": g.proposed_by,
                "intended_result": g.intended_result,
                "youth_agreed": g.youth_agreed,
                "actions": [
                    {
                        "id": str(a.id or ""),
                        "what": a.what,
                        "status": a.status,
                        "note": a.note,
                        "due_on": a.due_on.isoformat() if a.due_on else None,
                        "responsible_member": str(a.responsible_member) if a.responsible_member else None,
                        "responsible_organisation": str(a.responsible_organisation)
                        if a.responsible_organisation
                        else None,
                    }
                    for a in g.actions
                ],
            }
            for g in d.goals
        ],
    }


def _strip_ids(d: dict | None):
    """A snapshot domain without ids and display names, to compare contents."""
    if d is None:
        return None
    return {
        **{k: d.get(k) for k in ("strengths", "situation", "risks", "glm_needs")},
        "goals": [
            {
                **{k: g.get(k) for k in ("text", "proposed_by", "intended_result", "youth_agreed")},
                "actions": [
                    {
                        k: a.get(k)
                        for k in ("what", "status", "note", "due_on", "responsible_member", "responsible_organisation")
                    }
                    for a in g.get("actions", [])
                ],
            }
            for g in d.get("goals", [])
        ],
    }


def _responsible_names(case) -> dict[str, str]:
    from ketenregie.plans.forms import current_members, partner_organisations

    names = {str(m.pk): m.name for m in current_members(case)}
    names.update({str(o.pk): o.name for o in partner_organisations(case.chain)})
    return names


# --- The plan page ------------------------------------------------------------------------------------


def _has_content(d: PlanDomain) -> bool:
    return bool(d.strengths or d.situation or d.risks or d.glm_needs or d.goals.all())


@dataclass
class NextMeeting:
    pk: uuid.UUID
    starts_at: datetime


def _with_next_meeting(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The case's next planned network meeting (its id and start) read in the case's own query."""
    upcoming = (
        NetworkMeeting.objects.with_scopes_disabled()  # inside the case's query, which is scoped
        .filter(case=OuterRef("pk"), status=MeetingStatus.PLANNED, starts_at__gte=timezone.now())
        .order_by("starts_at")
    )
    return cases.annotate(
        next_meeting_id=Subquery(upcoming.values("pk")[:1]), next_meeting_at=Subquery(upcoming.values("starts_at")[:1])
    )


@access_rule(CASE)
def plan_page(request: HttpRequest, case_id) -> HttpResponse:
    # The policy decides on the case's keys; the plan is read when the main part is rendered.
    case = get_case(request, case_id, shared=True, queryset=for_page_head(request.user))
    # A partner reads the life domains the youth consented to share with their organisation only.
    allowed = policy.allowed_life_domains(request.user, case)
    can_edit, can_work = _can_edit(request, case), policy.can_work_on_case(request.user, case)
    content = fragments.render(
        request,
        "plans/_plan_main.html",
        lambda: _plan_content(request, case.pk, allowed) | {"can_edit": can_edit, "can_work": can_work},
        versions=chain_version.case_tokens(case.pk, case.chain_id),
        varies_on=(None if allowed is None else sorted(allowed), can_edit, can_work),
    )
    return render(request, "plans/plan.html", {"case": case, "content": content.html})


def _plan_content(request: HttpRequest, case_id, allowed: set[str] | None) -> dict:
    """What the plan page's main part shows: the life domains ``allowed`` (None: all of them)."""
    cases = _with_next_meeting(for_read_page(request.user, "plan__updated_by"))
    case = policy.get_visible_case(request.user, case_id, cases)
    chain = case.chain
    plan = _plan_of(case)
    partner = allowed is not None
    labels, needs = _domain_labels(chain), _need_labels(chain)
    order = {d["code"]: i for i, d in enumerate(chain.life_domains)}
    today = timezone.localdate()
    # The same selection the API answers a partner with (plans.domain.plan_domains).
    domains = [d for d in plan_domains(plan, allowed) if _has_content(d)]
    domains.sort(key=lambda d: order.get(d.domain, len(order)))
    open_count = overdue_count = 0
    for d in domains:
        d.label = labels.get(d.domain, d.domain)
        d.need_labels = [needs.get(n, n) for n in d.glm_needs]
        for goal in d.goals.all():
            for action in goal.actions.all():
                action.is_open = action.status in OPEN_ACTION_STATUSES
                action.is_overdue = action.is_open and action.due_on is not None and action.due_on < today
                action.partner_may_update = (
                    partner
                    and not case.is_closed
                    and action.responsible_member is not None
                    and action.responsible_member.user_id == request.user.pk
                )
                open_count += action.is_open
                overdue_count += action.is_overdue
    present = {d.domain for d in domains}
    next_meeting = (
        None if partner or case.next_meeting_id is None else NextMeeting(case.next_meeting_id, case.next_meeting_at)
    )
    return {
        "case": case,
        "plan": plan,
        "domains": domains,
        "addable": [(d["code"], d["label"]) for d in chain.life_domains if d["code"] not in present],
        "open_count": open_count,
        "overdue_count": overdue_count,
        "next_meeting": next_meeting,
        # The progress chart scores every life domain and links to the meetings: not for partners.
        "progress": None if partner else case_progress(case),
        "partner": partner,
        "today": today,
    }


@access_rule(CASE)
def add_domain(request: HttpRequest, case_id) -> HttpResponse:
    """The "add a life domain" choice on the plan page: opens the editor of the chosen domain."""
    case = get_case(request, case_id, work=True, audit=False)
    code = request.GET.get("domain", "")
    if code not in _domain_labels(case.chain):
        messages.error(request, _("Choose the life domain you want to add."))
        return redirect("plans:plan", case_id=case.pk)
    return redirect("plans:edit_domain", case_id=case.pk, code=code)


# --- The editor of one life domain ---------------------------------------------------------------------


@dataclass
class Conflict:
    plan: Plan
    theirs: dict | None
    mine: dict | None
    this_domain_changed: bool  # did the other person change this life domain, or another one?
    differs: dict  # per part ("strengths", ..., "goals"): True where the saved version and the input differ


def _describe_elsewhere(chain, documents: list[domain.DomainInput]):
    labels = _domain_labels(chain)

    def describe(parts: list[str], message: str) -> str:
        if len(parts) >= 2 and parts[0] == "domains" and parts[1].isdigit() and int(parts[1]) < len(documents):
            label = labels.get(documents[int(parts[1])].domain, documents[int(parts[1])].domain)
            return _("In the life domain %(domain)s: %(message)s") % {"domain": label, "message": message}
        return message

    return describe


@access_rule(CASE)
def edit_domain(request: HttpRequest, case_id, code: str) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    code = _known_domain(case, code)
    chain = case.chain
    label = _domain_labels(chain)[code]
    if case.is_closed:
        messages.warning(request, _("This case is closed: its plan can be read but no longer changed."))
        return redirect("plans:plan", case_id=case.pk)
    plan = _plan_of(case)
    current = domain.snapshot(plan) if plan else {"domains": []}
    saved = _saved_domain(current, code)
    version = plan.version if plan else 0
    conflict = None
    if request.method == "POST":
        editor = DomainEditor.build(case=case, domain=code, version=version, saved=saved, data=request.POST)
        if editor.is_valid():
            started_from = editor.domain_form.cleaned_data["version"]
            mine = editor.to_input(saved)
            drop = editor.is_empty(mine)
            if saved is not None and domain_input_from_snapshot(saved) == mine and started_from == version:
                messages.info(request, _("Nothing was changed in %(domain)s.") % {"domain": label})
                return redirect(reverse("plans:plan", kwargs={"case_id": case.pk}) + f"#domain-{code}")
            if saved is None and drop:
                messages.info(
                    request, _("Nothing was filled in: %(domain)s was not added to the plan.") % {"domain": label}
                )
                return redirect("plans:plan", case_id=case.pk)
            document = _document_with(chain, current, mine, drop=drop)
            try:
                domain.save_plan(actor=request.user, case=case, version=started_from, domains=document)
            except StaleVersion:
                # Nothing is lost: the user's input stays in the form; the saved version is shown beside it.
                names = _responsible_names(case)
                theirs = _display_domain(chain, saved, names)
                ours = _display_domain(chain, _input_as_snapshot(mine), names)
                start = PlanVersion.objects.filter(plan=plan, number=started_from).first() if plan else None
                before = _saved_domain(start.snapshot, code) if start else None
                conflict = Conflict(
                    plan=plan,
                    theirs=theirs,
                    mine=ours,
                    this_domain_changed=_strip_ids(before) != _strip_ids(saved),
                    differs={
                        key: (theirs or {}).get(key) != (ours or {}).get(key)
                        for key in ("strengths", "situation", "risks", "glm_needs", "goals")
                    },
                )
                post = request.POST.copy()
                post["domain-version"] = str(version)
                editor = DomainEditor.build(case=case, domain=code, version=version, saved=saved, data=post)
                editor.is_valid()
            except DomainError as exc:
                index = next(i for i, d in enumerate(document) if d.domain == code) if not drop else -1
                editor.place_errors(exc.errors, index, _describe_elsewhere(chain, document))
                if not exc.errors:
                    editor.domain_form.add_error(None, exc.detail)
            else:
                messages.success(request, _("The plan is saved (%(domain)s).") % {"domain": label})
                if "more" in request.POST and not drop:
                    return redirect("plans:edit_domain", case_id=case.pk, code=code)
                return redirect(reverse("plans:plan", kwargs={"case_id": case.pk}) + f"#domain-{code}")
    else:
        editor = DomainEditor.build(case=case, domain=code, version=version, saved=saved)
    return render(
        request,
        "plans/edit_domain.html",
        {
            "case": case,
            "plan": plan,
            "code": code,
            "label": label,
            "editor": editor,
            "conflict": conflict,
            "is_new_domain": saved is None,
        },
        status=409 if conflict else 200,
    )


# --- Versions --------------------------------------------------------------------------------------------


@dataclass
class ChangeRow:
    what: str
    before: str
    after: str


def _short(text: str, size: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _value(chain, key: str, value) -> str:
    if value in (None, "", []):
        return ""
    if key == "status":
        return str(ActionStatus(value).label) if value in ActionStatus.values else str(value)
    if key == "proposed_by":
        return str(ProposedBy(value).label) if value in ProposedBy.values else str(value)
    if key == "youth_agreed":
        return _("Yes") if value else _("No")
    if key == "glm_needs":
        needs = _need_labels(chain)
        return ", ".join(needs.get(n, n) for n in value)
    if key == "due_on":
        try:
            return date_format(date.fromisoformat(value), "j F Y")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _field_name(key: str) -> str:
    names = {
        "situation": _("Situation"),
        "strengths": _("Strengths and protective factors"),
        "risks": _("Risks"),
        "glm_needs": _("Needs served (Good Lives Model)"),
        "text": _("Goal"),
        "proposed_by": _("Proposed by"),
        "intended_result": _("Intended result"),
        "youth_agreed": _("The youth agrees"),
        "what": _("What will be done"),
        "responsible": _("Who does it"),
        "due_on": _("By when"),
        "status": _("Status"),
        "note": _("Note"),
    }
    return names.get(key, key)


def readable_changes(chain, before: dict, after: dict) -> list[ChangeRow]:
    """plans.domain.diff with life-domain labels, turned into "what / before / after" in plain words."""
    labels = _domain_labels(chain)
    by_label = sorted(labels.items(), key=lambda item: -len(item[1]))
    new_domains = {d["domain"]: d for d in after.get("domains", [])}
    rows = []
    for change in domain.diff(before, after, labels):
        code, rest = next(
            ((c, change.path[len(lbl) + 3 :]) for c, lbl in by_label if change.path.startswith(lbl + " › ")),
            (None, change.path),
        )
        parts = rest.split(" › ")
        where = [labels.get(code, "") if code else ""]
        goal = None
        new_goals = new_domains.get(code, {}).get("goals", [])
        key = parts[-1]
        for part in parts:
            if part.startswith("goal ") and part[5:].isdigit():
                n = int(part[5:])
                goal = new_goals[n - 1] if n <= len(new_goals) else None
                where.append(_("goal %(n)d “%(text)s”") % {"n": n, "text": _short(goal["text"] if goal else "", 40)})
            elif part.startswith("action ") and part[7:].isdigit():
                n = int(part[7:])
                actions = goal.get("actions", []) if goal else []
                text = _short(actions[n - 1]["what"], 40) if n <= len(actions) else ""
                where.append(_("action %(n)d “%(text)s”") % {"n": n, "text": text})
        if key == "goal removed":
            where.append(_("goal removed"))
            key = "text"
        elif key == "action removed":
            where.append(_("action removed"))
            key = "what"
        else:
            where.append(_field_name(key))
        before_text, after_text = _value(chain, key, change.before), _value(chain, key, change.after)
        if before_text == after_text:  # e.g. a new action's empty note: nothing a reader would call a change
            continue
        rows.append(ChangeRow(what=" · ".join(w for w in where if w), before=before_text, after=after_text))
    return rows


@access_rule(CASE)
def version_list(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, content=True)
    plan = _plan_of(case)
    versions = (
        list(PlanVersion.objects.filter(plan=plan).select_related("created_by").order_by("number")) if plan else []
    )
    previous: dict = {"domains": []}
    for v in versions:
        v.change_count = len(readable_changes(case.chain, previous, v.snapshot))
        previous = v.snapshot
    versions.reverse()
    return render(request, "plans/versions.html", {"case": case, "plan": plan, "versions": versions})


@access_rule(CASE)
def version_detail(request: HttpRequest, case_id, number: int) -> HttpResponse:
    case = get_case(request, case_id, content=True)
    plan = _plan_of(case)
    if plan is None:
        raise Http404
    pair = list(
        PlanVersion.objects.filter(plan=plan, number__lte=number).select_related("created_by").order_by("-number")[:2]
    )
    if not pair or pair[0].number != number:
        raise Http404
    version = pair[0]
    previous = pair[1] if len(pair) > 1 else None
    rows = readable_changes(case.chain, previous.snapshot if previous else {"domains": []}, version.snapshot)
    newer = (
        PlanVersion.objects.filter(plan=plan, number__gt=number)
        .order_by("number")
        .values_list("number", flat=True)
        .first()
    )
    return render(
        request,
        "plans/version_detail.html",
        {"case": case, "plan": plan, "version": version, "previous": previous, "rows": rows, "newer": newer},
    )


# --- The youth's PDF ------------------------------------------------------------------------------------


@access_rule(CASE)
def plan_pdf(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, audit=False, work=True)
    plan = _plan_of(case)
    labels = _domain_labels(case.chain)
    order = {d["code"]: i for i, d in enumerate(case.chain.life_domains)}
    domains = [d for d in plan_domains(plan) if d.goals.all()]
    domains.sort(key=lambda d: order.get(d.domain, len(order)))
    helpers: dict = {}
    for d in domains:
        d.label = labels.get(d.domain, d.domain)
        for goal in d.goals.all():
            for action in goal.actions.all():
                if action.responsible_member_id:
                    m = action.responsible_member
                    helpers.setdefault(
                        ("m", m.pk),
                        {
                            "name": m.name,
                            "role": m.role,
                            "organisation": m.organisation.name if m.organisation_id else "",
                        },
                    )
                elif action.responsible_organisation_id:
                    o = action.responsible_organisation
                    helpers.setdefault(("o", o.pk), {"name": o.name, "role": "", "organisation": ""})
    pdf = render_pdf(
        "pdf/plan.html",
        {
            "case": case,
            "chain": case.chain,
            "plan": plan,
            "domains": domains,
            "helpers": list(helpers.values()),
            "director": case.case_director,
            "printed_on": timezone.localdate(),
        },
        request=request,
    )
    log(
        "case.document_downloaded",
        actor=request.user,
        obj=case,
        chain_id=case.chain_id,
        case_id=case.pk,
        details={"document": "plan"},
    )
    return pdf_response(pdf, f"plan-van-aanpak-{case.reference}.pdf")
