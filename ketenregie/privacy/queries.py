"""Reads of the privacy app: active restrictions and holds, and the access log of a case."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.privacy.models import LegalHold, Pseudonymisation, Restriction


def with_active_restriction(cases: QuerySet) -> QuerySet:
    """``cases`` with each one's active restriction joined in: one query less on a page that shows it.

    For read pages only: a write looks the restriction up again inside its own transaction. At most
    one restriction of a case is active, so the join never repeats a case.
    """
    return cases.annotate(
        joined_restriction=FilteredRelation("restrictions", condition=Q(restrictions__lifted_at__isnull=True)),
        joined_restriction_id=F("joined_restriction__id"),
    ).select_related("joined_restriction")


def active_restriction(case: Any) -> Restriction | None:
    if hasattr(case, "joined_restriction_id"):  # loaded with the case (with_active_restriction)
        return case.joined_restriction if case.joined_restriction_id is not None else None
    return Restriction.objects.with_scope(chain=case.chain_id).filter(case_id=case.pk, lifted_at__isnull=True).first()


def restricted_case_ids() -> QuerySet:
    """Ids of every case whose processing is restricted now (for ``pk__in`` filters)."""
    return Restriction.objects.with_scopes_disabled().filter(lifted_at__isnull=True).values("case_id")


def active_holds(case: Any, day: date | None = None) -> list[LegalHold]:
    day = day or timezone.localdate()
    return list(
        LegalHold.objects.with_scope(chain=case.chain_id)
        .filter(case_id=case.pk, lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gte=day))
    )


def held_case_ids(day: date) -> QuerySet:
    return (
        LegalHold.objects.with_scopes_disabled()
        .filter(lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gte=day))
        .values("case_id")
    )


def is_pseudonymised(case: Any) -> bool:
    return Pseudonymisation.objects.with_scope(chain=case.chain_id).filter(case_id=case.pk).exists()


def case_events(case_ids: list) -> QuerySet[AuditEvent]:
    """Every audit event about these cases, newest first (index on case_id, id)."""
    return AuditEvent.objects.filter(case_id__in=case_ids).order_by("-id")
