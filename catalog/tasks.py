"""Celery entry points of the catalogue: take ids, call one service; each is safe to run twice."""

from celery import shared_task

from catalog.shoppers.stock_alerts import stock_alerts_send
from shop.celery import RETRYING


@shared_task(**{**RETRYING, "autoretry_for": (*RETRYING["autoretry_for"], OSError)})
def stock_alerts_send_task(sku_id: int) -> int:
    return stock_alerts_send(sku_id=sku_id)  # each alert is claimed once before its email
