"""Retention (SECURITY.md L5): ended cases are pseudonymised after the chain's retention period.

A case *ends* when it is closed (``closed_on``), withdrawn or not included (the day of that step;
for a not-included registration with a re-contact date, that date if later). From the day its
chain's ``retention_years`` have passed, retention applies the data inventory
(``ketenregie.privacy.inventory``) to every row of the case: names become a pseudonym, birth dates
keep their year, contact details, free texts and documents are removed (documents deleted from
storage once the transaction commits), and codes, dates and counts stay for the reports.

Not touched: a case under an active legal hold, and a case whose processing is restricted (the
youth asked to keep it frozen; erasure would be processing too). Rows shared with other cases (an
OT meeting's notes, an offence group, the youth's own record) are emptied once every case they
concern is pseudonymised. A consult is pseudonymised the same number of years after its date, once
the cases that came from it are.

The run is idempotent: a pseudonymised case has a ``Pseudonymisation`` row and is never revisited.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from ketenregie.audit.domain import log
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case, Consult, Youth
from ketenregie.chains.models import Chain
from ketenregie.privacy import inventory
from ketenregie.privacy.models import Pseudonymisation
from ketenregie.privacy.queries import held_case_ids, restricted_case_ids
from ketenregie.privacy.registry import Section, case_sections

ENDED_STATUSES = (CaseStatus.CLOSED, CaseStatus.WITHDRAWN, CaseStatus.NOT_INCLUDED)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def ended_on(case: Case, last_step_at: Any = None) -> date | None:
    """The date the retention period of ``case`` counts from, or None while it is open."""
    if case.status not in ENDED_STATUSES:
        return None
    if case.status == CaseStatus.CLOSED and case.closed_on:
        return case.closed_on
    if last_step_at is None:
        last_step_at = case.transitions.aggregate(at=Max("occurred_at"))["at"]
    ended = timezone.localtime(last_step_at).date() if last_step_at else case.registered_on
    if case.status == CaseStatus.NOT_INCLUDED and case.recontact_on and case.recontact_on > ended:
        ended = case.recontact_on
    return ended


@dataclass
class ChainPlan:
    """What a run does (or would do) in one chain. Case numbers only, never names."""

    chain: Chain
    due: list[tuple[Case, date]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    restricted: list[str] = field(default_factory=list)
    consults_due: list[Consult] = field(default_factory=list)
    done: Counter = field(default_factory=Counter)

    @property
    def due_references(self) -> list[str]:
        return [case.reference for case, _ended in self.due]


def plan_chain(chain: Chain, today: date) -> ChainPlan:
    plan = ChainPlan(chain)
    years = chain.retention_years
    held = set(held_case_ids(today).values_list("case_id", flat=True))
    restricted = set(restricted_case_ids().values_list("case_id", flat=True))
    candidates = (
        Case.objects.with_scope(chain=chain.pk)
        .filter(status__in=ENDED_STATUSES, pseudonymisation__isnull=True)
        .annotate(last_step_at=Max("transitions__occurred_at"))
        .order_by("reference")
    )
    for case in candidates:
        ended = ended_on(case, case.last_step_at)  # type: ignore[attr-defined]
        if ended is None or today < add_years(ended, years):
            continue
        if case.pk in held:
            plan.held.append(case.reference)
        elif case.pk in restricted:
            plan.restricted.append(case.reference)
        else:
            plan.due.append((case, ended))
    due_ids = {case.pk for case, _ended in plan.due}
    consults = (
        Consult.objects.with_scope(chain=chain.pk)
        .filter(pseudonymisation__isnull=True, consulted_on__lte=_years_before(today, years))
        .prefetch_related("cases")
        .order_by("consulted_on")
    )
    for consult in consults:
        linked = list(consult.cases.all())
        if all(c.pk in due_ids or _is_pseudonymised(c) for c in linked):
            plan.consults_due.append(consult)
    return plan


def _years_before(day: date, years: int) -> date:
    return add_years(day, -years)


def _is_pseudonymised(case: Case) -> bool:
    return Pseudonymisation.objects.with_scope(chain=case.chain_id).filter(case_id=case.pk).exists()


def retention_plan(*, today: date | None = None, chain: Chain | None = None) -> list[ChainPlan]:
    today = today or timezone.localdate()
    chains = [chain] if chain is not None else list(Chain.objects.order_by("name"))
    return [plan_chain(c, today) for c in chains]


def apply_retention(*, today: date | None = None, chain: Chain | None = None) -> list[ChainPlan]:
    """Pseudonymise every case and consult that is due; each in its own transaction, each audited."""
    today = today or timezone.localdate()
    plans = retention_plan(today=today, chain=chain)
    for plan in plans:
        years = plan.chain.retention_years
        for case, ended in plan.due:
            removed = pseudonymise_case(case, ended=ended, retention_years=years)
            plan.done["cases"] += 1
            plan.done.update({f"rows.{k}": v for k, v in removed.items()})
        for consult in plan.consults_due:
            pseudonymise_consult(consult, retention_years=years)
            plan.done["consults"] += 1
        if plan.due or plan.consults_due or plan.held or plan.restricted:
            log(
                "privacy.retention_run",
                actor=None,
                obj=plan.chain,
                chain_id=plan.chain.pk,
                details={
                    "cases": plan.done["cases"],
                    "consults": plan.done["consults"],
                    "held": len(plan.held),
                    "restricted": len(plan.restricted),
                    "retention_years": years,
                },
            )
    return plans


# --- Applying the inventory to rows ---------------------------------------------------------------


def _empty(model_field: models.Field) -> Any:
    if model_field.has_default():
        default = model_field.get_default()
        if default is not None:
            return default
    return ""


def _field(opts: Any, name: str) -> models.Field:
    field = opts.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101 — the inventory names stored fields only
    return field


def _pseudonym(obj: models.Model) -> str:
    return "#" + str(obj.pk).replace("-", "")[:8]


def _apply(model: type[models.Model], queryset: models.QuerySet, files: list) -> int:
    """Apply the inventory's retention actions to every row of ``queryset``; returns rows touched."""
    actions = inventory.retention_actions(model)
    if not actions:
        return 0
    pks = list(queryset.values_list("pk", flat=True))
    if not pks:
        return 0
    manager = model._default_manager
    rows = manager.with_scopes_disabled() if hasattr(manager, "with_scopes_disabled") else manager.all()
    rows = rows.filter(pk__in=pks)
    opts = model._meta
    clear = {name: _empty(_field(opts, name)) for name, action in actions.items() if action == inventory.CLEAR}
    if clear:
        rows.update(**clear)
    per_row = {name: action for name, action in actions.items() if action != inventory.CLEAR}
    if per_row:
        for obj in rows.only("pk", *per_row):
            changed = []
            for name, action in per_row.items():
                value = getattr(obj, name)
                if action == inventory.YEAR and value:
                    setattr(obj, name, date(value.year, 7, 1))
                elif action == inventory.PSEUDONYM:
                    setattr(obj, name, _pseudonym(obj))
                elif action == inventory.FILE and value:
                    files.append((value.storage, value.name))
                    setattr(obj, name, "")
                else:
                    continue
                changed.append(name)
            if changed:
                obj.save(update_fields=changed)
    return len(pks)


