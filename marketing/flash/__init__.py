"""Flash sales (秒杀): create and end sales, reserve and release units, reconcile the gate.

The package: selectors.py (reads, the sale cache), sales.py (staff writes: create, update,
delete, end), reservation.py (admit, reserve, release, paid), reconcile.py (the gate's
counters); every public name is re-exported here, so `from marketing.flash import …` works.

How a stampede of buyers is answered (docs/flash-sales.md tells it in full):

1. The sale is read through a process-local cache that lives CACHE_SECONDS, so the
   thousands of attempts of the first second cost no query to find it. A price, limit or
   window edited by staff reaches every web process within that time; the database step
   below re-checks the window and the units, so a stale copy can never sell too much.
2. With REDIS_URL, the Redis gate (marketing/flash_gate.py) checks and takes the sale's units
   and the shopper's count in one Lua call. A refusal (`sold_out`, `limit_reached`) ends
   there: it never reaches the database.
3. An attempt the gate lets through goes to the database, the source of truth: the
   conditional UPDATE `sold + q <= quantity` (inside the window, stock not yet returned)
   takes the units and the sale row's lock; the shopper's active purchases are counted only
   after it, under that lock, so two attempts by one shopper queue on the row and the second
   sees the first's committed purchase — race-free under READ COMMITTED. The FlashPurchase
   row is written in the same transaction as the order (orders/flash.py).
4. When the database refuses or the order fails, the gate's units go back
   (`Admission.give_back`), except on a database `sold_out` or `limit_reached`: then the gate
   let through what the database refuses, and it is reconciled instead. The database answers
   in the gate's order: a shopper at their limit hears `limit_reached` even when the sale is
   also sold out.

Without REDIS_URL step 2 is skipped and the conditional UPDATE alone gives the guarantee.

`flash_reconcile` replaces the gate's counters with the database's figures (left =
quantity − units in active purchases; per shopper, their active units). It runs when the gate
answers NOT_LOADED (Redis restarted or flushed), after a database `sold_out`, when a sale is
created, and every minute for running sales and those about to start (beat). Attempts in
flight during a reconcile can leave the gate too generous for a moment — the database refuses
the surplus — and a give-back lost to a crash leaves it too strict until the next reconcile:
never more than the quota is sold, and no unit stays stranded longer than a minute.

Units: creating a sale takes `quantity` out of the SKU's stock (catalog.services.stock_reserve),
so ordinary orders cannot eat them. A cancelled or unpaid flash order gives its units back to
the sale (`flash_release`). When the sale ends, `flash_sale_end` returns the unsold units to the
SKU's stock once; units released after that go straight to the stock. Ending and releasing
both take the sale row's lock first, so whichever runs second sees what the first did: no
unit is returned twice or lost.

Invariant (each write keeps it inside one transaction): sold = Σ quantity of the sale's
active (reserved or paid) purchases.
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
