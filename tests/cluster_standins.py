"""Model-free stand-ins for the placement test (tests/test_cluster_placement.py).

The Serve config's applications point here instead of at `deployments.graph` and
`deployments.llm`; everything that decides placement stays real:
  - the support app's deployments keep their names, so the config's `deployments:` entries
    (CPUs, custom resources, replicas) apply to them exactly as to the real ones;
  - each fleet's deployment options come from Ray Serve LLM's own
    `LLMServer.get_deployment_options(LLMConfig)` (placement group bundles with the GPU and the
    `accelerator_type:L4` claim, strategy, autoscaling), only the class behind them has no
    engine. Every replica writes the node it landed on into `report_dir`.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import ray
from ray import serve
from ray.serve import Application

SUPPORT_WORKERS = ("Guardrail", "TrackingWorker", "PolicyWorker", "NegotiationWorker")


@serve.deployment
class StandIn:
    def __init__(self, *handles: Any, label: str, report_dir: str) -> None:
        record = {"label": label, "node_id": ray.get_runtime_context().get_node_id()}
        path = Path(report_dir) / f"{label.replace(':', '_')}-{uuid.uuid4().hex}.json"
        path.write_text(json.dumps(record))

    def __call__(self) -> str:
        return "ok"


def build_support_app(args: dict[str, Any]) -> Application:
    report = args["report_dir"]
    children = [
        StandIn.options(name=name).bind(label=name, report_dir=report) for name in SUPPORT_WORKERS
    ]
    return StandIn.options(name="Ingress").bind(*children, label="Ingress", report_dir=report)


def build_llm_app(args: dict[str, Any]) -> Application:
    from ray.llm._internal.serve.core.server.llm_server import LLMServer
    from ray.serve.llm import LLMConfig

    from deployments.llm import resolve_llm_config

    report = args["report_dir"]
    fleets = []
    for raw in args["llm_configs"]:
        config = LLMConfig.model_validate(resolve_llm_config(raw))
        options = LLMServer.get_deployment_options(config)
        # Ray Serve LLM's runtime env (its worker setup hook) matters to the engine only.
        options["ray_actor_options"].pop("runtime_env", None)
        options["name"] = f"LLMServer:{config.model_id}"
        label = f"fleet:{config.model_id}"
        fleets.append(StandIn.options(**options).bind(label=label, report_dir=report))
    ingress = StandIn.options(name="OpenAiIngress", **args["ingress_deployment_config"])
    return ingress.bind(*fleets, label="OpenAiIngress", report_dir=report)
