"""The application graph, top to bottom like the request path:

    Ingress ─▶ Guardrail (scrub, injection check, then the router's decision, one call)
        └───▶ Tracking / Policy / Negotiation workers
                   └──▶ LLM fleets (the `llm` application, over HTTP)

`serve run serve_config.yaml` (and `serve deploy` with the same file) builds it through
`build_app`; resources, replicas, health checks and shutdown come from the config file.
"""

from __future__ import annotations

from typing import Any

from ray.serve import Application

from deployments.front import GuardrailDeployment
from deployments.ingress import Ingress
from deployments.workers import NegotiationWorker, PolicyWorker, TrackingWorker

SETTING_KEYS = (
    "platform_url",
    "platform_api_key",
    "redis_url",
    "session_ttl_s",
    "session_max_turns",
    "hydration_ttl_s",
    "llm_base_url",
    "llm_timeout_s",
    "tracking_model",
    "policy_model",
    "router_model",
    "tracking_answer_deadline_s",
    "negotiation_model",
    "router_llm_fallback",
    "frontier_base_url",
    "frontier_model",
    "prompts",
    "variant",
    "mirror_to",
    "demo_signin",
    "kb_dir",
)


def build_app(args: dict[str, Any]) -> Application:
    # Values left out (or null) fall back to the environment, then to defaults (AgentSettings).
    settings = {key: args.get(key) for key in SETTING_KEYS if args.get(key) is not None}
    guardrail = GuardrailDeployment.bind(settings)
    tracking = TrackingWorker.bind(settings)
    policy = PolicyWorker.bind(settings)
    # The Negotiation worker cites policy through the Policy worker's search (one engine).
    negotiation = NegotiationWorker.bind(settings, policy)
    return Ingress.bind(guardrail, tracking, policy, negotiation, settings)
