from django.urls import path

from ketenregie.network import views

app_name = "network"

urlpatterns = [
    path("dossiers/<uuid:case_id>/netwerk/", views.network_page, name="page"),
    path("dossiers/<uuid:case_id>/netwerk/kaart.svg", views.network_map_download, name="map_svg"),
    path("dossiers/<uuid:case_id>/netwerk/nieuw/", views.member_add, name="member_add"),
    path("dossiers/<uuid:case_id>/netwerk/<uuid:member_id>/wijzigen/", views.member_edit, name="member_edit"),
    path("dossiers/<uuid:case_id>/netwerk/<uuid:member_id>/beeindigen/", views.member_end, name="member_end"),
    path("dossiers/<uuid:case_id>/netwerk/groepsfeit/nieuw/", views.group_create, name="group_create"),
    path("dossiers/<uuid:case_id>/netwerk/groepsfeit/koppelen/", views.group_link, name="group_link"),
    path(
        "dossiers/<uuid:case_id>/netwerk/groepsfeit/<uuid:group_id>/dossier-koppelen/",
        views.group_link_other,
        name="group_link_other",
    ),
]
