"""Who someone is in which chain. Cached on the user object for the length of one request."""

from typing import Any

from ketenregie.accounts.enums import Role


def memberships_of(user: Any) -> list:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_ketenregie_memberships", None)
    if cached is None:
        from django.db.models import Exists, OuterRef
        from django.utils import timezone

        from ketenregie.accounts.models import Membership
        from ketenregie.consent.models import BreakGlassAccess

        # Whether any emergency access of the user runs comes along (nearly always not), so the
        # policy need not ask for the grants on every request (consent.policy._break_glass_case_ids).
        grants = BreakGlassAccess.objects.with_scopes_disabled().filter(
            user=OuterRef("user"), expires_at__gt=timezone.now()
        )
        cached = list(
            Membership.objects.filter(user=user, is_active=True, chain__is_active=True)
            .annotate(holds_break_glass=Exists(grants))
            .select_related("chain", "organisation")
            .order_by("chain__name", "role")
        )
        user._ketenregie_memberships = cached
    return cached


def person_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """Someone's name as ``User.get_full_name() or username`` gives it, from values read in a query."""
    return f"{first_name or ''} {last_name or ''}".strip() or username or ""


def chain_ids_of(user: Any) -> list:
    return sorted({m.chain_id for m in memberships_of(user)}, key=str)


def roles_in(user: Any, chain_id: Any) -> set[str]:
    return {m.role for m in memberships_of(user) if m.chain_id == chain_id}


def has_role(user: Any, chain_id: Any, *roles: Role) -> bool:
    mine = roles_in(user, chain_id)
    return any(r in mine for r in roles)


def organisation_ids_in(user: Any, chain_id: Any) -> set:
    return {m.organisation_id for m in memberships_of(user) if m.chain_id == chain_id and m.organisation_id}


def chains_of(user: Any) -> list:
    seen: dict = {}
    for m in memberships_of(user):
        seen.setdefault(m.chain_id, m.chain)
    return list(seen.values())
