"""Flash sales (秒杀): one SKU at a fixed price, a quantity, a window, a per-customer limit.

The package: selectors.py (reads, the process-local sale cache), sales.py (staff writes: create,
update, delete, end), reservation.py (admit, reserve, release, paid), reconcile.py (the gate's
counters), gate.py (the Redis gate: one Lua call per attempt), and the screens: admin.py, api.py,
views.py. The services are re-exported here, so `from marketing.flash import …` works; buying
is orders' (orders/services/flash.py, orders/api/flash.py).

A stampede is answered cheapest first: the cached sale, then the window and the Redis gate
refuse without a query; the database's conditional UPDATE on `sold` stays the source of truth,
so never more than the quota is sold. Invariant: sold = Σ quantity of the sale's active
purchases. See docs/flash-sales.md.
"""


from marketing.flash.reconcile import PRELOAD_AHEAD, flash_reconcile, flash_sales_reconcile_running
from marketing.flash.reservation import (
    Admission,
    flash_admit,
    flash_purchase_paid,
    flash_release,
    flash_reserve,
)
from marketing.flash.sales import (
    EDITABLE,
    flash_sale_create,
    flash_sale_delete,
    flash_sale_end,
    flash_sale_update,
    flash_sales_end_due,
)
from marketing.flash.selectors import (
    CACHE_SECONDS,
    flash_cache_forget,
    flash_remaining_left,
    flash_sale_cached,
    flash_sale_for_product,
    flash_sales_listed,
)

__all__ = [
    "CACHE_SECONDS", "EDITABLE", "PRELOAD_AHEAD", "Admission", "flash_admit", "flash_cache_forget",
    "flash_purchase_paid", "flash_reconcile", "flash_release", "flash_remaining_left",
    "flash_reserve", "flash_sale_cached", "flash_sale_create", "flash_sale_delete",
    "flash_sale_end", "flash_sale_for_product", "flash_sale_update", "flash_sales_end_due",
    "flash_sales_listed", "flash_sales_reconcile_running",
]
