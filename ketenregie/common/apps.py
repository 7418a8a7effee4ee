from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "ketenregie.common"
    label = "common"

    def ready(self) -> None:
        from ketenregie.common import lookups  # noqa: F401 — registers field__any_of
