"""A local Ray start that overruns Ray's startup wait is tried once more; nothing else is."""

from __future__ import annotations

from typing import Any

import pytest
import ray

from evals.ray_local import init_local_ray


def scripted_init(errors: list[Exception]) -> tuple[list[dict[str, Any]], Any]:
    calls: list[dict[str, Any]] = []

    def init(**kwargs: Any) -> None:
        calls.append(kwargs)
        if errors:
            raise errors.pop(0)

    return calls, init


def test_a_startup_timeout_is_retried_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls, init = scripted_init([Exception("The current node timed out during startup.")])
    monkeypatch.setattr(ray, "init", init)
    monkeypatch.setattr(ray, "shutdown", lambda: None)
    init_local_ray(num_cpus=2)
    # Always a private instance: never joins a cluster it finds on the machine.
    assert calls == [{"num_cpus": 2, "address": "local"}, {"num_cpus": 2, "address": "local"}]


def test_other_errors_and_a_second_timeout_are_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ray, "shutdown", lambda: None)
    _, init = scripted_init([ValueError("bad address")])
    monkeypatch.setattr(ray, "init", init)
    with pytest.raises(ValueError):
        init_local_ray()
    timeout = "The current node timed out during startup."
    calls, init = scripted_init([Exception(timeout), Exception(timeout)])
    monkeypatch.setattr(ray, "init", init)
    with pytest.raises(Exception, match="timed out during startup"):
        init_local_ray()
    assert len(calls) == 2
