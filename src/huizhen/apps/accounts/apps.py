from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "huizhen.apps.accounts"
    label = "accounts"
