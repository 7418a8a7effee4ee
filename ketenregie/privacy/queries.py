"""Reads of the privacy app: active restrictions and holds, and the access log of a case."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.privacy.models import LegalHold, Pseudonymisation, Restriction


def active_restriction(case: Any) -> Restriction | None:
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
