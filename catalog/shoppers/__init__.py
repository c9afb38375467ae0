"""What shoppers keep about the catalogue: reviews, wishlists and back-in-stock alerts.

One module per concern, each holding its writes (services) and reads (selectors):
reviews.py (ratings kept in step on the product), wishlist.py, stock_alerts.py (the 0 → more
stock detection every stock write calls, and the once-only emails). A review is created by
orders (orders/services/reviews.py): whether a shopper bought the product is orders' data.
See docs/catalog.md.
"""
