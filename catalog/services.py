"""The catalogue's write API. Nothing else in the project writes `Sku.stock` or `Sku.price`.

Every change a shop page shows calls catalogue_changed(), so cached pages render afresh.
"""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.webhooks import event_record
from catalog.errors import DuplicateSku, InvalidPrice, InvalidStock, OutOfStock, UnknownSku
from catalog.models import Category, Product, ProductImage, Sku
from catalog.shoppers.stock_alerts import stock_alerts_restocked
from catalog.thumbnails import thumbnails_make
from catalog.uploads import image_rewrite
from shop.catalogue_version import catalogue_changed

# Sku.price is DecimalField(max_digits=12, decimal_places=2): ten digits before the point.
PRICE_MAX_DIGITS = Sku._meta.get_field("price").max_digits
PRICE_PLACES = Sku._meta.get_field("price").decimal_places
UNSET = object()


@transaction.atomic
def stock_reserve(*, lines: Mapping[int, int]) -> None:
    """Take `quantity` units of each SKU (`{sku_id: quantity}`), all or nothing.

    One conditional UPDATE per SKU (`stock >= quantity`): two buyers racing for the last
    unit cannot both pass, and no row is read first. SKUs are taken in primary-key order so
    two multi-line orders lock rows in the same order and cannot deadlock. Raise OutOfStock
    naming the first SKU that is short; the surrounding transaction rolls back the rest.
    """
    now = timezone.now()
    for sku_id in sorted(lines):
        quantity = lines[sku_id]
        if quantity <= 0:
            raise ValueError(f"quantity must be positive, got {quantity}")
        # RETURNING tells the stock left without a second query, for the low-stock event.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Sku._meta.db_table} SET stock = stock - %s, updated_at = %s "  # nosec B608 - the model's table
                "WHERE id = %s AND is_active = %s AND stock >= %s RETURNING stock, code",
                [quantity, now, sku_id, True, quantity],
            )
            taken = cursor.fetchone()
        if taken is None:
            code = Sku.objects.filter(pk=sku_id).values_list("code", flat=True).first()
            raise OutOfStock(code or str(sku_id))
        left, code = taken
        _stock_moved(sku_id=sku_id, code=code, before=left + quantity, after=left)
        # Pages show stock only up to the low-stock mark: a take that leaves more than that
        # changes no page, only the exact figure the API shows.
        catalogue_changed(stock_only=left > settings.SHOP_LOW_STOCK)


def _stock_moved(*, sku_id: int, code: str, before: int, after: int) -> None:
    """Report what one stock write did to a SKU; every write of `Sku.stock` calls this.

    Falling to SHOP_LOW_STOCK or below writes a `stock.low` webhook event; going from 0 to
    more queues the SKU's back-in-stock alerts (after the commit), whichever path wrote it.
    """
    if after <= settings.SHOP_LOW_STOCK < before:
        event_record(type="stock.low", stream=f"sku:{sku_id}", subject_id=sku_id,
                     data={"sku": code, "stock": after})
    if before <= 0 < after:
        stock_alerts_restocked(sku_ids=[sku_id])


@transaction.atomic
def stock_release(*, lines: Mapping[int, int]) -> None:
    """Give units back (`{sku_id: quantity}`), e.g. when an order is cancelled."""
    now = timezone.now()
    for sku_id in sorted(lines):
        quantity = lines[sku_id]
        if quantity <= 0:
            raise ValueError(f"quantity must be positive, got {quantity}")
        # RETURNING gives the stock after the addition: the count before is that minus the
        # units, read in the same statement (a SKU back from 0 has alerts to send).
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Sku._meta.db_table} SET stock = stock + %s, updated_at = %s "  # nosec B608 - the model's table
                "WHERE id = %s RETURNING stock, code",
                [quantity, now, sku_id],
            )
            given = cursor.fetchone()
        if given is not None:
            after, code = given
            _stock_moved(sku_id=sku_id, code=code, before=after - quantity, after=after)
    # Whether the units leave the low-stock band is not known without a read; releases are
    # rare (cancellations), so any release moves the version.
    catalogue_changed()


# --- Price and stock of one SKU, bulk stock sync ---------------------------------------


def clean_price(price) -> Decimal:
    """Return `price` as a Decimal, or raise InvalidPrice saying what is wrong with it."""
    if isinstance(price, float):
        raise InvalidPrice(_("A price must be given as a decimal string, not a float."))
    try:
        value = Decimal(str(price).strip())
    except (InvalidOperation, ValueError):
        raise InvalidPrice(_("“%(price)s” is not a number.") % {"price": price}) from None
    if not value.is_finite():
        raise InvalidPrice(_("“%(price)s” is not a number.") % {"price": price})
    if value <= 0:
        raise InvalidPrice(_("A price must be greater than 0.00 (got %(value)s).") % {"value": value})
    if -value.as_tuple().exponent > PRICE_PLACES:
        raise InvalidPrice(_("A price has at most %(places)s decimal places (got %(value)s).") % {"places": PRICE_PLACES, "value": value})
    if value.adjusted() + 1 > PRICE_MAX_DIGITS - PRICE_PLACES:
        raise InvalidPrice(
            _("A price has at most %(digits)s digits before the point (got %(value)s).")
            % {"digits": PRICE_MAX_DIGITS - PRICE_PLACES, "value": value}
        )
    return value.quantize(Decimal(1).scaleb(-PRICE_PLACES))


