"""Tasks of the cases app, dispatched through Django's task interface (``django_tasks``)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from kofo.cases.daily import claim_batch, finish_run, process_batch, worker_name
from kofo.cases.models import DailyRun


@task()
def run_daily_batch(run_id: int, batch_number: int) -> dict[str, Any]:
    """Process one batch of the daily run (a no-op when another worker has done it already)."""
    run = DailyRun.objects.get(pk=run_id)
    batch = claim_batch(run, worker=worker_name(), number=batch_number)
    if batch is None:
        return {"batch": batch_number, "skipped": True}
    result = process_batch(batch).as_dict()
    finish_run(run)
    return {"batch": batch_number, **result}
