"""The network page of a case: the people around the youth, the network map, offence groups.

Everyone who may see the case reads the page; only those who may work on it (its coordinators and
its own case director, ``policy.can_work_on_case``) get the forms, and the form pages look the case
up with ``work=True`` so that anyone else gets the same 404 as for a case that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.queries import roles_in
from ketenregie.audit.domain import log
from ketenregie.cases.models import Case
from ketenregie.cases.views.base import apply_domain_error, get_case
from ketenregie.common.access import CASE, access_rule
from ketenregie.common.errors import DomainError
from ketenregie.consent import policy
from ketenregie.network import domain
from ketenregie.network.enums import MemberKind
from ketenregie.network.forms import EndMemberForm, GroupLinkForm, LinkOtherCaseForm, MemberForm, OffenceGroupForm
from ketenregie.network.mapsvg import network_map_rows, network_map_svg
from ketenregie.network.models import NetworkMember, OffenceGroup, OffenceGroupMember
from ketenregie.network.queries import is_ended, network_share
from ketenregie.plans.enums import OPEN_ACTION_STATUSES
from ketenregie.plans.models import Action
from ketenregie.privacy.queries import with_active_restriction


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


# On these pages someone whose last day is today already counts as "earlier" (queries.is_ended).
def _active_filter(day: date) -> Q:
    return (Q(since__isnull=True) | Q(since__lte=day)) & (Q(until__isnull=True) | Q(until__gt=day))


def _member_or_404(case: Case, member_id) -> NetworkMember:
    member = NetworkMember.objects.filter(case=case, pk=member_id).select_related("organisation", "user").first()
    if member is None:
        raise Http404
    member.case = case
    return member


def _current_members(case: Case, day: date) -> list[NetworkMember]:
    return list(NetworkMember.objects.filter(case=case).filter(_active_filter(day)).select_related("organisation"))


def _map_svg(case: Case, members: list[NetworkMember], day: date) -> str:
    return network_map_svg(case.youth.full_name, members, case.chain.life_domains, as_of=day)


# --- The page ------------------------------------------------------------------------------------


@dataclass
class GroupRow:
    """One case in an offence group, as this viewer may see it."""

    link: OffenceGroupMember
    is_this_case: bool
    visible: bool


@dataclass
class GroupView:
    group: OffenceGroup
    this_link: OffenceGroupMember
    rows: list[GroupRow]


def _offence_groups(visible_cases: QuerySet[Case], case: Case) -> list[GroupView]:
    """The groups of this case; other youths' names only among ``visible_cases`` (the viewer's)."""
    own_links = list(OffenceGroupMember.objects.filter(case=case).select_related("group"))
    if not own_links:
        return []
    groups = {link.group_id: link.group for link in own_links}
    all_links = list(
        OffenceGroupMember.objects.filter(group_id__in=groups).select_related("case__youth").order_by("case__reference")
    )
    other_ids = {link.case_id for link in all_links if link.case_id != case.pk}
    visible = set(visible_cases.filter(pk__in=other_ids).values_list("pk", flat=True))
    result = []
    for own in sorted(own_links, key=lambda link: (link.group.facts_on or date.min, link.group.name), reverse=True):
        rows = [
            GroupRow(link=link, is_this_case=link.case_id == case.pk, visible=link.case_id in visible)
            for link in all_links
            if link.group_id == own.group_id
        ]
        rows.sort(key=lambda r: (not r.is_this_case, not r.visible))
        result.append(GroupView(group=groups[own.group_id], this_link=own, rows=rows))
    return result


@access_rule(CASE)
def network_page(request: HttpRequest, case_id) -> HttpResponse:
    # The one audit row of this read; the case's restriction (for the tabs) comes with it. The
    # viewer's scope is built once, for the case and for the other cases of its offence groups.
    visible = policy.visible_cases(request.user)
    case = get_case(request, case_id, shared=True, queryset=with_active_restriction(visible))
    today = timezone.localdate()
    can_work = policy.can_work_on_case(request.user, case)
    share = network_share(request.user, case, today)
    partner = not share.full
    labels = dict(case.chain.life_domain_choices)
    for m in share.members:
        m.domain_labels = [labels.get(code, code) for code in share.domains_of(m)]
    current = [m for m in share.members if not is_ended(m, today)]
    earlier = sorted((m for m in share.members if is_ended(m, today)), key=lambda m: m.until, reverse=True)
    on_map = [m for m in current if m.since is None or m.since <= today]
    trusted = next((m for m in current if m.is_trusted_person), None)
    context = {
        "case": case,
        "today": today,
        "can_work": can_work and not case.is_closed,
        "is_closed": case.is_closed,
        "formal": [m for m in current if m.kind == MemberKind.FORMAL],
        "informal": [m for m in current if m.kind == MemberKind.INFORMAL],
        "earlier": earlier,
        "trusted": trusted,
        # The case names a trusted person (recorded at the start) who is not in the network yet.
        "trusted_missing": case.trusted_person_name if trusted is None and case.trusted_person_name else "",
        "map_rows": [] if partner else network_map_rows(on_map, case.chain.life_domains),
        # Safe: network_map_svg escapes every piece of text it puts in the SVG (names, roles,
        # organisations, life-domain labels); attribute values are numbers and constants.
        "network_map": mark_safe(_map_svg(case, on_map, today)) if on_map and not partner else "",  # noqa: S308
        "groups": [] if partner else _offence_groups(visible, case),
        "partner": partner,
        "show_contact_details": share.contact_details,
        "can_create_group": can_work
        and not case.is_closed
        and bool(roles_in(request.user, case.chain_id) & {Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR}),
        "is_coordinator": policy.is_coordinator(request.user, case.chain_id),
        "show_notes": share.notes,
    }
    return render(request, "network/network.html", context)


@access_rule(CASE)
def network_map_download(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, audit=False, content=True)
    today = timezone.localdate()
    svg = _map_svg(case, _current_members(case, today), today)
    log(
        "case.document_downloaded",
        actor=request.user,
        obj=case,
        chain_id=case.chain_id,
        case_id=case.pk,
        details={"document": "network_map_svg"},
    )
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml; charset=utf-8"
    )
    # The file name carries the case number only, no personal data.
    response["Content-Disposition"] = content_disposition_header(True, f"netwerkkaart-{case.reference}.svg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Members -------------------------------------------------------------------------------------


def _editable_case(request: HttpRequest, case_id) -> Case | None:
    case = get_case(request, case_id, work=True)
    if case.is_closed:
        messages.error(request, _("This case is closed: its network can be read but no longer changed."))
        return None
    return case


@access_rule(CASE)
def member_add(request: HttpRequest, case_id) -> HttpResponse:
    case = _editable_case(request, case_id)
    if case is None:
        return redirect("network:page", case_id=case_id)
    if request.method == "POST":
        form = MemberForm(request.POST, chain=case.chain)
        if form.is_valid():
            try:
                member = domain.add_network_member(actor=request.user, case=case, data=form.member_data())
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("%(name)s is added to the network.") % {"name": member.name})
                return redirect("network:page", case_id=case.pk)
    else:
        initial: dict = {}
        kind = request.GET.get("soort", "")
        if kind in MemberKind.values:
            initial["kind"] = kind
        if request.GET.get("vertrouwenspersoon") and case.trusted_person_name:
            contact = case.trusted_person_contact
            initial.update(
                kind=MemberKind.INFORMAL,
                name=case.trusted_person_name,
                is_trusted_person=True,
                **({"email": contact} if "@" in contact else {"phone": contact}),
            )
        form = MemberForm(initial=initial, chain=case.chain)
    return render(request, "network/member_form.html", {"case": case, "form": form, "member": None})


@access_rule(CASE)
def member_edit(request: HttpRequest, case_id, member_id) -> HttpResponse:
    case = _editable_case(request, case_id)
    if case is None:
        return redirect("network:page", case_id=case_id)
    member = _member_or_404(case, member_id)
    if request.method == "POST":
        form = MemberForm(request.POST, chain=case.chain, current_organisation=member.organisation)
        if form.is_valid():
            try:
                domain.update_network_member(actor=request.user, member=member, data=form.member_data())
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The details of %(name)s are saved.") % {"name": member.name})
                return redirect("network:page", case_id=case.pk)
    else:
        form = MemberForm(
            initial=MemberForm.initial_from(member), chain=case.chain, current_organisation=member.organisation
        )
    return render(request, "network/member_form.html", {"case": case, "form": form, "member": member})


@access_rule(CASE)
def member_end(request: HttpRequest, case_id, member_id) -> HttpResponse:
    case = _editable_case(request, case_id)
    if case is None:
        return redirect("network:page", case_id=case_id)
    member = _member_or_404(case, member_id)
    today = timezone.localdate()
    if is_ended(member, today):
        messages.info(request, _("%(name)s already left the network.") % {"name": member.name})
        return redirect("network:page", case_id=case.pk)
    open_actions = list(
        Action.objects.filter(responsible_member=member, status__in=OPEN_ACTION_STATUSES).order_by("due_on", "position")
    )
    others = NetworkMember.objects.filter(case=case).filter(_active_filter(today)).exclude(pk=member.pk)
    form = EndMemberForm(request.POST or None, member=member, others=others, has_open_actions=bool(open_actions))
    if request.method == "POST" and form.is_valid():
        try:
            domain.end_network_member(
                actor=request.user,
                member=member,
                on=form.cleaned_data["on"],
                reassign_to=form.cleaned_data.get("reassign_to"),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s is no longer part of the network.") % {"name": member.name})
            return redirect("network:page", case_id=case.pk)
    return render(
        request, "network/member_end.html", {"case": case, "member": member, "form": form, "open_actions": open_actions}
    )


# --- Offence groups ------------------------------------------------------------------------------


def _linkable_groups(request: HttpRequest, case: Case):
    """Coordinators choose from every group of the chain, case directors from the groups of cases they see."""
    groups = OffenceGroup.objects.filter(chain=case.chain)
    if not policy.is_coordinator(request.user, case.chain_id):
        groups = groups.filter(Q(members__case=case) | Q(members__case__in=policy.visible_cases(request.user)))
    return groups.distinct().order_by("-facts_on", "name")


@access_rule(CASE)
def group_create(request: HttpRequest, case_id) -> HttpResponse:
    case = _editable_case(request, case_id)
    if case is None:
        return redirect("network:page", case_id=case_id)
    form = OffenceGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The group and this case's place in it, or neither.
            with transaction.atomic():
                group = domain.create_offence_group(
                    actor=request.user,
                    chain=case.chain,
                    name=data["name"],
                    facts_on=data["facts_on"],
                    dynamics=data["dynamics"],
                )
                domain.link_case_to_group(
                    actor=request.user, group=group, case=case, position=data["position"], influence=data["influence"]
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _('The offence group "%(name)s" is recorded.') % {"name": group.name})
            return redirect("network:page", case_id=case.pk)
    return render(request, "network/group_form.html", {"case": case, "form": form})


@access_rule(CASE)
def group_link(request: HttpRequest, case_id) -> HttpResponse:
    """Link this case to an existing group, or change its position and influence there."""
    case = _editable_case(request, case_id)
    if case is None:
        return redirect("network:page", case_id=case_id)
    groups = _linkable_groups(request, case)
    if request.method == "POST":
        form = GroupLinkForm(request.POST, groups=groups)
        if form.is_valid():
            data = form.cleaned_data
            try:
                domain.link_case_to_group(
                    actor=request.user,
                    group=data["group"],
                    case=case,
                    position=data["position"],
                    influence=data["influence"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _('The place of %(name)s in "%(group)s" is saved.')
                    % {"name": case.youth.first_name, "group": data["group"].name},
                )
                return redirect("network:page", case_id=case.pk)
    else:
        initial = {}
        current = OffenceGroupMember.objects.filter(case=case, group_id=_uuid_or_none(request.GET.get("groep"))).first()
        if current is not None:
            initial = {"group": current.group_id, "position": current.position, "influence": current.influence}
        form = GroupLinkForm(initial=initial, groups=groups)
    return render(request, "network/group_link.html", {"case": case, "form": form, "has_groups": groups.exists()})


@access_rule(CASE)
def group_link_other(request: HttpRequest, case_id, group_id) -> HttpResponse:
    """A coordinator links another case of the chain to one of this case's groups, by case number."""
    case = _editable_case(request, case_id)
    if case is None:
        return redirect("network:page", case_id=case_id)
    if not policy.is_coordinator(request.user, case.chain_id):
        raise Http404
    link = OffenceGroupMember.objects.filter(case=case, group_id=group_id).select_related("group").first()
    if link is None:
        raise Http404
    group = link.group
    form = LinkOtherCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        other_id = (
            policy.visible_cases(request.user)
            .filter(chain=case.chain, reference__iexact=data["reference"].strip())
            .values_list("pk", flat=True)
            .first()
        )
        if other_id is None:
            form.add_error(
                "reference", _("There is no case with this number in %(chain)s.") % {"chain": case.chain.name}
            )
        else:
            other = get_case(request, other_id, work=True)
            try:
                domain.link_case_to_group(
                    actor=request.user, group=group, case=other, position=data["position"], influence=data["influence"]
                )
            except DomainError as exc:
                apply_domain_error(form, exc, {"case": "reference"})
            else:
                messages.success(
                    request,
                    _('Case %(reference)s is linked to "%(group)s".')
                    % {"reference": other.reference, "group": group.name},
                )
                return redirect("network:page", case_id=case.pk)
    return render(request, "network/group_link_other.html", {"case": case, "group": group, "form": form})
