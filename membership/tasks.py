"""Membership's periodic work: the daily review of members whose spend has aged."""

from celery import shared_task

from membership.services import membership_review_due
from shop.celery import RETRYING


@shared_task(**RETRYING)
def membership_review_due_task() -> int:
    """Re-evaluate (and downgrade) members whose spend has left the window; safe to run twice."""
    return membership_review_due()
