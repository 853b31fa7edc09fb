"""The price table behind the cost-per-turn estimate: tokens x price, per endpoint.

Configuration, not code: `app/observability/prices.yaml` by default, `OSA_PRICE_TABLE` names
another file. Cached prompt tokens have their own price (providers and our own GPUs both
charge less for them: no prefill), so prefix-cache hits show up as lower cost.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from app.llm.client import Usage

DEFAULT_PATH = Path(__file__).with_name("prices.yaml")


class TokenPrices(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    prompt: float = Field(ge=0)
    cached_prompt: float = Field(ge=0)
    completion: float = Field(ge=0)


class PriceTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    currency: str = "USD"
    per_million_tokens: dict[str, TokenPrices]

    def prices_for(self, endpoint: str) -> TokenPrices:
        found = self.per_million_tokens.get(endpoint) or self.per_million_tokens.get("default")
        return found or TokenPrices(prompt=0, cached_prompt=0, completion=0)

    def cost(self, endpoint: str, usage: Usage) -> float:
        prices = self.prices_for(endpoint)
        cached = min(usage.cached_prompt_tokens or 0, usage.prompt_tokens)
        fresh = usage.prompt_tokens - cached
        total = (
            fresh * prices.prompt
            + cached * prices.cached_prompt
            + usage.completion_tokens * prices.completion
        )
        return total / 1_000_000


def load_price_table(path: str | Path | None = None) -> PriceTable:
    chosen = Path(path or os.environ.get("OSA_PRICE_TABLE") or DEFAULT_PATH)
    with chosen.open(encoding="utf-8") as handle:
        return PriceTable.model_validate(yaml.safe_load(handle))
