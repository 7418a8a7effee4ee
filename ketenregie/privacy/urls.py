from django.urls import path

from ketenregie.privacy import views

app_name = "privacy"

urlpatterns = [
    path("dossiers/<uuid:case_id>/wie-bekeek/", views.access_log, name="access_log"),
    path("dossiers/<uuid:case_id>/privacy/", views.case_privacy, name="case"),
    path("dossiers/<uuid:case_id>/privacy/beperken/", views.restrict, name="restrict"),
    path("dossiers/<uuid:case_id>/privacy/beperking-opheffen/", views.lift, name="lift"),
    path("dossiers/<uuid:case_id>/privacy/bewaarplicht/", views.place_hold, name="place_hold"),
    path("bewaarplicht/<uuid:hold_id>/opheffen/", views.lift_hold, name="lift_hold"),
    path("jongeren/<uuid:youth_id>/inzage/", views.subject, name="subject"),
    path("jongeren/<uuid:youth_id>/inzage.json", views.subject_export, {"fmt": "json"}, name="subject_json"),
    path("jongeren/<uuid:youth_id>/inzage.pdf", views.subject_export, {"fmt": "pdf"}, name="subject_pdf"),
]