def _delete_files(files: list) -> None:
    for storage, name in files:
        if name and storage.exists(name):
            storage.delete(name)


def _shared_rows_done(section: Section, case: Case) -> models.QuerySet:
    """Rows of a shared section all of whose cases are pseudonymised now."""
    rows = section.rows(case)
    back = section.path.rsplit("__", 1)[0]  # e.g. "items" or "members" or "meeting__items"
    open_cases = {f"{back}__case__pseudonymisation__isnull": True}
    unscoped = getattr(section.model._default_manager, "with_scopes_disabled")()  # noqa: B009 — django-scopes
    return rows.exclude(pk__in=unscoped.filter(**open_cases).values("pk"))


def _close_portal_accounts(case: Case) -> int:
    """The youth's and trusted person's "My trajectory" accounts: no name, no address, no login."""
    from django.apps import apps
    from django.contrib.auth.hashers import make_password

    if not apps.is_installed("ketenregie.portal"):
        return 0
    from ketenregie.accounts.models import User

    user_ids = list(
        apps.get_model("portal", "PortalAccess")
        .objects.with_scope(chain=case.chain_id)
        .filter(case=case)
        .values_list("user_id", flat=True)
    )
    return User.objects.filter(pk__in=user_ids).update(
        first_name="", last_name="", email="", phone="", is_active=False, password=make_password(None)
    )


