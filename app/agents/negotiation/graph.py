"""The negotiation state machine, top to bottom like the case it handles:

    START ─▶ settle ─▶ understand ─▶ facts ─▶ fraud ─▶ decide ─▶ confirm ─▶ write
                           └─▶ recall                     (re-propose) └─┘    │
             respond ◀─ notify ◀─ verify ◀────────────────────────────────────┘
    escalate (ticket + summary + decision trace) ─▶ END, from every working node.

Edges come from each node's `Command[Literal[...]]` return type, so `get_graph()` shows the
whole machine, and tests check its shape: `write` has exactly one way in (`confirm`), and no
path from START reaches `write` without passing `fraud` and then `confirm`.
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from app.agents.negotiation import deciding, endings, intake, writing
from app.agents.negotiation.context import TurnContext
from app.agents.negotiation.state import NegotiationState

NODES = {
    "settle": intake.settle,
    "understand": intake.understand,
    "recall": endings.recall,
    "facts": deciding.facts,
    "fraud": deciding.fraud,
    "decide": deciding.decide_node,
    "confirm": deciding.confirm,
    "write": writing.write,
    "verify": writing.verify,
    "notify": writing.notify,
    "respond": endings.respond,
    "escalate": endings.escalate,
}


def build_graph() -> StateGraph[NegotiationState, TurnContext, Any, Any]:
    graph: StateGraph[NegotiationState, TurnContext, Any, Any] = StateGraph(
        NegotiationState, context_schema=TurnContext
    )
    for name, node in NODES.items():
        graph.add_node(name, node)  # type: ignore[arg-type]
    graph.add_edge(START, "settle")
    graph.set_finish_point("respond")
    graph.set_finish_point("escalate")
    return graph


def compile_graph(
    checkpointer: BaseCheckpointSaver | None = None,  # type: ignore[type-arg]
    store: BaseStore | None = None,
) -> CompiledStateGraph[NegotiationState, TurnContext, Any, Any]:
    return build_graph().compile(checkpointer=checkpointer, store=store, name="negotiation")
