from django.urls import path

from ketenregie.reports import views

app_name = "reports"

urlpatterns = [
    path("rapporten/", views.report, name="report"),
    path("rapporten/tabellen/<slug:name>.csv", views.table_export, {"fmt": "csv"}, name="table_csv"),
    path("rapporten/tabellen/<slug:name>.xlsx", views.table_export, {"fmt": "xlsx"}, name="table_xlsx"),
    path("rapporten/rapport.xlsx", views.report_xlsx, name="report_xlsx"),
    path("rapporten/trajecten.csv", views.records_export, {"fmt": "csv"}, name="records_csv"),
    path("rapporten/trajecten.xlsx", views.records_export, {"fmt": "xlsx"}, name="records_xlsx"),
    path("rapporten/kolommen/", views.dictionary, name="dictionary"),
    path("rapporten/kolommen.csv", views.dictionary_csv, name="dictionary_csv"),
    path("rapporten/stuurgroep/", views.steering, name="steering"),
    path("rapporten/stuurgroep.pdf", views.steering_pdf, name="steering_pdf"),
    path("vlaams-overzicht/", views.compare, name="compare"),
    path("vlaams-overzicht/<slug:name>.csv", views.compare_export, {"fmt": "csv"}, name="compare_csv"),
    path("vlaams-overzicht/<slug:name>.xlsx", views.compare_export, {"fmt": "xlsx"}, name="compare_xlsx"),
]
