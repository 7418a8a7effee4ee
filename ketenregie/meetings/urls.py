from django.urls import path

from ketenregie.meetings import views

app_name = "meetings"

urlpatterns = [
    path("dossiers/<uuid:case_id>/overleggen/", views.meeting_list, name="list"),
    path("dossiers/<uuid:case_id>/overleggen/nieuw/", views.meeting_create, name="create"),
    path("dossiers/<uuid:case_id>/overleggen/achteraf/", views.meeting_record, name="record"),
    path("dossiers/<uuid:case_id>/overleggen/<uuid:meeting_id>/", views.meeting_detail, name="detail"),
    path("dossiers/<uuid:case_id>/overleggen/<uuid:meeting_id>/uitnodiging.ics", views.invitation_ics, name="ics"),
    path(
        "dossiers/<uuid:case_id>/overleggen/<uuid:meeting_id>/uitnodiging/", views.invitation_print, name="invitation"
    ),
    path("dossiers/<uuid:case_id>/overleggen/<uuid:meeting_id>/gehouden/", views.meeting_hold, name="hold"),
    path("dossiers/<uuid:case_id>/overleggen/<uuid:meeting_id>/evaluatie/", views.meeting_evaluate, name="evaluate"),
]
