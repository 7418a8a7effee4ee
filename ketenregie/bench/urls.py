"""The application's URLs plus the benchmark's two reference pages (bench settings only)."""

from django.urls import path

from ketenregie.bench import views
from ketenregie.urls import handler400, handler403, handler404, handler500
from ketenregie.urls import urlpatterns as app_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("bench/leeg/", views.empty_page, name="bench_empty"),
    path("bench/naief/", views.NaiveCaseList.as_view(), name="bench_naive"),
    *app_urlpatterns,
]
