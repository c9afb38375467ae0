"""The staff's order screens: read-only records, money and addresses for people, CSV exports
streamed, shipping many orders with one carrier, packing slips."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from orders.gateways.dummy import payment_simulate
from orders.models import Order, Payment, Shipment
from orders.services import order_settle
from orders.tests.factories import ADDRESS, SkuFactory, UserFactory, place
from points.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory(is_superuser=True))
    return client


def _processing(**sku):
    order = place(skus=[SkuFactory(price=Decimal("1299.00"), attributes={"colour": "red", "size": "M"},
                                   **sku)])
    payment_simulate(order=order, outcome="approve")
    order_settle(order_id=order.pk)
    order.refresh_from_db()
    return order


def _offers_save_or_delete(page: str) -> bool:
    return any(marker in page for marker in ('name="_save"', 'name="_continue"',
                                              'name="_addanother"', 'class="deletelink"'))


def test_no_change_page_of_a_paid_order_payment_or_ledger_entry_offers_save_or_delete(admin_client):
    order = _processing()
    payment = Payment.objects.get(order=order)
    entry = LedgerEntry.objects.filter(account__user=order.user).first()
    assert entry is not None  # the sign-up bonus or the order's points

    for url in (reverse("admin:orders_order_change", args=[order.pk]),
                reverse("admin:orders_payment_change", args=[payment.pk]),
                reverse("admin:points_ledgerentry_change", args=[entry.pk])):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert not _offers_save_or_delete(response.content.decode()), url
        # A POST is refused as well: the page is not merely missing its buttons.
        assert admin_client.post(url, {}).status_code == 403, url


def test_the_change_page_check_sees_the_buttons_of_an_editable_record(admin_client):
    sku = SkuFactory()
    page = admin_client.get(reverse("admin:catalog_sku_change", args=[sku.pk])).content.decode()
    assert _offers_save_or_delete(page)


def test_an_order_page_reads_like_the_business(admin_client):
    order = _processing()

    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert "¥1,299.00" in page
    assert "Li Lei +86 138 0000 0000<br>1 Nanjing Road<br>200001 Shanghai Shanghai<br>CN" in page
    assert "colour: red<br>size: M" in page
    assert '{"colour"' not in page and '"line1"' not in page
    assert "Unpaid after this" not in page  # paid: the pay-by note no longer applies


def test_the_order_list_shows_the_total_with_the_currency_and_filters(admin_client):
    order = _processing()

    page = admin_client.get(reverse("admin:orders_order_changelist"),
                            {"status__exact": "processing"}).content.decode()

    assert order.number in page and "¥1,299.00" in page
    assert "Export orders (CSV)" in page and "Export lines (CSV)" in page


def _bulk_orders(count: int, *, created_at=None) -> None:
    user = UserFactory()
    now = created_at or timezone.now()
    Order.objects.bulk_create(
        Order(number=f"SOBULK{n:06d}", user=user, status=Order.Status.PROCESSING, address=ADDRESS,
              subtotal=Decimal("90.00"), shipping=Decimal("10.00"), total=Decimal("100.00"),
              currency="CNY", pay_by=now, created_at=now)
        for n in range(count)
    )
    # auto_now_add stamps bulk_create's rows with now: set the date they should carry.
    Order.objects.filter(number__startswith="SOBULK").update(created_at=now)


def test_the_csv_export_of_10000_orders_streams_with_a_bom_and_a_header(admin_client):
    _bulk_orders(10_000)

    response = admin_client.get(reverse("admin:orders_order_export"))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffnumber,placed at,paid at,status,customer")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert len(rows) == 1 + 10_000
    assert rows[1][rows[0].index("total")] == "100.00"


def test_the_export_follows_the_lists_date_range_and_filters(admin_client):
    old = timezone.now() - timedelta(days=400)
    _bulk_orders(3, created_at=old)
    recent = _processing()
    year = timezone.localtime(recent.created_at).year

    response = admin_client.get(reverse("admin:orders_order_export"), {"created_at__year": year})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert [row[0] for row in rows[1:]] == [recent.number]
    assert admin_client.get(reverse("admin:orders_order_export"), {"nope": "1"}).status_code == 400


def test_the_lines_export_has_one_row_per_line_with_readable_attributes(admin_client):
    order = _processing()

    response = admin_client.get(reverse("admin:orders_order_export_lines"), {"q": order.number})
    body = b"".join(response.streaming_content).decode("utf-8")

    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["order", "placed at", "status"]
    assert [(r[0], r[5], r[6], r[9]) for r in rows[1:]] == [
        (order.number, "colour: red; size: M", "1", "1299.00")]


def test_a_shopper_cannot_export(client):
    client.force_login(UserFactory())
    assert client.get(reverse("admin:orders_order_export")).status_code == 302  # to the login


def test_ship_selected_orders_with_one_carrier_one_shipment_each(admin_client):
    first, second = _processing(), _processing()
    url = reverse("admin:orders_order_changelist")

    admin_client.post(url, {
        "action": "ship", "apply": "1", "_selected_action": [first.pk, second.pk],
        "carrier": "SF Express",
        f"{first.pk}-tracking_number": "SF1", f"{second.pk}-tracking_number": "SF2",
    })

    for order, tracking in ((first, "SF1"), (second, "SF2")):
        assert Order.objects.get(pk=order.pk).status == "shipped"
        assert list(Shipment.objects.filter(order=order).values_list(
            "carrier", "tracking_number")) == [("SF Express", tracking)]


def test_packing_slips_print_one_page_per_order_with_address_and_lines(admin_client):
    first, second = _processing(), _processing()

    response = admin_client.post(reverse("admin:orders_order_changelist"), {
        "action": "packing_slips", "_selected_action": [first.pk, second.pk]})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="packing-slip"') == 2
    assert first.number in page and second.number in page
    assert "1 Nanjing Road" in page and "colour: red, size: M" in page
    assert "packing-slips.css" in page
