"""The settings the test suite runs with (pytest.ini): the shop's own, in test mode.

Test mode (fast password hasher, in-memory email, the sandbox gateway, a fixed development
secret key) is switched on here and only here; the suite's child processes receive it as
SHOP_TESTING=1 when they need it.
"""

import os

os.environ["SHOP_TESTING"] = "1"

from shop.settings import *  # noqa: E402, F403
