"""The case page as a partner sees it: read-only, only what the youth consented to share.

The case page (``case_page.case_detail``) hands over to ``partner_case_detail`` when the viewer
sees the case as a partner (``policy.partner_view``). Which parts are shown follows
``policy.visible_fields``; which life domains, ``policy.allowed_life_domains`` (intake answers:
``policy.allowed_intake_domains``, never the sensitive domains). Follow-up contacts are listed when
they touched an allowed life domain, without their free note (a note may be about any domain).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ketenregie.cases.eligibility import age_on
from ketenregie.cases.models import Case, Intake
from ketenregie.consent import policy
from ketenregie.followup.models import FollowUpContact
from ketenregie.plans.enums import OPEN_ACTION_STATUSES
from ketenregie.plans.models import Action

# The partner page lists the latest contacts only; the full history stays with the case director.
PARTNER_CONTACTS_SHOWN = 30


@dataclass
class IntakeDomain:
    code: str
    label: str
    answers: dict


def _intake_domains(case: Case, allowed: set[str] | None) -> list[IntakeDomain]:
    intake = Intake.objects.filter(case=case).first()
    if intake is None or not intake.domains:
        return []
    result = []
    for d in case.chain.life_domains:
        code = d["code"]
        if allowed is not None and code not in allowed:
            continue
        answers = {k: v for k, v in (intake.domains.get(code) or {}).items() if v}
        if answers:
            result.append(IntakeDomain(code, d["label"], answers))
    return result


def _contacts(case: Case, allowed: set[str] | None, labels: dict[str, str]) -> list[FollowUpContact]:
    """The latest contacts that touched an allowed life domain, labelled with those domains only."""
    shown = []
    for contact in (
        FollowUpContact.objects.filter(case=case)
        .select_related("network_member")
        .order_by("-contact_at")[: PARTNER_CONTACTS_SHOWN * 4]
    ):
        domains = [c for c in contact.life_domains or [] if allowed is None or c in allowed]
        if not domains:
            continue
        contact.domain_labels = [labels.get(c, c) for c in domains]
        shown.append(contact)
        if len(shown) >= PARTNER_CONTACTS_SHOWN:
            break
    return shown


def _my_actions(request: HttpRequest, case: Case, allowed: set[str] | None, labels: dict[str, str]) -> list[Action]:
    actions = list(
        Action.objects.filter(case=case, responsible_member__user=request.user)
        .select_related("goal__plan_domain", "responsible_member")
        .order_by("due_on", "position")
    )
    mine = []
    today = timezone.localdate()
    for action in actions:
        code = action.goal.plan_domain.domain
        if allowed is not None and code not in allowed:
            continue
        action.domain_label = labels.get(code, code)
        action.is_open = action.status in OPEN_ACTION_STATUSES
        action.is_overdue = action.is_open and action.due_on is not None and action.due_on < today
        mine.append(action)
    return mine


def partner_case_detail(request: HttpRequest, case: Case) -> HttpResponse:
    """The partner's read-only case page (the caller looked the case up and audited the read)."""
    user = request.user
    allowed = policy.allowed_life_domains(user, case)
    # As policy.allowed_intake_domains, without asking the policy twice: never the sensitive domains.
    intake_allowed = None if allowed is None else allowed - policy.sensitive_life_domains(case.chain)
    fields = policy.visible_fields(user, case)
    labels = dict(case.chain.life_domain_choices)
    grace_until = None
    if case.is_closed and case.closed_on:
        grace_until = case.closed_on + timedelta(days=policy.partner_grace_days())
    actions = _my_actions(request, case, allowed, labels)
    context = {
        "case": case,
        "youth": case.youth,
        "chain": case.chain,
        "age": age_on(case.youth.birth_date, timezone.localdate()),
        "fields": fields,
        "allowed_labels": [d["label"] for d in case.chain.life_domains if allowed is None or d["code"] in allowed],
        "intake_domains": _intake_domains(case, intake_allowed) if policy.INTAKE in fields else [],
        "contacts": _contacts(case, allowed, labels) if policy.CONTACTS in fields else [],
        "actions": actions,
        "can_update_actions": not case.is_closed,
        "grace_until": grace_until,
        "intake_aspects": _aspect_labels(),
    }
    return render(request, "cases/case_partner.html", context)


def _aspect_labels() -> dict[str, str]:
    from ketenregie.cases.forms_intake import ASPECTS

    return {code: str(label) for code, label, _help in ASPECTS}