def clean_stock(stock) -> int:
    """Return `stock` as an int, or raise InvalidStock."""
    if isinstance(stock, bool) or not isinstance(stock, int):
        raise InvalidStock(_("Stock must be a whole number (got %(stock)s).") % {"stock": repr(stock)})
    if stock < 0:
        raise InvalidStock(_("Stock cannot be negative (got %(stock)s).") % {"stock": stock})
    # PostgreSQL integer: refuse what the column cannot hold rather than fail with a 500.
    if stock > 2**31 - 1:
        raise InvalidStock(_("Stock is too large (got %(stock)s).") % {"stock": stock})
    return stock


@transaction.atomic
def sku_set_price(*, sku: Sku, price) -> Sku:
    """Set the base price of `sku` (what the ERP pushes); return the SKU with it."""
    value = clean_price(price)
    Sku.objects.filter(pk=sku.pk).update(price=value, updated_at=timezone.now())
    sku.price = value
    catalogue_changed()
    return sku


@transaction.atomic
def sku_set_stock(*, sku: Sku, stock: int) -> Sku:
    """Set the stock of `sku` to an absolute count (what the WMS counted)."""
    value = clean_stock(stock)
    # The count before, read under the row lock (the caller's instance may already carry the
    # new value, as an admin form's does): the low-stock report compares the two.
    before = Sku.objects.select_for_update().filter(pk=sku.pk).values_list("stock", flat=True).get()
    Sku.objects.filter(pk=sku.pk).update(stock=value, updated_at=timezone.now())
    _stock_moved(sku_id=sku.pk, code=sku.code, before=before, after=value)
    sku.stock = value
    catalogue_changed()
    return sku


@transaction.atomic
def stock_sync(*, items: Sequence[tuple[str, int]]) -> int:
    """Set the stock of many SKUs by code, all or nothing; return how many were updated.

    An unknown code raises UnknownSku naming every unknown code, and nothing changes. The
    rows are locked in primary-key order, the order stock_reserve takes them in, so a sync
    running beside checkouts cannot deadlock with them.
    """
    wanted: dict[str, int] = {}
    for code, stock in items:
        if code in wanted:
            raise InvalidStock(_("SKU %(code)s is listed more than once.") % {"code": code})
        wanted[code] = clean_stock(stock)
    if not wanted:
        return 0
    skus = list(Sku.objects.filter(code__in=wanted).select_for_update().order_by("pk"))
    unknown = sorted(set(wanted) - {sku.code for sku in skus})
    if unknown:
        raise UnknownSku(_("Unknown SKU code(s): %(codes)s.") % {"codes": ", ".join(unknown)},
                         codes=unknown)
    now = timezone.now()
    for sku in skus:
        _stock_moved(sku_id=sku.pk, code=sku.code, before=sku.stock, after=wanted[sku.code])
        sku.stock, sku.updated_at = wanted[sku.code], now
    Sku.objects.bulk_update(skus, ["stock", "updated_at"])
    catalogue_changed()
    return len(skus)


# --- Products and SKUs -----------------------------------------------------------------


@transaction.atomic
def sku_create(
    *, product: Product, code: str, attributes: Mapping | None = None, price, stock: int = 0,
    is_active: bool = True,
) -> Sku:
    """Add a SKU to `product`; raise DuplicateSku if `code` is taken."""
    code = code.strip()
    taken = DuplicateSku(f"SKU code {code} is already in use.", sku=code)
    if Sku.objects.filter(code=code).exists():
        raise taken
    price, stock = clean_price(price), clean_stock(stock)
    try:
        # The check above is not enough: a concurrent request may insert the same code in
        # between. The unique index decides; the savepoint keeps the transaction usable.
        with transaction.atomic():
            sku = Sku.objects.create(product=product, code=code,
                                     attributes=dict(attributes or {}), price=price,
                                     stock=stock, is_active=is_active)
    except IntegrityError:
        if Sku.objects.filter(code=code).exists():
            raise taken from None
        raise
    catalogue_changed()
    return sku


@transaction.atomic
def sku_update(*, sku: Sku, attributes=UNSET, price=UNSET, stock=UNSET, is_active=UNSET) -> Sku:
    """Change what is given of one SKU; price and stock go through their own services."""
    changed = []
    if attributes is not UNSET:
        sku.attributes = dict(attributes or {})
        changed.append("attributes")
    if is_active is not UNSET:
        sku.is_active = is_active
        changed.append("is_active")
    if changed:
        sku.save(update_fields=[*changed, "updated_at"])
        catalogue_changed()
    if price is not UNSET:
        sku_set_price(sku=sku, price=price)
    if stock is not UNSET:
        sku_set_stock(sku=sku, stock=stock)
    return sku


