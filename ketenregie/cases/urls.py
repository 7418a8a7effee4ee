from django.urls import path

from ketenregie.cases.views import case_list, case_page, consults, intake, legal_basis, ot, registration, steps
from ketenregie.consent import views as consent_views

app_name = "cases"

urlpatterns = [
    # Consults and registration
    path("consults/", consults.consult_list, name="consult_list"),
    path("consults/nieuw/", consults.consult_create, name="consult_create"),
    path("consults/<uuid:consult_id>/", consults.consult_detail, name="consult_detail"),
    path("aanmelden/", registration.register, name="register"),
    path("aanmelden/criteria/", registration.eligibility_preview, name="eligibility_preview"),
    # Cases
    path("dossiers/", case_list.case_list, name="case_list"),
    path("dossiers/<uuid:case_id>/", case_page.case_detail, name="case_detail"),
    path("dossiers/<uuid:case_id>/geschiedenis/", case_page.case_history, name="case_history"),
    path("dossiers/<uuid:case_id>/stap/<slug:transition>/", steps.take_step, name="take_step"),
    path("dossiers/<uuid:case_id>/opstart/", steps.record_start, name="record_start"),
    path("dossiers/<uuid:case_id>/toewijzen/", steps.assign, name="assign"),
    path("dossiers/<uuid:case_id>/naar-ot/", steps.flag_for_ot, name="flag_for_ot"),
    path("dossiers/<uuid:case_id>/nieuw-traject/", registration.register_new_trajectory, name="new_trajectory"),
    path("dossiers/<uuid:case_id>/intake/", intake.intake_edit, name="intake"),
    # Consents
    path("dossiers/<uuid:case_id>/toestemmingen/", consent_views.consent_list, name="consent_list"),
    path("dossiers/<uuid:case_id>/toestemmingen/nieuw/", consent_views.consent_create, name="consent_create"),
    path("dossiers/<uuid:case_id>/toestemmingsformulier.pdf", consent_views.consent_form_pdf, name="consent_form_pdf"),
    path("toestemmingen/<uuid:consent_id>/document/", consent_views.consent_document, name="consent_document"),
    path("toestemmingen/<uuid:consent_id>/intrekken/", consent_views.consent_withdraw, name="consent_withdraw"),
    path("noodtoegang/", consent_views.break_glass, name="break_glass"),
    # Operational team
    path("ot/", ot.meeting_list, name="ot_list"),
    path("ot/nieuw/", ot.meeting_create, name="ot_create"),
    path("ot/<uuid:meeting_id>/", ot.meeting_detail, name="ot_detail"),
    path("ot/<uuid:meeting_id>/aanwezigheid/", ot.attendance, name="ot_attendance"),
    path("ot/<uuid:meeting_id>/agenda-bijwerken/", ot.refresh_agenda, name="ot_refresh"),
    path("ot/<uuid:meeting_id>/afgerond/", ot.mark_held, name="ot_held"),
    path("ot/<uuid:meeting_id>/notulen.pdf", ot.minutes_pdf, name="ot_minutes_pdf"),
    path("ot/punten/<uuid:item_id>/beslissing/", ot.decide, name="ot_decide"),
    path("ot/punten/<uuid:item_id>/beslissingsformulier/", ot.decision_form, name="ot_decision_form"),
    path("keten/<slug:chain_slug>/rechtsgrond/", legal_basis.register_list, name="legal_basis"),
    path("keten/<slug:chain_slug>/rechtsgrond/nieuw/", legal_basis.register_create, name="legal_basis_create"),
]
