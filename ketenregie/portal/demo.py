"""The demo youth account ``jongere-demo`` (password ``demo``) with "Mijn traject" for an active demo case.

Demo mode only (the seed command refuses elsewhere): the short password is set directly, as for the
other demo accounts, instead of through the password rules. The invitation itself goes through
portal.domain.invite, without the e-mail. Rerunning is harmless.
"""

from __future__ import annotations

from django.utils import timezone

from ketenregie.accounts.models import User
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.portal import domain
from ketenregie.portal.enums import PortalRole
from ketenregie.portal.models import PortalAccess

USERNAME = "jongere-demo"
EMAIL = "jongere-demo@genk.example"


def seed_demo_youth(*, chain, password: str, stdout=None) -> PortalAccess | None:
    existing = PortalAccess.objects.with_scopes_disabled().filter(user__username=USERNAME).first()
    if existing is not None:
        return existing
    case = (
        Case.objects.with_scope(chain=chain.pk)
        .filter(status=CaseStatus.ACTIVE, case_director__isnull=False, youth__first_name="Jens")
        .select_related("youth", "case_director", "chain")
        .first()
    ) or (
        Case.objects.with_scope(chain=chain.pk)
        .filter(status=CaseStatus.ACTIVE, case_director__isnull=False)
        .select_related("youth", "case_director", "chain")
        .order_by("reference")
        .first()
    )
    if case is None or User.objects.filter(username=USERNAME).exists():
        return None
    access = domain.invite(
        actor=case.case_director,
        case=case,
        role=PortalRole.YOUTH,
        email=EMAIL,
        youth_agreed_on=timezone.localdate(),
        send_email=False,
    )
    user = access.user
    user.username = USERNAME
    user.set_password(password)
    user.save(update_fields=["username", "password"])
    access.activated_at = timezone.now()
    access.save(update_fields=["activated_at", "updated_at"])
    domain.send_message(
        actor=user, body="Hoi, kan ons gesprek volgende week op woensdag na school? Dan heb ik geen les."
    )
    if stdout is not None:
        stdout.write(
            f"Demo youth account: {USERNAME} (password: {password}) sees case {case.reference} at /mijn-traject/"
        )
    return access
