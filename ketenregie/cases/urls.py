from django.urls import path  # noqa: F401

app_name = "cases"
urlpatterns: list = []
