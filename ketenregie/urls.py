from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from ketenregie.accounts import views as account_views
from ketenregie.api.urls import api_urlpatterns
from ketenregie.common import views as common_views
from ketenregie.common.access import public

admin.site.site_header = "Ketenregie"
admin.site.site_title = "Ketenregie"
admin.site.index_title = "Beheer"
# The administrators' screens use the same login, so two-factor applies there as well.
admin.site.login = public(lambda request, extra_context=None: account_views.login_view(request))

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("", include("ketenregie.accounts.urls")),
    path("", include("ketenregie.cases.urls")),
    path("beheer/", admin.site.urls),
    path("api/v1/", include(api_urlpatterns, namespace="api")),
]

handler400 = "ketenregie.common.views.bad_request"
handler403 = "ketenregie.common.views.permission_denied"
handler404 = "ketenregie.common.views.page_not_found"
handler500 = "ketenregie.common.views.server_error"

