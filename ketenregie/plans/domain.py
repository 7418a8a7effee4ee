"""The plan of approach: saved as a whole, versioned, with lost updates made impossible."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenregie.accounts.models import Organisation, User
from ketenregie.audit.domain import log
from ketenregie.cases.domain import Errors, require_open, require_work
from ketenregie.cases.models import Case
from ketenregie.common.errors import NotAllowed, StaleVersion, ValidationFailed
from ketenregie.network.models import NetworkMember
from ketenregie.plans.enums import ActionStatus, ProposedBy
from ketenregie.plans.models import Action, Goal, Plan, PlanDomain, PlanVersion


@dataclass
class ActionInput:
    what: str
    responsible_member: uuid.UUID | None = None
    responsible_organisation: uuid.UUID | None = None
    due_on: date | None = None
    status: str = ActionStatus.PLANNED
    note: str = ""
    id: uuid.UUID | None = None


@dataclass
class GoalInput:
    text: str
    proposed_by: str = ProposedBy.YOUTH
    intended_result: str = ""
    youth_agreed: bool = False
    actions: list[ActionInput] = field(default_factory=list)
    id: uuid.UUID | None = None


@dataclass
class DomainInput:
    domain: str
    situation: str = ""
    strengths: str = ""
    risks: str = ""
    glm_needs: list[str] = field(default_factory=list)
    goals: list[GoalInput] = field(default_factory=list)


def get_or_create_plan(case: Case) -> Plan:
    plan = Plan.objects.with_scope(chain=case.chain_id).filter(case=case).first()
    return plan or Plan(case=case, version=0)


def plan_domains(plan: Plan | None, allowed: set[str] | None = None) -> list[PlanDomain]:
    """The plan's life domains with their goals and actions, in three queries however large the plan.

    ``allowed`` is the viewer's ``policy.allowed_life_domains``: None for the full dossier; for a
    partner the consented life domains only. The other domains are left out whole (their texts,
    goals and actions are not even read), on the plan page and in the API answer alike.
    """
    if plan is None:
        return []
    domains = PlanDomain.objects.filter(plan=plan)
    if allowed is not None:
        domains = domains.filter(domain__in=sorted(allowed))
    actions = Action.objects.select_related("responsible_member__organisation", "responsible_organisation")
    goals = Goal.objects.prefetch_related(Prefetch("actions", queryset=actions))
    return list(domains.prefetch_related(Prefetch("goals", queryset=goals)))


def snapshot(plan: Plan) -> dict:
    """The plan as a plain document: what a version stores and what the diff compares."""
    if plan.pk is None:
        return {"domains": []}
    domains = (
        PlanDomain.objects.with_scope(chain=plan.case.chain_id)
        .filter(plan=plan)
        .prefetch_related("goals__actions__responsible_member", "goals__actions__responsible_organisation")
    )
    return {
        "domains": [
            {
                "domain": d.domain,
                "situation": d.situation,
                "strengths": d.strengths,
                "risks": d.risks,
                "glm_needs": d.glm_needs,
                "goals": [
                    {
                        "id": str(g.pk),
                        "text": g.text,
                        "proposed_by": g.proposed_by,
                        "intended_result": g.intended_result,
                        "youth_agreed": g.youth_agreed,
                        "actions": [
                            {
                                "id": str(a.pk),
                                "what": a.what,
                                "status": a.status,
                                "note": a.note,
                                "due_on": a.due_on.isoformat() if a.due_on else None,
                                "responsible": (
                                    a.responsible_member.name
                                    if a.responsible_member_id
                                    else a.responsible_organisation.name
                                    if a.responsible_organisation_id
                                    else ""
                                ),
                                "responsible_member": str(a.responsible_member_id) if a.responsible_member_id else None,
                                "responsible_organisation": str(a.responsible_organisation_id)
                                if a.responsible_organisation_id
                                else None,
                            }
                            for a in g.actions.all()
                        ],
                    }
                    for g in d.goals.all()
                ],
            }
            for d in domains
        ]
    }


@dataclass
class Change:
    path: str  # e.g. "werk_onderwijs › goal 1 › action 2 › status"
    before: Any
    after: Any


def diff(before: dict, after: dict, labels: dict[str, str] | None = None) -> list[Change]:
    """Field-level differences between two snapshots, with readable paths."""
    labels = labels or {}
    changes: list[Change] = []
    old_domains = {d["domain"]: d for d in before.get("domains", [])}
    new_domains = {d["domain"]: d for d in after.get("domains", [])}
    for code in list(dict.fromkeys([*old_domains, *new_domains])):
        name = labels.get(code, code)
        old, new = old_domains.get(code, {}), new_domains.get(code, {})
        for key in ("situation", "strengths", "risks", "glm_needs"):
            if old.get(key) != new.get(key):
                changes.append(Change(f"{name} › {key}", old.get(key), new.get(key)))
        old_goals = {g["id"]: g for g in old.get("goals", [])}
        for gi, goal in enumerate(new.get("goals", []), start=1):
            previous = old_goals.pop(goal["id"], {})
            for key in ("text", "proposed_by", "intended_result", "youth_agreed"):
                if previous.get(key) != goal.get(key):
                    changes.append(Change(f"{name} › goal {gi} › {key}", previous.get(key), goal.get(key)))
            old_actions = {a["id"]: a for a in previous.get("actions", [])}
            for ai, action in enumerate(goal.get("actions", []), start=1):
                was = old_actions.pop(action["id"], {})
                for key in ("what", "responsible", "due_on", "status", "note"):
                    if was.get(key) != action.get(key):
                        changes.append(
                            Change(f"{name} › goal {gi} › action {ai} › {key}", was.get(key), action.get(key))
                        )
            for gone in old_actions.values():
                changes.append(Change(f"{name} › goal {gi} › action removed", gone.get("what"), None))
        for gone in old_goals.values():
            changes.append(Change(f"{name} › goal removed", gone.get("text"), None))
    return changes


def save_plan(*, actor: User, case: Case, version: int, domains: list[DomainInput]) -> Plan:
    """Save the whole plan as a new version.

    ``version`` is the version the editor started from: if someone saved in between, StaleVersion
    is raised and nothing is written, so the second editor reloads instead of overwriting.
    Responsible people must be in the youth's current network; closed cases are read-only.
    """
    require_work(actor, case, _("This case is closed: its plan can no longer be changed."))
    today = timezone.localdate()
    chain = case.chain
    known_domains = {d["code"] for d in chain.life_domains}
    known_needs = {d["code"] for d in chain.glm_needs}
    everyone = {m.pk: m for m in NetworkMember.objects.with_scope(chain=case.chain_id).filter(case=case)}
    members = {pk: m for pk, m in everyone.items() if m.is_current_on(today)}
    partner_orgs = {o.pk: o for o in Organisation.objects.filter(chain_partnerships__chain=chain)}
    errors = Errors()
    seen = set()
    for di, d in enumerate(domains):
        if d.domain not in known_domains:
            errors.add(f"domains.{di}.domain", _("Unknown life domain."))
        if d.domain in seen:
            errors.add(f"domains.{di}.domain", _("This life domain appears twice."))
        seen.add(d.domain)
        if any(n not in known_needs for n in d.glm_needs):
            errors.add(f"domains.{di}.glm_needs", _("Unknown GLM need."))
        for gi, g in enumerate(d.goals):
            if not g.text.strip():
                errors.add(f"domains.{di}.goals.{gi}.text", _("Write the goal, in the youth's own words."))
            if g.proposed_by not in ProposedBy.values:
                errors.add(f"domains.{di}.goals.{gi}.proposed_by", _("Choose who proposed the goal."))
            for ai, a in enumerate(g.actions):
                where = f"domains.{di}.goals.{gi}.actions.{ai}"
                if not a.what.strip():
                    errors.add(f"{where}.what", _("Describe the action."))
                if a.status not in ActionStatus.values:
                    errors.add(f"{where}.status", _("Choose a status."))
                # Open actions need someone in the current network; finished ones keep their history.
                is_open = a.status in (ActionStatus.PLANNED, ActionStatus.RUNNING)
                if a.responsible_member is not None and a.responsible_member not in (members if is_open else everyone):
                    errors.add(
                        f"{where}.responsible_member",
                        _("The responsible person must be in the youth's current network."),
                    )
                if a.responsible_organisation is not None and a.responsible_organisation not in partner_orgs:
                    errors.add(
                        f"{where}.responsible_organisation",
                        _("The responsible organisation must be a partner of the chain."),
                    )
                if a.responsible_member is None and a.responsible_organisation is None:
                    errors.add(
                        f"{where}.responsible_member",
                        _("Choose who is responsible: someone from the network or an organisation."),
                    )
    errors.raise_if_any()
    labels = {d["code"]: d["label"] for d in chain.life_domains}
    with transaction.atomic():
        plan = Plan.objects.with_scope(chain=case.chain_id).select_for_update().filter(case=case).first()
        current = plan.version if plan else 0
        if version != current:
            raise StaleVersion(
                _(
                    "Someone else saved this plan in the meantime (version %(v)d). Reload the plan; your changes are shown so you can add them again."
                )
                % {"v": current}
            )
        if plan is None:
            plan = Plan.objects.create(case=case, version=0, updated_by=actor)
        before = snapshot(plan)
        scope = {"chain": case.chain_id}
        existing_domains = {d.domain: d for d in PlanDomain.objects.with_scope(**scope).filter(plan=plan)}
        existing_goals = {g.pk: g for g in Goal.objects.with_scope(**scope).filter(plan_domain__plan=plan)}
        existing_actions = {a.pk: a for a in Action.objects.with_scope(**scope).filter(goal__plan_domain__plan=plan)}
        kept_domains, kept_goals, kept_actions = set(), set(), set()
        for di, d in enumerate(domains):
            pd = existing_domains.get(d.domain) or PlanDomain(plan=plan, domain=d.domain)
            pd.situation, pd.strengths, pd.risks = d.situation.strip(), d.strengths.strip(), d.risks.strip()
            pd.glm_needs, pd.position = list(dict.fromkeys(d.glm_needs)), di
            pd.save()
            kept_domains.add(pd.pk)
            for gi, g in enumerate(d.goals):
                goal = existing_goals.get(g.id) if g.id else None
                goal = goal or Goal(plan_domain=pd)
                goal.plan_domain = pd
                goal.text, goal.proposed_by = g.text.strip(), g.proposed_by
                goal.intended_result, goal.youth_agreed, goal.position = g.intended_result.strip(), g.youth_agreed, gi
                goal.save()
                kept_goals.add(goal.pk)
                for ai, a in enumerate(g.actions):
                    action = existing_actions.get(a.id) if a.id else None
                    action = action or Action(goal=goal, case=case)
                    action.goal = goal
                    action.what, action.status, action.note = a.what.strip(), a.status, a.note.strip()
                    action.due_on, action.position = a.due_on, ai
                    action.responsible_member = everyone.get(a.responsible_member) if a.responsible_member else None
                    action.responsible_organisation = (
                        partner_orgs.get(a.responsible_organisation) if a.responsible_organisation else None
                    )
                    action.save()
                    kept_actions.add(action.pk)
        removed_actions = [a for pk, a in existing_actions.items() if pk not in kept_actions]
        # Actions that were evaluated at a meeting are history: they are stopped, not deleted.
        for action in removed_actions:
            if action.evaluations.exists() or action.source_meeting_id:
                action.status = ActionStatus.STOPPED
                action.save(update_fields=["status"])
            else:
                action.delete()
        for pk, goal in existing_goals.items():
            if pk not in kept_goals and not goal.actions.exists():
                goal.delete()
        for pd in existing_domains.values():
            if pd.pk not in kept_domains and not pd.goals.exists():
                pd.delete()
        plan.version = current + 1
        plan.updated_by = actor
        plan.save(update_fields=["version", "updated_by", "updated_at"])
        after = snapshot(plan)
        changes = diff(before, after, labels)
        PlanVersion.objects.create(
            plan=plan,
            number=plan.version,
            snapshot=after,
            changes=[c.path for c in changes],
            created_by=actor,
            created_at=timezone.now(),
        )
        log(
            "plan.saved",
            actor=actor,
            obj=plan,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"version": plan.version, "changed": len(changes)},
        )
    return plan


def update_action_status(*, actor: User, action: Action, status: str, note: str = "") -> Action:
    """The responsible partner or the case's workers update an action; it lands in the timeline."""
    from ketenregie.consent.policy import can_update_action_status

    case = action.case
    # The responsible partner only while they still share the case and the action's life domain.
    if not can_update_action_status(actor, action):
        raise NotAllowed(_("Your role does not allow this."))
    require_open(case)
    if status not in ActionStatus.values:
        raise ValidationFailed(_("Choose a status."), errors=[{"field": "status", "message": _("Choose a status.")}])
    with transaction.atomic():
        if note.strip():
            action.note = note.strip()
            action.save(update_fields=["note"])
        set_action_statuses(actor=actor, case=case, statuses={action: status}, always=bool(note.strip()))
    return action


def set_action_statuses(*, actor: User, case: Case, statuses: dict[Action, str], always: bool = False) -> None:
    """Save changed action statuses as one new plan version (callers have checked the actor's rights).

    Unchanged statuses write nothing, unless ``always`` (a note was added), so a re-saved
    evaluation does not pile up empty versions.
    """
    changed = {a: s for a, s in statuses.items() if a.status != s}
    if not changed and not always:
        return
    with transaction.atomic():
        for action, status in changed.items():
            action.status = status
            action.save(update_fields=["status"])
        plan = Plan.objects.with_scope(chain=case.chain_id).select_for_update().get(case=case)
        plan.version += 1
        plan.updated_by = actor
        plan.save(update_fields=["version", "updated_by", "updated_at"])
        PlanVersion.objects.create(
            plan=plan,
            number=plan.version,
            snapshot=snapshot(plan),
            changes=["action status"],
            created_by=actor,
            created_at=timezone.now(),
        )
        for action, status in (changed or statuses).items():
            log(
                "plan.action_updated",
                actor=actor,
                obj=action,
                chain_id=case.chain_id,
                case_id=case.pk,
                details={"status": status},
            )
