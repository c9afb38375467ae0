"""Number formats for zh-Hans pages: Django's defaults plus a comma every three digits.

Django's zh_Hans locale has no thousands separator (and groups by four when one is
forced); the shop writes amounts as ¥1,299.00 in both languages, so points read 12,345 too,
as Chinese shops print them.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403 (the rest stays Django's)

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
