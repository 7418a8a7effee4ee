"""What several routers share: resolving ids from a request body, and presenting objects.

Case data is only ever reached through ``consent.policy``; the look-ups here resolve the other
things a body names (a chain by slug among the user's own chains, an organisation, a member of a
chain) and answer a 422 field error when the id names nothing usable, so a client learns which
field to fix and learns nothing about objects outside its scope.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _

from ketenregie.accounts.models import Organisation, User
from ketenregie.accounts.queries import memberships_of
from ketenregie.cases import workflow
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.chains.models import Chain
from ketenregie.common.errors import ValidationFailed

MAX_OFFSET = 1_000_000


def field_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"field": field, "message": message}])


def chain_for(user: Any, slug: str | None, roles: set[str], *, field: str = "chain") -> Chain:
    """The chain named by ``slug`` among those where ``user`` holds one of ``roles``.

    Without a slug, the only such chain. Any other chain — unknown, inactive, or one where the
    user lacks the role — is the same field error, so chains the user is not in stay unnamed.
    """
    chains: dict[str, Chain] = {}
    for m in memberships_of(user):
        if m.role in roles:
            chains.setdefault(m.chain.slug, m.chain)
    if slug:
        if slug in chains:
            return chains[slug]
        raise field_error(field, _("You have no role in a chain with this name that allows this."))
    if len(chains) == 1:
        return next(iter(chains.values()))
    if not chains:
        raise field_error(field, _("Your roles do not allow this in any chain."))
    raise field_error(field, _("Choose the chain: you work in several."))


def organisation(pk: uuid.UUID | None, *, field: str) -> Organisation | None:
    if pk is None:
        return None
    found = Organisation.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise field_error(field, _("There is no organisation with this id."))
    return found


def member_of(chain: Chain, pk: uuid.UUID | None, *, field: str) -> User | None:
    """An active account with an active role in ``chain``; the domain checks which role."""
    if pk is None:
        return None
    found = (
        User.objects.filter(pk=pk, is_active=True, memberships__chain=chain, memberships__is_active=True)
        .distinct()
        .first()
    )
    if found is None:
        raise field_error(field, _("There is no account with this id in the chain."))
    return found


def user_ref(user: Any) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def org_ref(org: Any) -> dict | None:
    return None if org is None else {"id": org.pk, "name": org.name}


def chain_ref(chain: Chain) -> dict:
    return {"slug": chain.slug, "name": chain.name}


def case_state(case: Case, user: Any) -> dict:
    """Status, version and the steps this user may take now, read from the workflow table."""
    return {
        "id": case.pk,
        "reference": case.reference,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "version": case.version,
        "case_director": user_ref(case.case_director),
        "allowed_transitions": [
            {"name": o.name, "to": o.target, "label": o.label, "blocked_by": [str(m) for m in o.blocked_by]}
            for o in workflow.allowed_transitions(case, user)
        ],
    }
