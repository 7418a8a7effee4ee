"""Who may see which reports. Aggregated figures are not case content, so they are not scoped by
``consent.policy.visible_cases``; these rules decide instead, and everything else is a 404:

- a chain's report (page, tables, PDF, pseudonymised trajectories): its strategic and operational
  coordinators;
- the steering group's text: the chain's strategic coordinators write it;
- the Flemish overview: regional analysts, for the chains they analyse, always with small numbers
  hidden, never a row per trajectory.

Case directors, OT members and partners get no chain report (their own cases are on their own
pages), administrators neither: they configure, they do not read figures about youths.
"""

from __future__ import annotations

from typing import Any

from ketenregie.accounts.enums import Role
from ketenregie.accounts.queries import memberships_of, roles_in

REPORT_ROLES = (Role.STRATEGIC_COORDINATOR, Role.OPERATIONAL_COORDINATOR)
ANALYST_ROLES = (Role.REGIONAL_ANALYST,)


def chains_with(user: Any, roles: tuple) -> list:
    seen: dict = {}
    for m in memberships_of(user):
        if m.role in roles:
            seen.setdefault(m.chain_id, m.chain)
    return list(seen.values())


def report_chains(user: Any) -> list:
    return chains_with(user, REPORT_ROLES)


def analyst_chains(user: Any) -> list:
    return chains_with(user, ANALYST_ROLES)


def may_see_reports(user: Any) -> bool:
    return bool(report_chains(user))


def may_write_steering_text(user: Any, chain: Any) -> bool:
    return Role.STRATEGIC_COORDINATOR in roles_in(user, chain.pk)
