from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    name = "jurisdictions"
    verbose_name = "Jurisdictions and catalogue"

    def ready(self) -> None:
        from jurisdictions import signals

        signals.connect()
