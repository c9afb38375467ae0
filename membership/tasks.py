"""Membership's periodic work: the daily review of members whose spend has aged."""

from celery import shared_task
from django.db import OperationalError

from membership.services import membership_review_due


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True)
def membership_review_due_task() -> int:
    """Re-evaluate (and downgrade) members whose spend has left the window; safe to run twice."""
    return membership_review_due()
