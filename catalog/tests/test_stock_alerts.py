"""Back-in-stock alerts: asked on a sold-out SKU; every path from 0 to more emails each
subscriber once; none from 5 to 6; two workers racing send one email per subscriber."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from rest_framework.test import APIClient

from accounts.tests.factories import StaffFactory, UserFactory
from catalog.models import StockAlert
from catalog.services import sku_set_stock, stock_release, stock_reserve, stock_sync
from catalog.shoppers.stock_alerts import stock_alert_subscribe, stock_alerts_send
from catalog.tests.factories import SkuFactory
from shop.testing import run_concurrently


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def catalog_staff():
    user = StaffFactory()
    user.groups.add(Group.objects.get(name="Catalog staff"))
    return user


@pytest.fixture
def sold_out(db):
    return SkuFactory(stock=0, product__name="Jade Kettle")


@pytest.fixture
def subscribers(sold_out):
    users = [UserFactory(), UserFactory()]
    for user in users:
        stock_alert_subscribe(user=user, sku=sold_out)
    return users


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def emails_of(users) -> list[str]:
    return sorted(user.email for user in users)


# --- Asking ------------------------------------------------------------------------------


def test_asking_on_a_sold_out_sku_is_201_and_asking_again_is_200_with_the_same_alert(sold_out):
    client = api_for(UserFactory())
    first = client.post(f"/api/v1/skus/{sold_out.code}/notify-me/")
    again = client.post(f"/api/v1/skus/{sold_out.code}/notify-me/")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["sku"] == sold_out.code
    assert StockAlert.objects.filter(sku=sold_out).count() == 1


def test_asking_on_a_sku_with_stock_is_400_in_stock(db):
    sku = SkuFactory(stock=3)

    response = api_for(UserFactory()).post(f"/api/v1/skus/{sku.code}/notify-me/")

    assert (response.status_code, response.json()["code"]) == (400, "in_stock")
    assert not StockAlert.objects.exists()


def test_anonymous_unknown_and_hidden_skus_are_refused(sold_out):
    hidden = SkuFactory(stock=0, is_active=False)
    assert APIClient().post(f"/api/v1/skus/{sold_out.code}/notify-me/").status_code == 401
    client = api_for(UserFactory())
    assert client.post("/api/v1/skus/NO-SUCH/notify-me/").status_code == 404
    assert client.post(f"/api/v1/skus/{hidden.code}/notify-me/").status_code == 404


def test_the_product_page_offers_the_alert_on_a_sold_out_sku_and_the_form_subscribes(client, sold_out):
    page = client.get(f"/p/{sold_out.product.slug}/").content.decode()
    assert 'id="stock-alert"' in page and f"/sku/{sold_out.code}/notify-me/" in page
    in_stock = SkuFactory(stock=4)
    html = client.get(f"/p/{in_stock.product.slug}/").content.decode()
    assert 'id="stock-alert" data-action-template="/sku/SKU-CODE/notify-me/" hidden' in html

    user = UserFactory()
    client.force_login(user)
    response = client.post(f"/sku/{sold_out.code}/notify-me/", follow=True)
    assert response.status_code == 200
    assert StockAlert.objects.filter(user=user, sku=sold_out).exists()
    refused = client.post(f"/sku/{in_stock.code}/notify-me/", follow=True)
    assert "in stock" in refused.content.decode()


# --- Each write path from 0 to more ------------------------------------------------------


def restock_by_service(sku):
    sku_set_stock(sku=sku, stock=5)


def restock_by_sku_patch(sku):
    response = api_for(catalog_staff()).patch(f"/api/v1/skus/{sku.code}/", {"stock": 5},
                                              format="json")
    assert response.status_code == 200, response.content


def restock_by_bulk_sync(sku):
    other = SkuFactory(stock=0)
    response = api_for(catalog_staff()).post(
        "/api/v1/stock/", [{"code": sku.code, "stock": 5}, {"code": other.code, "stock": 0}],
        format="json")
    assert response.status_code == 200, response.content


def restock_by_admin_sku_form(sku):
    client = APIClient()
    client.force_login(catalog_staff())
    response = client.post(f"/admin/catalog/sku/{sku.pk}/change/", {
        "code": sku.code, "attributes": "{}", "price": "100.00", "stock": 5,
        "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]


def restock_by_admin_product_inline(sku):
    client = APIClient()
    client.force_login(catalog_staff())
    product = sku.product
    response = client.post(f"/admin/catalog/product/{product.pk}/change/", {
        "category": product.category.pk, "name_en": product.name, "name_zh_hans": "",
        "slug": product.slug, "description_en": "", "description_zh_hans": "", "specs": "{}",
        "is_active": "on",
        "skus-TOTAL_FORMS": 1, "skus-INITIAL_FORMS": 1, "skus-MIN_NUM_FORMS": 0,
        "skus-MAX_NUM_FORMS": 1000, "skus-0-id": sku.pk, "skus-0-product": product.pk,
        "skus-0-code": sku.code, "skus-0-attributes": "{}", "skus-0-price": "100.00",
        "skus-0-stock": 5, "skus-0-is_active": "on",
        "images-TOTAL_FORMS": 0, "images-INITIAL_FORMS": 0, "images-MIN_NUM_FORMS": 0,
        "images-MAX_NUM_FORMS": 1000,
    })
    assert response.status_code == 302, response.content.decode()[:3000]


def restock_by_release(sku):
    stock_release(lines={sku.pk: 5})  # a cancelled order or a flash sale giving units back


@pytest.mark.parametrize("restock", [
    restock_by_service, restock_by_sku_patch, restock_by_bulk_sync, restock_by_admin_sku_form,
    restock_by_admin_product_inline, restock_by_release,
])
def test_stock_from_0_to_5_emails_each_subscriber_once_whatever_the_path(
        restock, sold_out, subscribers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        restock(sold_out)

    sold_out.refresh_from_db()
    assert sold_out.stock == 5
    assert sent_to() == emails_of(subscribers)
    assert "Jade Kettle is back in stock" in mail.outbox[0].subject
    assert not StockAlert.objects.filter(notified_at__isnull=True).exists()

    # Sold out and back again: the alerts were used, nobody is told twice.
    with django_capture_on_commit_callbacks(execute=True):
        stock_reserve(lines={sold_out.pk: 5})
        restock(sold_out)
    assert len(mail.outbox) == 2


def test_from_5_to_6_sends_nothing(db, django_capture_on_commit_callbacks):
    sku = SkuFactory(stock=0)
    stock_alert_subscribe(user=UserFactory(), sku=sku)
    with django_capture_on_commit_callbacks(execute=True):
        sku_set_stock(sku=sku, stock=5)
    assert len(mail.outbox) == 1
    # Nobody may ask while it has stock; an alert written anyway waits for 0 -> more.
    waiting = UserFactory()
    StockAlert.objects.create(user=waiting, sku=sku)

    with django_capture_on_commit_callbacks(execute=True):
        sku_set_stock(sku=sku, stock=6)
        stock_sync(items=[(sku.code, 7)])
        stock_release(lines={sku.pk: 1})

    assert len(mail.outbox) == 1
    assert StockAlert.objects.get(user=waiting).notified_at is None


def test_an_alert_used_once_is_armed_again_when_asked_again(sold_out, subscribers,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sku_set_stock(sku=sold_out, stock=5)
    sku_set_stock(sku=sold_out, stock=0)
    alert, created = stock_alert_subscribe(user=subscribers[0], sku=sold_out)
    assert (created, alert.notified_at) == (False, None)

    with django_capture_on_commit_callbacks(execute=True):
        sku_set_stock(sku=sold_out, stock=2)

    assert sent_to() == sorted([*emails_of(subscribers), subscribers[0].email])


def test_the_task_sends_nothing_if_the_sku_sold_out_again_before_it_ran(sold_out, subscribers):
    assert stock_alerts_send(sku_id=sold_out.pk) == 0
    assert mail.outbox == []
    assert StockAlert.objects.filter(notified_at__isnull=True).count() == 2


def test_the_email_is_in_the_shops_language(sold_out, subscribers, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    sku_set_stock(sku=sold_out, stock=1)

    stock_alerts_send(sku_id=sold_out.pk)

    assert "到货" in mail.outbox[0].subject


def test_running_the_task_twice_sends_each_email_once(sold_out, subscribers):
    sku_set_stock(sku=sold_out, stock=3)
    assert stock_alerts_send(sku_id=sold_out.pk) == 2
    assert stock_alerts_send(sku_id=sold_out.pk) == 0
    assert len(mail.outbox) == 2


# --- Races on PostgreSQL -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_restock_send_one_email_per_subscriber():
    sku = SkuFactory(stock=0)
    users = [UserFactory() for _ in range(5)]
    for user in users:
        stock_alert_subscribe(user=user, sku=sku)
    sku_set_stock(sku=sku, stock=5)  # no transaction around it: its task already ran
    StockAlert.objects.update(notified_at=None)
    mail.outbox.clear()

    results = run_concurrently(4, lambda _: stock_alerts_send(sku_id=sku.pk))

    assert sum(results) == 5, results
    assert sent_to() == emails_of(users)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_restocks_from_0_send_one_email_per_subscriber():
    sku = SkuFactory(stock=0)
    users = [UserFactory() for _ in range(3)]
    for user in users:
        stock_alert_subscribe(user=user, sku=sku)
    mail.outbox.clear()

    def restock(index):
        if index % 2:
            sku_set_stock(sku=sku, stock=5)
        else:
            stock_release(lines={sku.pk: 5})

    results = run_concurrently(4, restock)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sent_to() == emails_of(users)
