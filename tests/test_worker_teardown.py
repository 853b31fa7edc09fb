"""A worker replica whose __init__ failed is torn down quietly, so the log shows the real error.

Serve calls `__del__` on a replica whose constructor raised; an AttributeError from the
teardown used to hide the constructor's exception."""

from __future__ import annotations

import pytest

from deployments.workers import NegotiationWorker, PolicyWorker, TrackingWorker


@pytest.mark.parametrize("deployment", [TrackingWorker, PolicyWorker, NegotiationWorker])
async def test_teardown_after_a_failed_init_raises_nothing(deployment: object) -> None:
    cls = deployment.func_or_class  # type: ignore[attr-defined]
    replica = cls.__new__(cls)
    with pytest.raises(Exception) as failed:
        cls.__init__(replica, {"llm_timeout_s": -1})  # fails validation
    assert not isinstance(failed.value, AttributeError)
    await replica.__del__()
