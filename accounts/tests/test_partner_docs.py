"""docs/partners.md tells the truth: its scope table is the code's, its receiver verifies."""

import re
import time
from pathlib import Path

from accounts.partner_scopes import SCOPE_ROUTES
from accounts.webhook_http import signature

DOC = (Path(__file__).resolve().parents[2] / "docs" / "partners.md").read_text()


def test_the_scope_table_lists_exactly_what_each_scope_opens():
    documented = set()
    for scope, methods, route in re.findall(
            r"^\| `([a-z]+:[a-z]+)` \| ([A-Z, ]+) \| .+? \| `([a-z-]+)` \|$", DOC, re.M):
        for method in methods.split(", "):
            documented.add((scope, method, route))

    in_code = {(scope, method, route) for scope, routes in SCOPE_ROUTES.items()
               for route, methods in routes.items() for method in methods}
    assert documented == in_code


def test_the_receiver_example_accepts_a_shop_signature_and_refuses_a_forgery():
    code = DOC.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102  # nosec B102 - the documentation's own example
    verify = namespace["verify"]
    body = b'{"id":"x","type":"order.paid"}'
    header = signature(secret="whsec_s", timestamp=int(time.time()), body=body)

    assert verify("whsec_s", header, body)
    assert not verify("whsec_other", header, body)
    assert not verify("whsec_s", header, body + b" ")
    stale = signature(secret="whsec_s", timestamp=int(time.time()) - 3600, body=body)
    assert not verify("whsec_s", stale, body)
