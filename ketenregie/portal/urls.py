from django.urls import path

from ketenregie.portal import views

app_name = "portal"

urlpatterns = [
    path("mijn-traject/", views.home, name="home"),
    path("mijn-traject/inloggen/", views.login_view, name="login"),
    path("mijn-traject/code/", views.code, name="code"),
    path("mijn-traject/uitloggen/", views.logout_view, name="logout"),
    path("mijn-traject/activeren/<str:token>/", views.activate, name="activate"),
    path("mijn-traject/berichten/", views.conversation, name="messages"),
    path("mijn-traject/toestemmingen/<uuid:consent_id>/intrekken/", views.withdrawal, name="withdrawal"),
    path("dossiers/<uuid:case_id>/mijn-traject/", views.case_access, name="case_access"),
    path("dossiers/mijn-traject-toegang/<uuid:access_id>/beeindigen/", views.access_end, name="access_end"),
    path("dossiers/mijn-traject-toegang/<uuid:access_id>/opnieuw/", views.access_resend, name="access_resend"),
    path("dossiers/mijn-traject-vragen/<uuid:request_id>/afgehandeld/", views.request_handled, name="request_handled"),
]
