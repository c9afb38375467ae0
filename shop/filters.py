"""Query-string filters shared by the apps' list endpoints."""

from datetime import timezone as dt_timezone

import django_filters
from django.core.exceptions import ValidationError


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 instant, cleaned to UTC.

    PostgreSQL refuses offsets beyond ±15:59 that Python accepts, and an instant outside
    years 1-9999 once in UTC cannot be compared at all: in UTC the first is plain, the
    second a field error (not a 500).
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(dt_timezone.utc)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
