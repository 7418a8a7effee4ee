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
