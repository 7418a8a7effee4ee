from django.urls import path

from ketenregie.followup import views

app_name = "followup"

urlpatterns = [
    path("dossiers/<uuid:case_id>/contacten/", views.contacts, name="contacts"),
    path("dossiers/<uuid:case_id>/contacten/ritme/", views.cadence, name="cadence"),
    path("dossiers/<uuid:case_id>/gebeurtenissen/", views.events, name="events"),
    path("signalen/", views.signals, name="signals"),
    path("signalen/gezien/", views.acknowledge, name="acknowledge"),
    path("intervisie/", views.intervision, name="intervision"),
    path("intervisie/<uuid:case_id>/advies/", views.intervision_advice, name="intervision_advice"),
    path("meldingen/", views.notifications, name="notifications"),
    path("meldingen/gelezen/", views.notification_read, name="notification_read"),
    path("meldingen/openen/", views.notification_open, name="notification_open"),
    path("meldingen/voorkeuren/", views.preferences, name="preferences"),
]
