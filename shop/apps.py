"""The project's own app: shared helpers, and the listeners /metrics needs."""

from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self):
        from shop import metrics

        metrics.connect_receivers()
