"""Celery entry points of marketing: the flash-sale sweeps (beat, every minute). Safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from marketing import flash

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True,
         "max_retries": 5}


@shared_task(**RETRY)
def flash_sales_end_due_task() -> int:
    return flash.flash_sales_end_due()  # each sale's unsold units go back once


@shared_task(**RETRY)
def flash_sales_reconcile_running_task() -> int:
    return flash.flash_sales_reconcile_running()  # a reload from the database: idempotent
