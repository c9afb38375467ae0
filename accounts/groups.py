"""Staff duty groups, by name: later apps grant their permissions to these in migrations.

A migration that adds permissions looks the group up by one of these names (and creates it
if missing, so it does not depend on the order migrations of different apps run in).
"""

CATALOG_STAFF = "Catalog staff"
FULFILMENT_STAFF = "Fulfilment staff"
MARKETING_STAFF = "Marketing staff"
PARTNERS = "Partners"

STAFF_GROUPS = (CATALOG_STAFF, FULFILMENT_STAFF, MARKETING_STAFF, PARTNERS)
