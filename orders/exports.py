"""CSV exports of orders and of their lines for staff: streamed, so any number of rows fits.

Rows come from the database in chunks (`iterator()`) and leave as they are written, so
100,000 orders never sit in memory together. UTF-8 with a byte-order mark and a header row:
spreadsheets (Excel included) then read Chinese names and addresses correctly. Amounts are
plain decimals (`1299.00`) a spreadsheet can sum; times are in the shop's time zone.
"""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.http import StreamingHttpResponse
from django.utils import timezone

from orders.models import Order, OrderEvent, OrderLine

BOM = "\ufeff"
CHUNK_SIZE = 2000


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer to stream through."""

    def write(self, value: str) -> str:
        return value


def csv_rows(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """Yield the CSV text: BOM and header first, then one line per row."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def _response(name: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(header, rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _one_line(address: dict) -> str:
    parts = ("name", "phone", "line1", "line2", "city", "province", "postcode", "country")
    return ", ".join(str(address.get(part) or "").strip() for part in parts if address.get(part))


def _attributes(attributes: dict) -> str:
    return "; ".join(f"{key}: {value}" for key, value in sorted((attributes or {}).items()))


ORDER_HEADER = ["number", "placed at", "paid at", "status", "customer", "items", "subtotal",
                "shipping", "points redeemed", "coupon", "total", "currency", "address"]


def orders_csv_response(orders: QuerySet[Order]) -> StreamingHttpResponse:
    """Stream `orders` (one row each, in their order) as a CSV download."""
    paid_at = OrderEvent.objects.filter(order=OuterRef("pk"), to_status=Order.Status.PAID)
    items = (OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order")
             .annotate(units=Sum("quantity")).values("units"))
    rows = orders.annotate(
        paid_at=Subquery(paid_at.values("created_at")[:1]), units=Subquery(items),
    ).values_list(
        "number", "created_at", "paid_at", "status", "user__email", "units", "subtotal",
        "shipping", "points_redeemed", "coupon_code", "total", "currency", "address",
    ).iterator(chunk_size=CHUNK_SIZE)
    return _response("orders", ORDER_HEADER, (
        [number, _when(created), _when(paid), status, email, units or 0, subtotal, shipping,
         points, coupon, total, currency, _one_line(address or {})]
        for (number, created, paid, status, email, units, subtotal, shipping, points, coupon,
             total, currency, address) in rows
    ))


LINE_HEADER = ["order", "placed at", "status", "sku", "name", "attributes", "quantity",
               "base price", "unit price", "line total", "flash sale", "currency"]


def lines_csv_response(orders: QuerySet[Order]) -> StreamingHttpResponse:
    """Stream the lines of `orders` as a CSV download, grouped by order."""
    rows = (
        OrderLine.objects.filter(order__in=orders.order_by().values("pk"))
        .order_by("-order__created_at", "order_id", "pk")
        .values_list("order__number", "order__created_at", "order__status", "sku_code", "name",
                     "attributes", "quantity", "base_price", "unit_price", "line_total",
                     "is_flash", "order__currency")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return _response("order-lines", LINE_HEADER, (
        [number, _when(created), status, sku, name, _attributes(attributes), quantity, base,
         unit, total, "yes" if flash else "", currency]
        for (number, created, status, sku, name, attributes, quantity, base, unit, total, flash,
             currency) in rows
    ))

