"""Worker deployments (Tracking, Policy, Negotiation): thin wrappers over app.agents.

Each streams its events back to the ingress; the agents behind them are replaced by the model
serving, policy and negotiation issues without this interface changing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from ray import serve
from ray.serve.handle import DeploymentHandle

from app.agents.compose import worker_deps
from app.agents.negotiation import NegotiationAgent
from app.agents.policy import PolicyAgent
from app.agents.tracking import TrackingAgent
from app.agents.worker import WorkerRequest
from app.config import AgentSettings
from app.observability.tracing import served, setup_tracing
from app.streaming import ready_batches
from app.web.backend import local_kb
from deployments.adapters import PolicySearchHandle
from deployments.metrics import enable_ray_metrics


class _WorkerDeployment:
    agent_type: Any

    def __init__(self, settings: dict[str, Any], policy: DeploymentHandle | None = None) -> None:
        enable_ray_metrics()  # tool calls and reranker scores are recorded in this replica
        self._name = type(self).__name__
        setup_tracing(self._name)  # before its clients exist: their calls become spans
        deps = worker_deps(AgentSettings.load(settings))
        if policy is not None:
            # Searches go to the Policy worker, which owns the retrieval engine: a Milvus Lite
            # file opens in one process only, and the first worker to search would take it.
            deps = replace(deps, policy_search=PolicySearchHandle(policy))
        self._deps = deps
        self._agent = self.agent_type(self._deps)

    async def handle(self, request: dict[str, Any]) -> AsyncIterator[list[dict[str, Any]]]:
        """The agent's events, those ready together as one streamed item (streaming.py), under
        a server span that continues the ingress's call (its context came in the request)."""
        parsed = WorkerRequest.model_validate(request)
        events = served(
            f"{self._name}.handle",
            parsed.trace_context,
            self._agent.handle(parsed),
            **{"osa.deployment": self._name},
        )
        async for batch in ready_batches(events):
            yield [event.model_dump(mode="json") for event in batch]

    async def outcome_after_failure(self, request: dict[str, Any]) -> str | None:
        """What the platform shows about a write a failed turn may have started; None when
        this worker makes no writes or none could have started."""
        read = getattr(self._agent, "outcome_after_failure", None)
        if read is None:
            return None
        result: str | None = await read(WorkerRequest.model_validate(request))
        return result

    async def __del__(self) -> None:  # graceful shutdown: close pooled platform connections
        # Serve calls this on a replica whose __init__ raised too: then there is nothing to
        # close, and an AttributeError here would bury the real error in the replica's log.
        close = getattr(getattr(self, "_agent", None), "aclose", None)
        if close is not None:  # the negotiation's checkpoint connections, opened per replica
            await close()
        deps = getattr(self, "_deps", None)
        if deps is not None:
            await deps.platform.aclose()
            if deps.write_leases is not None:
                await deps.write_leases.aclose()


@serve.deployment(name="TrackingWorker", ray_actor_options={"num_cpus": 0.1})
class TrackingWorker(_WorkerDeployment):
    agent_type = TrackingAgent


@serve.deployment(name="PolicyWorker", ray_actor_options={"num_cpus": 0.1})
class PolicyWorker(_WorkerDeployment):
    agent_type = PolicyAgent

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        # The KB page's operations run here, on the engine this replica's agent searches.
        self._kb = local_kb(AgentSettings.load(settings), self._deps.policy_search)

    async def search_policy(
        self, query: str, client_id: str, region: str, top_k: int
    ) -> list[dict[str, Any]] | None:
        """search_policy_kb for the other workers (PolicySearchHandle); None: retrieval off."""
        search = self._deps.policy_search
        if search is None:
            return None
        chunks = await search.search(query, client_id=client_id, region=region, top_k=top_k)
        return [chunk.model_dump(mode="json") for chunk in chunks]

    async def kb(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        if self._kb is None:
            return {"error": {"status": 503, "code": "kb_unavailable", "message": "retrieval off"}}
        return await self._kb.call(op, args)


@serve.deployment(name="NegotiationWorker", ray_actor_options={"num_cpus": 0.1})
class NegotiationWorker(_WorkerDeployment):
    agent_type = NegotiationAgent
