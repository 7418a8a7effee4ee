from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.i18n import set_language

from ketenregie.accounts import views as account_views
from ketenregie.api.urls import api_urlpatterns
from ketenregie.common import views as common_views
from ketenregie.common.access import public

admin.site.site_header = "Ketenregie"
admin.site.site_title = "Ketenregie"
admin.site.index_title = gettext_lazy("Administration")


def _admin_login(request, extra_context=None):
    """The administrators' screens use the same login, so two-factor applies there as well."""
    if request.user.is_authenticated:
        # Logged in without administrator rights: the admin would send them back here, and the
        # login page (already logged in) back to the admin, forever. Say no instead.
        if admin.site.has_permission(request):
            return redirect("admin:index")
        raise PermissionDenied
    return account_views.login_view(request)


admin.site.login = public(_admin_login)

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("", include("ketenregie.accounts.urls")),
    path("", include("ketenregie.cases.urls")),
    path("", include("ketenregie.network.urls")),
    path("", include("ketenregie.plans.urls")),
    path("", include("ketenregie.meetings.urls")),
    path("", include("ketenregie.followup.urls")),
    path("", include("ketenregie.reports.urls")),
    path("", include("ketenregie.privacy.urls")),
    path("", include("ketenregie.threads.urls")),
    path("", include("ketenregie.portal.urls")),
    path("beheer/", admin.site.urls),
    path("api/v1/", include(api_urlpatterns, namespace="api")),
]

handler400 = "ketenregie.common.views.bad_request"
handler403 = "ketenregie.common.views.permission_denied"
handler404 = "ketenregie.common.views.page_not_found"
handler500 = "ketenregie.common.views.server_error"
