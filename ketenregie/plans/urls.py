from django.urls import path

from ketenregie.plans import views

app_name = "plans"

urlpatterns = [
    path("dossiers/<uuid:case_id>/plan/", views.plan_page, name="plan"),
    path("dossiers/<uuid:case_id>/plan/levensdomein-toevoegen/", views.add_domain, name="add_domain"),
    path("dossiers/<uuid:case_id>/plan/versies/", views.version_list, name="versions"),
    path("dossiers/<uuid:case_id>/plan/versies/<int:number>/", views.version_detail, name="version"),
    path("dossiers/<uuid:case_id>/plan/plan.pdf", views.plan_pdf, name="pdf"),
    path("dossiers/<uuid:case_id>/plan/<slug:code>/bewerken/", views.edit_domain, name="edit_domain"),
]
