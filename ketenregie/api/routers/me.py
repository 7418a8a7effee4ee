from django.http import HttpRequest
from ninja import Router, Schema

from ketenregie.accounts.queries import memberships_of

router = Router(tags=["account"])


class RoleOut(Schema):
    chain: str
    chain_name: str
    role: str
    role_label: str
    organisation: str | None


class MeOut(Schema):
    id: str
    username: str
    name: str
    email: str
    is_administrator: bool
    chains: list[dict]
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="The current user, their chains and roles")
def me(request: HttpRequest):
    user = request.user
    memberships = memberships_of(user)
    chains = {}
    for m in memberships:
        chains.setdefault(m.chain_id, {"slug": m.chain.slug, "name": m.chain.name, "id": str(m.chain_id)})
    return {
        "id": str(user.pk),
        "username": user.username,
        "name": user.get_full_name(),
        "email": user.email,
        "is_administrator": user.is_staff,
        "chains": list(chains.values()),
        "roles": [
            {
                "chain": m.chain.slug,
                "chain_name": m.chain.name,
                "role": m.role,
                "role_label": str(m.get_role_display()),
                "organisation": m.organisation.name if m.organisation_id else None,
            }
            for m in memberships
        ],
    }
