"""Typed tools over the order platform: schemas, narrowing, and the executor."""

from app.tools.definitions import TOOLS, CustomerContext, narrowing_for, tools_for
from app.tools.executor import ToolExecutor, ToolFailure, ToolResult, ToolSuccess
from app.tools.narrowing import Narrowing, NarrowTo
from app.tools.spec import Access, AgentTier, Tool, ToolContext

__all__ = [
    "TOOLS",
    "Access",
    "AgentTier",
    "CustomerContext",
    "NarrowTo",
    "Narrowing",
    "Tool",
    "ToolContext",
    "ToolExecutor",
    "ToolFailure",
    "ToolResult",
    "ToolSuccess",
    "narrowing_for",
    "tools_for",
]
