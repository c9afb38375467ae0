"""Flash sales on pages and in the admin: /flash/, the product page, home, staff screens, demo."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import Sku
from catalog.tests.factories import ProductFactory, SkuFactory
from marketing import demo, flash
from marketing.models import FlashSale
from marketing.tests.factories import FlashSaleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_sale_cache():
    flash.flash_cache_forget()
    yield
    flash.flash_cache_forget()


def upcoming(**kwargs) -> FlashSale:
    now = timezone.now()
    return FlashSaleFactory(starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=3), **kwargs)


def test_the_flash_page_shows_running_sales_with_countdowns_and_upcoming_ones(client):
    running = FlashSaleFactory(sku__product__name="Jade Phone", price=Decimal("999.00"),
                               sku__price=Decimal("1999.00"), quantity=20)
    sold_out = FlashSaleFactory(quantity=1)
    FlashSale.objects.filter(pk=sold_out.pk).update(sold=1)
    later = upcoming(sku__product__name="Tea Set")

    page = client.get("/flash/").content.decode()

    assert "Jade Phone" in page and "¥999.00" in page and "¥1,999.00" in page
    assert f'data-countdown="{timezone.localtime(running.ends_at).isoformat()}"' in page
    assert f'data-countdown="{timezone.localtime(later.starts_at).isoformat()}"' in page
    assert page.count('disabled>Sold out</button>') == 1
    assert page.count('disabled>Not started</button>') == 1
    assert page.count('>Buy now</button>') == 1


def test_the_flash_page_costs_the_same_queries_for_one_sale_and_for_ten(client, django_assert_num_queries):
    FlashSaleFactory()
    with django_assert_num_queries(1) as one:
        client.get("/flash/")
    for _ in range(9):
        FlashSaleFactory()

    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/flash/")


def test_the_product_page_shows_the_flash_price_while_a_sale_runs(client):
    product = ProductFactory(slug="jade-phone")
    SkuFactory(product=product, price=Decimal("1999.00"), stock=50)
    sale = FlashSaleFactory(sku=product.skus.get(), price=Decimal("999.00"))

    page = client.get("/p/jade-phone/").content.decode()

    assert 'class="badge badge--flash">Flash sale<' in page
    assert "¥999.00" in page and f'data-flash-sale="{sale.pk}"' in page


def test_the_product_page_shows_nothing_without_a_sale(client):
    SkuFactory(product=ProductFactory(slug="plain"), stock=5)

    assert "badge--flash" not in client.get("/p/plain/").content.decode()


def test_home_shows_running_and_upcoming_flash_sales(client):
    FlashSaleFactory(sku__product__name="Jade Phone")
    upcoming(sku__product__name="Tea Set")

    page = client.get("/").content.decode()

    assert "Flash sales" in page and "Jade Phone" in page and "Tea Set" in page


# --- Admin ------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Marketing staff"))
    client.force_login(user)
    return client


def _form(sku, **changes) -> dict:
    now = timezone.localtime()
    later = now + timedelta(hours=1)
    return {"sku": sku.pk, "price": "59.00", "quantity": "20", "per_customer_limit": "1",
            "starts_at_0": now.strftime("%Y-%m-%d"), "starts_at_1": now.strftime("%H:%M:%S"),
            "ends_at_0": later.strftime("%Y-%m-%d"), "ends_at_1": later.strftime("%H:%M:%S"),
            "purchases-TOTAL_FORMS": "0", "purchases-INITIAL_FORMS": "0", **changes}


def test_staff_see_sold_of_quantity_status_and_window(staff_client):
    sale = FlashSaleFactory(quantity=20)
    FlashSale.objects.filter(pk=sale.pk).update(sold=7)

    page = staff_client.get("/admin/marketing/flashsale/?status=running").content.decode()

    assert "7 / 20" in page and "Active" in page and " → " in page


def test_staff_create_a_sale_in_the_admin_and_its_units_leave_the_stock(staff_client):
    sku = SkuFactory(stock=50, price=Decimal("100.00"))

    response = staff_client.post("/admin/marketing/flashsale/add/", _form(sku))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert FlashSale.objects.get().quantity == 20
    assert Sku.objects.get(pk=sku.pk).stock == 30


@pytest.mark.parametrize(("changes", "message"), [
    ({"price": "100.00"}, "The flash price must be below the SKU&#x27;s base price (¥100.00)."),
    ({"quantity": "51"}, "Only 50 units of"),
])
def test_a_bad_sale_in_the_admin_says_why(staff_client, changes, message):
    sku = SkuFactory(stock=50, price=Decimal("100.00"))

    response = staff_client.post("/admin/marketing/flashsale/add/", _form(sku, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FlashSale.objects.exists() and Sku.objects.get(pk=sku.pk).stock == 50


def test_an_end_before_the_start_is_refused_in_the_admin(staff_client):
    sku = SkuFactory(stock=50)
    now = timezone.localtime()
    changes = {"ends_at_0": (now - timedelta(days=1)).strftime("%Y-%m-%d")}

    response = staff_client.post("/admin/marketing/flashsale/add/", _form(sku, **changes))

    assert "The end must be after the start." in response.content.decode()


# --- Demo data --------------------------------------------------------------------------------


def test_demo_adds_one_running_and_one_upcoming_flash_sale_once():
    for _ in range(3):
        SkuFactory(stock=100)
    lines: list[str] = []

    demo._flash_sales(timezone.now(), lines.append)
    demo._flash_sales(timezone.now(), lines.append)

    statuses = sorted(sale.status for sale in FlashSale.objects.all())
    assert statuses == ["active", "upcoming"]
    assert lines[-2:] == ["running flash sale already there", "upcoming flash sale already there"]


def test_seed_demo_runs_with_the_flash_sales(settings):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))

    assert FlashSale.objects.count() == 2
