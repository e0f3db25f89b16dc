from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and API access"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  # drops cached API tokens when they change
