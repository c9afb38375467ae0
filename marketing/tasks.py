"""Celery entry points of marketing: the flash-sale sweeps (beat, every minute). Safe to run twice."""

from celery import shared_task

from marketing import flash
from shop.celery import RETRYING


@shared_task(**RETRYING)
def flash_sales_end_due_task() -> int:
    return flash.flash_sales_end_due()  # each sale's unsold units go back once


@shared_task(**RETRYING)
def flash_sales_reconcile_running_task() -> int:
    return flash.flash_sales_reconcile_running()  # a reload from the database: idempotent
