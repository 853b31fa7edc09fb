"""The shape of the negotiation state machine: the invariants that hold by construction.

Edges come from the nodes' declared `Command` destinations, so these tests read the same
graph LangGraph runs (no model, no platform).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections import defaultdict

import pytest

from app.agents.negotiation import deciding
from app.agents.negotiation.graph import compile_graph

START, END = "__start__", "__end__"


@pytest.fixture(scope="module")
def edges() -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for edge in compile_graph().get_graph().edges:
        out[edge.source].add(edge.target)
    return out


def predecessors(edges: dict[str, set[str]], node: str) -> set[str]:
    return {source for source, targets in edges.items() if node in targets}


def reachable(edges: dict[str, set[str]], start: str, without: str | None = None) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node in seen or node == without:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    return seen


def test_write_has_one_way_in_and_it_is_the_confirmation(edges: dict[str, set[str]]) -> None:
    assert predecessors(edges, "write") == {"confirm"}
    assert predecessors(edges, "confirm") == {"decide", "confirm"}
    assert predecessors(edges, "decide") == {"fraud"}
    assert predecessors(edges, "fraud") == {"facts"}


@pytest.mark.parametrize("gate", ["fraud", "decide", "confirm"])
def test_no_path_reaches_a_write_around_the_gates(edges: dict[str, set[str]], gate: str) -> None:
    assert "write" in reachable(edges, START)
    assert "write" not in reachable(edges, START, without=gate)


@pytest.mark.parametrize(
    "node", ["understand", "facts", "fraud", "decide", "confirm", "write", "verify"]
)
def test_every_working_node_can_hand_the_case_to_a_person(
    edges: dict[str, set[str]], node: str
) -> None:
    assert "escalate" in edges[node]


def test_the_machine_ends_only_by_answering_or_escalating(edges: dict[str, set[str]]) -> None:
    assert predecessors(edges, END) == {"respond", "escalate"}
    assert edges["escalate"] == {END}
    # After the write, the customer hears about it only from verified state.
    assert edges["write"] == {"verify", "escalate"}
    assert edges["verify"] == {"notify", "escalate"}


def test_nothing_with_an_effect_runs_before_the_interrupt() -> None:
    """LangGraph re-runs an interrupted node from its start on resume: `confirm` may do
    nothing but read its state before `interrupt()`."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(deciding.confirm)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    first_interrupt = next(
        i
        for i, statement in enumerate(body)
        if any(
            isinstance(n, ast.Call) and getattr(n.func, "id", None) == "interrupt"
            for n in ast.walk(statement)
        )
    )
    before = body[:first_interrupt]
    for statement in before:
        assert not any(isinstance(n, ast.Await) for n in ast.walk(statement))
        calls = [n for n in ast.walk(statement) if isinstance(n, ast.Call)]
        assert all(getattr(c.func, "attr", None) == "model_validate" for c in calls)
    assert "interrupt(" not in "".join(ast.unparse(s) for s in body[first_interrupt + 1 :])
