from django.urls import path

from ketenregie.threads import views, workspace

app_name = "threads"

urlpatterns = [
    path("dossiers/<uuid:case_id>/gesprekken/", views.case_threads, name="case_threads"),
    path("dossiers/<uuid:case_id>/gesprekken/nieuw/", views.thread_create, name="create"),
    path("gesprekken/", views.inbox, name="inbox"),
    path("gesprekken/<uuid:thread_id>/", views.thread_detail, name="detail"),
    path("gesprekken/<uuid:thread_id>/deelnemers/", views.participant_add, name="participant_add"),
    path("gesprekken/<uuid:thread_id>/berichten/<uuid:message_id>/bewerken/", views.message_edit, name="message_edit"),
    path(
        "gesprekken/<uuid:thread_id>/berichten/<uuid:message_id>/verwijderen/",
        views.message_delete,
        name="message_delete",
    ),
    path("gesprekken/bijlagen/<uuid:attachment_id>/", views.attachment_download, name="attachment"),
    path("mijn-acties/", workspace.my_actions, name="my_actions"),
    path("mijn-acties/<uuid:action_id>/", workspace.action_update, name="action_update"),
    path("mijn-overleggen/", workspace.my_meetings, name="my_meetings"),
    path("mijn-overleggen/<uuid:meeting_id>/uitnodiging.ics", workspace.meeting_ics, name="meeting_ics"),
]
