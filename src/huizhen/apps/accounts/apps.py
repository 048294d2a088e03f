from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "huizhen.apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from huizhen.apps.accounts import receivers  # noqa: F401
