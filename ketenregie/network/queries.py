"""What of a youth's network someone may see: one rule for the network page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from ketenregie.cases.models import Case
from ketenregie.consent import policy
from ketenregie.network.enums import MemberKind
from ketenregie.network.models import NetworkMember
from ketenregie.plans.enums import OPEN_ACTION_STATUSES


@dataclass(frozen=True)
class NetworkShare:
    """The members ``user`` may see and which of their details.

    A partner sees who is in the network now (names, roles, organisations, the consented life
    domains), not who left it, not the informal members' phone and e-mail, and no notes. Notes are
    for who works on the case (not for a read through an emergency access either).
    """

    members: list[NetworkMember]
    full: bool  # the whole network, earlier members too: not a partner's share
    contact_details: bool  # the informal members' phone and e-mail
    notes: bool
    allowed_domains: frozenset[str] | None  # None: every life domain

    def domains_of(self, member: NetworkMember) -> list[str]:
        codes = member.life_domains or []
        return [c for c in codes if self.allowed_domains is None or c in self.allowed_domains]

    def _shows_contact(self, member: NetworkMember) -> bool:
        return self.contact_details or member.kind != MemberKind.INFORMAL

    def phone_of(self, member: NetworkMember) -> str:
        return member.phone if self._shows_contact(member) else ""

    def email_of(self, member: NetworkMember) -> str:
        return member.email if self._shows_contact(member) else ""

    def notes_of(self, member: NetworkMember) -> str:
        return member.notes if self.notes else ""


def is_ended(member: NetworkMember, day: date) -> bool:
    """Whose last day is ``day`` already counts as earlier: after pressing "End" the person leaves the
    list straight away (the domain still counts them as current for that day)."""
    return member.until is not None and member.until <= day


def with_open_actions(members: QuerySet[NetworkMember]) -> QuerySet[NetworkMember]:
    """With ``open_actions``: the open plan actions each member is responsible for."""
    return members.select_related("organisation", "user").annotate(
        open_actions=Count("actions", filter=Q(actions__status__in=OPEN_ACTION_STATUSES))
    )


def network_share(user: Any, case: Case, today: date) -> NetworkShare:
    """The part of ``case``'s network ``user`` may see (the caller has checked they may see the case's
    shared content: ``policy.can_view_shared_content``)."""
    fields = policy.visible_fields(user, case)
    allowed = policy.allowed_life_domains(user, case)
    full = fields == policy.FULL_FIELDS  # the full dossier, not a partner's share
    members = list(with_open_actions(NetworkMember.objects.filter(case=case)))
    if not full:
        members = [m for m in members if not is_ended(m, today)]
    return NetworkShare(
        members=members,
        full=full,
        contact_details=policy.NETWORK_CONTACT_DETAILS in fields,
        notes=policy.NETWORK_NOTES in fields and policy.can_work_on_case(user, case),
        allowed_domains=None if allowed is None else frozenset(allowed),
    )