def _distinct_codes(items: Sequence[Mapping]) -> set[str]:
    """Return the codes of `items`; raise DuplicateSku if one is listed twice."""
    codes = [item["code"] for item in items]
    if len(set(codes)) != len(codes):
        raise DuplicateSku(_("Each SKU code may appear once."))
    return set(codes)


@transaction.atomic
def product_create(
    *, category: Category, name: str, slug: str, description: str = "",
    specs: Mapping | None = None, is_active: bool = True, skus: Iterable[Mapping] = (),
) -> Product:
    """Create a product with its SKUs (`[{code, attributes, price, stock, is_active?}]`).

    Raise DuplicateSku if a code is listed twice or already in use, ValidationError (field
    `slug`) if the slug is taken, also when a concurrent request takes either first.
    """
    skus = [dict(sku) for sku in skus]
    taken = sorted(Sku.objects.filter(code__in=_distinct_codes(skus))
                   .values_list("code", flat=True))
    if taken:
        raise DuplicateSku(_("SKU code(s) already in use: %(codes)s.") % {"codes": ', '.join(taken)}, codes=taken)
    slug_taken = ValidationError({"slug": [_("A product with this slug exists.")]})
    if Product.objects.filter(slug=slug).exists():
        raise slug_taken
    try:
        # A concurrent request may take the slug after the check: the unique index decides.
        with transaction.atomic():
            product = Product.objects.create(
                category=category, name=name, slug=slug, description=description,
                specs=dict(specs or {}), is_active=is_active,
            )
    except IntegrityError:
        if Product.objects.filter(slug=slug).exists():
            raise slug_taken from None
        raise
    for sku in skus:
        sku_create(product=product, **sku)
    catalogue_changed()
    return product


@transaction.atomic
def product_update(
    *, product: Product, category=UNSET, name=UNSET, description=UNSET, specs=UNSET,
    is_active=UNSET, skus: Iterable[Mapping] | None = None,
) -> Product:
    """Change what is given of `product`; `skus` are upserted by code.

    A listed code that exists on this product is updated, a new code is created (it needs a
    price), a code that belongs to another product or is listed twice is refused with
    DuplicateSku. SKUs not listed are left as they are. Nothing is written unless all of it
    can be.
    """
    items = [dict(item) for item in skus or ()]
    existing = {sku.code: sku for sku in Sku.objects.filter(code__in=_distinct_codes(items))}
    foreign = sorted(code for code, sku in existing.items() if sku.product_id != product.pk)
    if foreign:
        raise DuplicateSku(_("SKU code(s) belong to another product: %(codes)s.") % {"codes": ', '.join(foreign)},
                           codes=foreign)
    for item in items:
        if item["code"] not in existing and "price" not in item:
            raise ValidationError({"skus": [_("New SKU %(code)s needs a price.") % {"code": item["code"]}]})
    fields = {"category": category, "name": name, "description": description,
              "specs": specs, "is_active": is_active}
    changed = [field for field, value in fields.items() if value is not UNSET]
    for field in changed:
        setattr(product, field, fields[field])
    if changed:
        product.save(update_fields=[*changed, "updated_at"])
        catalogue_changed()
    for item in items:
        code = item.pop("code")
        if code in existing:
            sku_update(sku=existing[code], **item)
        else:
            sku_create(product=product, code=code, **item)
    return product


@transaction.atomic
def products_set_active(*, product_ids: Iterable[int], active: bool) -> int:
    """Show or hide products in the shop (the admin's bulk action); return how many changed."""
    changed = Product.objects.filter(pk__in=list(product_ids)).exclude(is_active=active).update(
        is_active=active, updated_at=timezone.now()
    )
    catalogue_changed()
    return changed


@transaction.atomic
def product_image_add(*, product: Product, image, alt: str = "", position: int | None = None
                      ) -> ProductImage:
    """Store an uploaded image for `product` (appended unless `position`).

    The upload is decoded and written again under a generated name (catalog.uploads); what
    does not decode as an accepted image is refused with a ValidationError.
    """
    image = image_rewrite(image)
    if position is None:
        last = product.images.order_by("-position").values_list("position", flat=True).first()
        position = 0 if last is None else last + 1
    stored = ProductImage.objects.create(product=product, image=image, alt=alt or product.name,
                                         position=position)
    # A new image changes the product for partners syncing by `updated_since`.
    Product.objects.filter(pk=product.pk).update(updated_at=timezone.now())
    return product_image_thumbnails_make(image=stored)


@transaction.atomic
def product_image_thumbnails_make(*, image: ProductImage) -> ProductImage:
    """Make the page thumbnails of a stored image and keep their URLs and sizes on its row."""
    image.thumbnails = thumbnails_make(image.image)
    ProductImage.objects.filter(pk=image.pk).update(thumbnails=image.thumbnails)
    catalogue_changed()
    return image
