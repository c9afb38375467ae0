"""Periodic points work: the daily expiry sweep and the nightly integrity check."""

import logging

from celery import shared_task

from points.selectors import points_discrepancies
from points.services import points_expire
from shop.celery import RETRYING

logger = logging.getLogger(__name__)


@shared_task(**RETRYING)
def points_expire_task() -> int:
    """Expire every lot past its date (daily; safe to run twice)."""
    expired = points_expire()
    logger.info("points expiry: %s points expired", expired)
    return expired


@shared_task(**RETRYING)
def points_integrity_check_task() -> int:
    """Compare each stored balance with its ledger sum and lots; log every difference loudly."""
    problems = points_discrepancies()
    for row in problems:
        logger.error(
            "points ledger mismatch: account %(account_id)s (user %(user_id)s) stores balance "
            "%(balance)s but its ledger sums to %(ledger_sum)s and its lots to %(lots_sum)s",
            row,
        )
    if not problems:
        logger.info("points integrity check: every balance matches its ledger and lots")
    return len(problems)
