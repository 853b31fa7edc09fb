"""The router's low-confidence fallback: one constrained model call that can only answer with
one of the known intent labels (an enum in the JSON Schema, enforced by XGrammar in vLLM).

It runs only when the embedding kNN vote is unsure, and it is bounded in time: if the model is
slow or down, the router keeps its own (low-confidence) decision.
"""

from __future__ import annotations

import asyncio
import json

from app.llm.client import ChatModel, ModelUnavailable
from app.llm.prompts import PromptVersion

FALLBACK_TIMEOUT_S = 3.0


class ConstrainedIntentFallback:
    def __init__(
        self, model: ChatModel, prompt: PromptVersion, timeout_s: float = FALLBACK_TIMEOUT_S
    ) -> None:
        self.model = model
        self.prompt = prompt
        self.timeout_s = timeout_s

    async def classify(self, text: str, labels: list[str], context: str | None) -> str | None:
        schema = {
            "type": "object",
            "properties": {"intent": {"type": "string", "enum": sorted(labels)}},
            "required": ["intent"],
            "additionalProperties": False,
        }
        user = text if not context else f"{context}\n\nMessage: {text}"
        messages = [
            {"role": "system", "content": self.prompt.text},
            {"role": "user", "content": user},
        ]
        try:
            completion = await asyncio.wait_for(
                self.model.complete(
                    messages, max_tokens=24, response_schema=schema, schema_name="intent"
                ),
                self.timeout_s,
            )
            label = json.loads(completion.text).get("intent")
        except (ModelUnavailable, TimeoutError, json.JSONDecodeError, AttributeError):
            return None
        return label if label in labels else None
