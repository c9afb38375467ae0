"""Address parts as the page's language writes them: `{% load address_tags %}`."""

from django import template
from django_countries import countries

from accounts.addresses import province_label

register = template.Library()


@register.filter
def province_name(value: str) -> str:
    """Return a stored province ("Shanghai") in the active language ("上海" in Chinese)."""
    return province_label(value) if value else ""


@register.filter
def country_name(code: str) -> str:
    """Return the name of an ISO country code in the active language; the code if unknown."""
    return countries.name(code) or code
