"""Which model each tier talks to, built from settings: every one is just an endpoint.

Tracking, policy and the router's fallback use the self-hosted fleets. The negotiation tier
uses a frontier API when one is configured, falling back to the self-hosted fleet when it is
unreachable, times out or errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.config import TRACKING_ANSWER_DEADLINE_S, AgentSettings
from app.llm.client import ChatModel, FallbackChatModel, ModelEndpoint, OpenAIChatModel


@dataclass(frozen=True)
class TierModels:
    tracking: ChatModel
    policy: ChatModel
    router: ChatModel
    negotiation: ChatModel
    # The tracking tier's wait for a first checked sentence before the template answers.
    answer_deadline_s: float = TRACKING_ANSWER_DEADLINE_S


def fleet_endpoint(settings: AgentSettings, model: str) -> ModelEndpoint:
    assert settings.llm_base_url is not None
    return ModelEndpoint(
        name=f"fleet:{model}",
        base_url=settings.llm_base_url,
        model=model,
        timeout_s=settings.llm_timeout_s,
    )


def frontier_endpoint(settings: AgentSettings) -> ModelEndpoint | None:
    if not settings.frontier_base_url or not settings.frontier_model:
        return None
    return ModelEndpoint(
        name=f"frontier:{settings.frontier_model}",
        base_url=settings.frontier_base_url,
        model=settings.frontier_model,
        api_key=settings.frontier_api_key or "not-needed",
        timeout_s=settings.frontier_timeout_s,
        # Fail over to the fleet quickly rather than retrying a struggling provider.
        max_retries=0,
    )


def tier_models(settings: AgentSettings) -> TierModels | None:
    """None when no model is configured (OSA_LLM_BASE_URL=off)."""
    if settings.llm_base_url is None:
        return None
    fleets: dict[str, ChatModel] = {}

    def fleet(model: str) -> ChatModel:
        # One client (and connection pool) per fleet, shared by the tiers that use it.
        if model not in fleets:
            fleets[model] = OpenAIChatModel(fleet_endpoint(settings, model))
        return fleets[model]

    negotiation = fleet(settings.negotiation_model)
    frontier = frontier_endpoint(settings)
    if frontier is not None:
        negotiation = FallbackChatModel([OpenAIChatModel(frontier), negotiation])
    return TierModels(
        tracking=fleet(settings.tracking_model),
        policy=fleet(settings.policy_model),
        router=fleet(settings.router_model),
        negotiation=negotiation,
        answer_deadline_s=settings.tracking_answer_deadline_s,
    )