def pseudonymise_case(case: Case, *, ended: date, retention_years: int, decision: str = "") -> dict[str, int]:
    """Pseudonymise one case and what hangs off it; returns rows touched per section (no content)."""
    files: list = []
    removed: dict[str, int] = {}
    with transaction.atomic():
        locked = Case.objects.with_scope(chain=case.chain_id).select_for_update().get(pk=case.pk)
        record = Pseudonymisation.objects.create(
            chain_id=locked.chain_id,
            case=locked,
            applied_at=timezone.now(),
            ended_on=ended,
            retention_years=retention_years,
        )
        removed["case"] = _apply(Case, Case.objects.with_scope(chain=locked.chain_id).filter(pk=locked.pk), files)
        for section in case_sections():
            if section.delete_on_retention:
                deleted, _by_model = section.rows(locked).delete()
                removed[section.key] = deleted
                continue
            rows = _shared_rows_done(section, locked) if section.shared else section.rows(locked)
            touched = _apply(section.model, rows, files)
            if touched:
                removed[section.key] = touched
        youth_cases = Case.objects.with_scope(chain=locked.chain_id).filter(youth_id=locked.youth_id)
        if not youth_cases.filter(pseudonymisation__isnull=True).exists():
            removed["youth"] = _apply(
                Youth, Youth.objects.with_scope(chain=locked.chain_id).filter(pk=locked.youth_id), files
            )
        removed["portal_accounts"] = _close_portal_accounts(locked)
        removed["documents"] = len(files)
        record.removed = removed
        record.save(update_fields=["removed"])
        log(
            "privacy.case_pseudonymised",
            actor=None,
            obj=locked,
            chain_id=locked.chain_id,
            case_id=locked.pk,
            details={
                "ended_on": ended.isoformat(),
                "retention_years": retention_years,
                "removed": removed,
                **({"early": True, "decision": decision} if decision else {}),
            },
        )
        transaction.on_commit(lambda: _delete_files(files))
    return removed


class ErasureRefused(Exception):
    pass


def erase_case(case: Case, *, decision: str, today: date | None = None) -> dict[str, int]:
    """Erasure where it is legally due (GDPR art. 17), decided by the controller: the case is
    pseudonymised now, exactly as retention would do later (docs/privacy.md, "Erasure").

    Only an ended case (close or withdraw it through the workflow first), never under a legal hold
    or a restriction, and with the reference of the decision (not its reasons) for the audit log.
    """
    from ketenregie.privacy.queries import active_holds, active_restriction

    today = today or timezone.localdate()
    decision = decision.strip()
    if not decision or len(decision) > 100:
        raise ErasureRefused("give the reference of the erasure decision (at most 100 characters, no case content)")
    if _is_pseudonymised(case):
        raise ErasureRefused(f"case {case.reference} is already pseudonymised")
    ended = ended_on(case)
    if ended is None:
        raise ErasureRefused(f"case {case.reference} is still open: close or withdraw it in the workflow first")
    if active_holds(case, today):
        raise ErasureRefused(f"case {case.reference} is under a legal hold")
    if active_restriction(case) is not None:
        raise ErasureRefused(f"the processing of case {case.reference} is restricted")
    return pseudonymise_case(case, ended=ended, retention_years=0, decision=decision)


def pseudonymise_consult(consult: Consult, *, retention_years: int) -> None:
    with transaction.atomic():
        Pseudonymisation.objects.create(
            chain_id=consult.chain_id,
            consult=consult,
            applied_at=timezone.now(),
            ended_on=consult.consulted_on,
            retention_years=retention_years,
        )
        _apply(Consult, Consult.objects.with_scope(chain=consult.chain_id).filter(pk=consult.pk), [])
        log(
            "privacy.consult_pseudonymised",
            actor=None,
            obj=consult,
            chain_id=consult.chain_id,
            details={"consulted_on": consult.consulted_on.isoformat(), "retention_years": retention_years},
        )
