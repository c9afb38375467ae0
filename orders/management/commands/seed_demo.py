"""Load the demo shop: every app seeds its own rows, bottom layer first. Idempotent."""

from django.core.management.base import BaseCommand

import accounts.demo
import catalog.demo
import marketing.demo
import membership.demo
import points.demo

# orders orchestrates, so the command that calls every app's seeding lives here.
SEEDERS = [accounts.demo, catalog.demo, membership.demo, points.demo, marketing.demo]


class Command(BaseCommand):
    help = "Create the demo shop (categories, products, tiers, promotions, a demo shopper). Safe to run twice."

    def handle(self, *args, **options):
        for module in SEEDERS:
            app = module.__name__.split(".")[0]
            module.seed(out=lambda message, app=app: self.stdout.write(f"[{app}] {message}"))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
