from django.conf import settings
from django.http import HttpRequest


def ketenregie(request: HttpRequest) -> dict:
    from ketenregie.accounts.queries import memberships_of

    user = getattr(request, "user", None)
    memberships = memberships_of(user) if user is not None and user.is_authenticated else []
    return {
        "DEMO": settings.DEMO,
        "REQUIRE_2FA": settings.REQUIRE_2FA,
        "my_memberships": memberships,
    }


def nav_items(request: HttpRequest) -> dict:
    """The main navigation for the roles the user holds; ``current`` marks the section being viewed."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from ketenregie.accounts.enums import Role
    from ketenregie.accounts.queries import memberships_of

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = {m.role for m in memberships_of(user)}
    entries = []
    if roles & {Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR, Role.OT_MEMBER, Role.PARTNER}:
        entries.append((_("Cases"), "cases:case_list"))
    if Role.OPERATIONAL_COORDINATOR in roles:
        entries.append((_("Consults"), "cases:consult_list"))
    if roles & {Role.OPERATIONAL_COORDINATOR, Role.OT_MEMBER}:
        entries.append((_("OT"), "cases:ot_list"))
    if roles & {Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR}:
        entries.append((_("Signals"), "followup:signals"))
        entries.append((_("Intervision"), "followup:intervision"))
    if roles & {Role.STRATEGIC_COORDINATOR, Role.OPERATIONAL_COORDINATOR}:
        entries.append((_("Figures"), "reports:report"))
    if Role.REGIONAL_ANALYST in roles:
        entries.append((_("Flemish overview"), "reports:compare"))
    if Role.PARTNER in roles:
        entries.append((_("My actions"), "threads:my_actions"))
        entries.append((_("My meetings"), "threads:my_meetings"))
    if roles & {Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR, Role.PARTNER}:
        entries.append((_("Conversations"), "threads:inbox"))
    if roles:
        entries.append((_("Notifications"), "followup:notifications"))
    items = []
    for label, name in entries:
        url = reverse(name)
        items.append({"label": label, "url": url, "current": request.path.startswith(url)})
    return {"nav_items": items}
