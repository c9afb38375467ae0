"""The SQLite search path, checked even when the suite runs on PostgreSQL (as CI does).

A child process migrates a fresh SQLite file, seeds the demo catalogue and searches it.
"""

import pytest

from shop.tests.subprocesses import child_env, manage, python_json

SEARCH = """
from django.core.management import call_command
from django.db import connection
from catalog.selectors import product_list, product_suggestions
call_command("seed_demo", stdout=open("/dev/null", "w"))
result = {
    "vendor": connection.vendor,
    "tea": [p.slug for p in product_list({"q": "tea"})],
    "wulong": [p.slug for p in product_list({"q": "乌龙"})],
    "nothing": [p.slug for p in product_list({"q": "tieguanyn"})],
    "suggested": [p.slug for p in product_suggestions("tieguanyn")["products"]],
}
"""


@pytest.mark.slow
def test_on_sqlite_tea_and_wulong_find_the_teas_and_a_typo_is_suggested(tmp_path):
    env = child_env(DJANGO_DEBUG="1", DJANGO_SECURE="0",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    migrated = manage("migrate", "--noinput", "-v0", env=env)
    assert migrated.returncode == 0, migrated.stderr

    found = python_json(SEARCH, env)

    assert found["vendor"] == "sqlite"
    assert {"tieguanyin-oolong", "aged-pu-erh-cake-357-g"} <= set(found["tea"])
    assert found["wulong"] == ["tieguanyin-oolong"]
    assert found["nothing"] == []
    assert found["suggested"][0] == "tieguanyin-oolong"
