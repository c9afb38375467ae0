"""Log records an operator can search: one JSON object a line, with the request they belong to.

`RequestContext` (a logging filter, set on the handler) copies the request id, user id and
order number from shop.context onto every record, whichever logger made it, so the JSON
formatter writes them as fields. Outside a request or task they are null.
"""

import logging

from shop import context


class RequestContext(logging.Filter):
    """Stamp the current request id, user id and order number on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.request_id.get()
        record.user_id = context.user_id.get()
        record.order_number = context.order_number.get()
        return True
