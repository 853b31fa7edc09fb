"""Ray Serve LLM's `LLMServer` plus the one thing we need from it: its recent TTFT.

Each replica times streamed chat requests from arrival to the first chunk out of the engine
(vLLM emits its first chunk once prefill has produced a token, queueing included), keeps a
rolling window, and reports the p95 through `record_autoscaling_stats`, which the TTFT
policy (deployments/autoscaling.py) reads. Selected per fleet with `server_cls` in the config.

Before a replica reports ready it also serves one small constrained request: the engine's
first structured-output request sets up XGrammar's tokenizer tables and runs the first
prefill, which on a CPU fleet took longer than a client's timeout. A customer's first turn
should not pay for that.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from typing import Any

from ray.llm._internal.serve.core.configs.openai_api_models import ChatCompletionRequest
from ray.llm._internal.serve.core.server.llm_server import LLMServer

from app.llm.ttft import TtftWindow

logger = logging.getLogger(__name__)

# A tiny schema: what is warmed is the structured-output machinery, not a grammar we reuse.
WARM_UP_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "warm_up",
        "schema": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]},
        "strict": True,
    },
}


class TtftReportingLLMServer(LLMServer):
    async def __init__(self, llm_config: Any, **kwargs: Any) -> None:  # type: ignore[misc]
        self._ttft = TtftWindow(horizon_s=30.0)
        await super().__init__(llm_config, **kwargs)
        await self._warm_up(llm_config.model_id)

    async def _warm_up(self, model_id: str) -> None:
        started = time.perf_counter()
        request = ChatCompletionRequest(
            model=model_id,
            messages=[{"role": "user", "content": "Reply with a JSON object."}],
            max_tokens=8,
            temperature=0.0,
            response_format=WARM_UP_FORMAT,
        )
        try:
            async for _ in await super().chat(request):
                pass
        except Exception:  # a failed warm-up only costs the first customer the same time
            logger.warning("warm-up request failed on %s", model_id, exc_info=True)
            return
        logger.info("warm-up of %s took %.1f s", model_id, time.perf_counter() - started)

    async def chat(self, request: Any, raw_request_info: Any = None) -> AsyncGenerator[Any, None]:
        started = time.perf_counter()
        stream = await super().chat(request, raw_request_info)
        if not getattr(request, "stream", False):
            return stream
        return self._timed(stream, started)

    async def _timed(self, stream: AsyncGenerator[Any, None], started: float) -> AsyncGenerator:
        first = True
        async for item in stream:
            if first:
                self._ttft.record(time.perf_counter() - started)
                first = False
            yield item

    def record_autoscaling_stats(self) -> dict[str, float]:
        return self._ttft.stats()
