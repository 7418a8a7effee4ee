from django.urls import path

from ketenregie.accounts import reauth, views

app_name = "accounts"

urlpatterns = [
    path("inloggen/", views.login_view, name="login"),
    path("uitloggen/", views.logout_view, name="logout"),
    path("tweestapsverificatie/instellen/", views.two_factor_setup, name="two_factor_setup"),
    path("tweestapsverificatie/", views.two_factor_verify, name="two_factor_verify"),
    path("tweestapsverificatie/herstelcodes/", views.recovery_codes, name="recovery_codes"),
    path("account/", views.account, name="account"),
    path("account/bevestigen/", reauth.reauthenticate, name="reauthenticate"),
    path("account/tokens/<uuid:token_id>/intrekken/", views.revoke_token, name="revoke_token"),
    path("account/wachtwoord/", views.password_change, name="password_change"),
    path("wachtwoord-vergeten/", views.password_reset, name="password_reset"),
    path("wachtwoord-vergeten/verzonden/", views.password_reset_done, name="password_reset_done"),
    path("wachtwoord-herstellen/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("wachtwoord-herstellen/klaar/", views.password_reset_complete, name="password_reset_complete"),
]
