from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "ketenregie.common"
    label = "common"
