from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ketenregie.api"
    label = "api"
