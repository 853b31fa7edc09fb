"""Ray Serve LLM's `LLMServer` plus the one thing we need from it: its recent TTFT.

Each replica times streamed chat requests from arrival to the first chunk out of the engine
(vLLM emits its first chunk once prefill has produced a token, queueing included), keeps a
rolling window, and reports the p95 through `record_autoscaling_stats`, which the TTFT
policy (deployments/autoscaling.py) reads. Selected per fleet with `server_cls` in the config.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from typing import Any

from ray.llm._internal.serve.core.server.llm_server import LLMServer

from app.llm.ttft import TtftWindow


class TtftReportingLLMServer(LLMServer):
    async def __init__(self, llm_config: Any, **kwargs: Any) -> None:  # type: ignore[misc]
        self._ttft = TtftWindow(horizon_s=30.0)
        await super().__init__(llm_config, **kwargs)

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
