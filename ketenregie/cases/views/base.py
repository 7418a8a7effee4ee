"""Helpers every case view uses: look-ups through the policy, read auditing, error mapping."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.queries import memberships_of
from ketenregie.audit.domain import log
from ketenregie.cases.models import Case
from ketenregie.common.errors import DomainError
from ketenregie.consent import policy


def get_case(
    request: HttpRequest,
    case_id: Any,
    *,
    audit: bool = True,
    work: bool = False,
    content: bool = False,
    shared: bool = False,
    queryset: QuerySet[Case] | None = None,
) -> Case:
    """The case through the policy (404 when out of scope); every read is audited.

    ``content=True`` requires the right to read the full dossier (not only the OT summary);
    ``shared=True`` the full dossier or a partner's consented share (the page then filters with
    ``policy.allowed_life_domains`` and ``policy.visible_fields``);
    ``work=True`` the right to work on it (coordinator of the chain or its own case director).
    Others get the same 404 as for a case that does not exist. ``queryset`` (built on
    ``policy.visible_cases(request.user)``) loads more with the case, e.g. ``cases.queries.for_read_page``.
    """
    case = policy.get_visible_case(request.user, case_id, queryset)
    if work:
        allowed = policy.can_work_on_case(request.user, case)
    elif content:
        allowed = policy.can_view_case_content(request.user, case)
    elif shared:
        allowed = policy.can_view_shared_content(request.user, case)
    else:
        allowed = True
    if not allowed:
        log("access.denied", actor=request.user, obj=case, chain_id=case.chain_id, case_id=case.pk, result="denied")
        raise Http404
    if audit:
        log(
            "case.viewed",
            actor=request.user,
            obj=case,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"view": request.resolver_match.url_name if request.resolver_match else ""},
        )
    return case


def chains_with_role(user, *roles: Role) -> list:
    seen: dict = {}
    for m in memberships_of(user):
        if m.role in roles:
            seen.setdefault(m.chain_id, m.chain)
    return list(seen.values())


def chain_for_request(request: HttpRequest, *roles: Role):
    """The chain a create-form works in: the only one the user has the role in, or ?keten=slug."""
    chains = chains_with_role(request.user, *roles)
    if not chains:
        raise Http404
    wanted = request.GET.get("keten") or request.POST.get("keten")
    if wanted:
        for chain in chains:
            if chain.slug == wanted:
                return chain, chains
        raise Http404
    return chains[0], chains


def apply_domain_error(form: forms.Form, exc: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Put a domain error's field messages next to the form's fields (or on top when unknown)."""
    field_map = field_map or {}
    placed = False
    for error in exc.errors:
        name = field_map.get(error["field"], error["field"])
        if name in form.fields:
            form.add_error(name, error["message"])
            placed = True
        else:
            form.add_error(None, error["message"])
            placed = True
    if not placed:
        form.add_error(None, exc.detail)


class SubmissionKeyMixin(forms.Form):
    """A one-time key per rendered form: a double submit creates one record, not two (SECURITY.md R3)."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


YES_NO_UNKNOWN = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)
