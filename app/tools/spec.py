"""What a tool is: typed input and output, read or write, the agent tiers that may use it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, Field

from app.platform.client import CustomerRef, PlatformClient
from app.tools.narrowing import Narrowing, decoder_schema, narrow_model


class AgentTier(StrEnum):
    TRACKING = "tracking"
    POLICY = "policy"
    NEGOTIATION = "negotiation"
    # The front door's own calls (context hydration); never offered to a model.
    SYSTEM = "system"


class Access(StrEnum):
    READ = "read"
    WRITE = "write"


class PolicyChunk(BaseModel):
    chunk_id: str
    source_doc: str
    section: str
    text: str
    score: float
    policy_version: str | None = None


class PolicySearchResult(BaseModel):
    chunks: list[PolicyChunk] = Field(default_factory=list)


class PolicySearch(Protocol):
    """The retrieval backend behind search_policy_kb (Milvus hybrid search in app/retrieval)."""

    async def search(
        self, query: str, *, client_id: str, region: str, top_k: int
    ) -> list[PolicyChunk]: ...


@dataclass(frozen=True)
class ToolContext:
    """Everything a tool run may use. `who` comes from the verified token."""

    who: CustomerRef
    session_id: str
    platform: PlatformClient
    policy_search: PolicySearch | None = None


InputT = TypeVar("InputT", bound=BaseModel)
OutputT = TypeVar("OutputT", bound=BaseModel)


@dataclass(frozen=True)
class Tool(Generic[InputT, OutputT]):
    name: str
    description: str
    input_model: type[InputT]
    output_model: type[OutputT]
    access: Access
    tiers: frozenset[AgentTier]
    # Reads are called as run(ctx, args); writes as run(ctx, args, idempotency_key).
    run: Callable[..., Awaitable[OutputT]]

    @property
    def writes(self) -> bool:
        return self.access is Access.WRITE

    def input_model_for(self, narrowing: Narrowing | None) -> type[BaseModel]:
        return self.input_model if narrowing is None else narrow_model(self.input_model, narrowing)

    def json_schema(self, narrowing: Narrowing | None = None) -> dict[str, Any]:
        """The JSON Schema a constrained decoder enforces for this tool's arguments."""
        return decoder_schema(self.input_model_for(narrowing))

    def openai_definition(self, narrowing: Narrowing | None = None) -> dict[str, Any]:
        """The tool as an OpenAI-compatible `tools[]` entry."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.json_schema(narrowing),
            },
        }
