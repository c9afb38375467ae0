"""Each kind of work has its own Celery queue; tests and the embedded default stay eager."""

from pathlib import Path

import pytest

from shop.celery import app


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(("task_name", "queue"), [
    ("orders.tasks.order_settle_task", "settlement"),
    ("orders.tasks.order_fulfil_task", "settlement"),
    ("orders.tasks.order_refund_task", "settlement"),
    ("orders.tasks.order_email_task", "emails"),
    ("accounts.tasks.welcome_email_task", "emails"),
    ("partners.tasks.webhook_deliver_task", "webhooks"),
    ("orders.tasks.orders_outbox_sweep_task", "sweeps"),
    ("orders.tasks.orders_cancel_unpaid_task", "sweeps"),
    ("orders.tasks.orders_complete_shipped_task", "sweeps"),
    ("marketing.tasks.flash_sales_end_due_task", "sweeps"),
    ("marketing.tasks.flash_sales_reconcile_running_task", "sweeps"),
    ("points.tasks.points_expire_task", "sweeps"),
    ("points.tasks.points_integrity_check_task", "sweeps"),
    ("membership.tasks.membership_review_due_task", "sweeps"),
    ("orders.tasks.outbox_sweep_task", "sweeps"),
    ("shop.ping", "celery"),
])
def test_each_task_goes_to_the_queue_of_its_kind_of_work(task_name, queue):
    assert queue_of(task_name) == queue


def test_every_task_of_the_shop_is_routed_to_a_queue_a_worker_listens_on(settings):
    app.loader.import_default_modules()

    queues = {name: queue_of(name) for name in app.tasks if not name.startswith("celery.")}

    assert set(queues.values()) <= set(settings.SHOP_CELERY_QUEUES)
    assert queues["orders.tasks.order_settle_task"] == "settlement"


@pytest.mark.django_db
def test_tasks_still_run_in_process_in_tests_whatever_their_queue():
    from orders.tasks import order_settle_task

    assert app.conf.task_always_eager
    assert order_settle_task.delay(0).successful()  # no such order: settles nothing, no broker


@pytest.mark.parametrize("procfile", ["Procfile", "Procfile.dev"])
def test_the_procfile_runs_a_worker_for_every_queue(settings, procfile):
    consumed = set()
    for line in (Path(settings.BASE_DIR) / procfile).read_text().splitlines():
        command = line.partition(":")[2].split()
        if "worker" in command and "-Q" in command:
            consumed.update(command[command.index("-Q") + 1].split(","))

    assert consumed == set(settings.SHOP_CELERY_QUEUES)
