"""Signals accounts sends for optional listeners in the apps above it.

accounts may import no other app, so apps that keep per-user rows (points' sign-up bonus,
membership's starting tier) listen here instead of being called.
"""

from django.dispatch import Signal

# Sent once a shopper has signed up (page or API): kwargs `user`, `request` (may be None).
user_registered = Signal()
