"""Every route the router can choose has a worker in every composition: the local pipeline
(compose.workers_for) and the Serve ingress (the deployed workers plus the model-free ones).
A route without one fails the customer's turn with an internal error."""

from __future__ import annotations

from typing import Any

from app.agents.base import WorkerDeps
from app.agents.compose import DEPLOYED_ROUTES, model_free_workers, workers_for
from app.llm.prompts import PromptRegistry
from app.routing.intents import Route
from app.tools.executor import ToolExecutor


def deps() -> WorkerDeps:
    platform: Any = object()  # never called: the workers are only constructed
    return WorkerDeps(
        platform=platform,
        executor=ToolExecutor(),
        policy_search=None,
        models=None,
        prompts=PromptRegistry().select(),
    )


def test_the_serve_ingress_serves_every_route() -> None:
    served = DEPLOYED_ROUTES | set(model_free_workers(deps()))
    assert served == set(Route)
    assert not DEPLOYED_ROUTES & set(model_free_workers(deps()))


def test_the_local_pipeline_serves_every_route() -> None:
    assert set(workers_for(deps())) == set(Route)
