"""Production against its shadow on the same mirrored messages.

    python -m evals.shadow_compare --client northwind [--sessions 200] [--json]

Reads both variants' turn traces from Redis (production under `osa:`, the shadow under
`osa-shadow:`; REDIS_URL, default the local server of `make run`), pairs the turns of every
session both have seen in order, and reports where the shadow would behave differently:

  routing_agreement     share of paired turns with the same route (and intent_agreement)
  tool_calls            calls per tool on each side (the shadow's writes are dry runs)
  argument_agreement    share of tools called on both sides with identical arguments
  escalation_rate       share of turns that escalated, per side
  shadow_dry_run_writes writes the shadow would have made (validated, never executed)
  differences           the first differing turns, for reading

A shadow that stopped being fed (or a production turn the mirror lost) leaves unpaired turns;
they are counted, never compared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field
from redis.asyncio import Redis

from app.observability.trace_store import LOCAL_REDIS_URL, TraceStore
from app.observability.traces import TurnTrace
from app.tools import TOOLS
from app.tools.executor import DRY_RUN

WRITE_TOOLS = frozenset(name for name, tool in TOOLS.items() if tool.writes)


class TurnDifference(BaseModel):
    session_id: str
    turn: int
    message: str
    production: dict[str, Any]
    shadow: dict[str, Any]


class ShadowReport(BaseModel):
    sessions: int = 0
    paired_turns: int = 0
    unpaired_turns: int = 0
    routing_agreement: float | None = None
    intent_agreement: float | None = None
    argument_agreement: float | None = None
    tool_calls: dict[str, dict[str, int]] = Field(default_factory=dict)
    escalation_rate: dict[str, float | None] = Field(default_factory=dict)
    shadow_dry_run_writes: int = 0
    differences: list[TurnDifference] = Field(default_factory=list)


def _escalated(trace: TurnTrace) -> bool:
    return trace.outcome == "escalated" or any(
        c.name == "escalate_to_human" for c in trace.tool_calls
    )


def _summary(trace: TurnTrace) -> dict[str, Any]:
    return {
        "intent": trace.intent,
        "route": trace.route,
        "tools": [c.name for c in trace.tool_calls],
        "escalated": _escalated(trace),
        "blocked": trace.blocked,
    }


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def compare(
    production: Mapping[str, Sequence[TurnTrace]],
    shadow: Mapping[str, Sequence[TurnTrace]],
    *,
    max_differences: int = 20,
) -> ShadowReport:
    """Both variants' traces by session id, each session's turns oldest first."""
    report = ShadowReport()
    tools: dict[str, Counter[str]] = {"production": Counter(), "shadow": Counter()}
    same_route = same_intent = args_same = args_compared = 0
    escalations = {"production": 0, "shadow": 0}
    for session_id in sorted(set(production) & set(shadow)):
        report.sessions += 1
        ours, theirs = production[session_id], shadow[session_id]
        report.unpaired_turns += abs(len(ours) - len(theirs))
        for index, (prod, shad) in enumerate(zip(ours, theirs, strict=False)):
            report.paired_turns += 1
            same_route += prod.route == shad.route
            same_intent += prod.intent == shad.intent
            for side, trace in (("production", prod), ("shadow", shad)):
                tools[side].update(c.name for c in trace.tool_calls)
                escalations[side] += _escalated(trace)
            report.shadow_dry_run_writes += sum(
                1
                for c in shad.tool_calls
                if c.name in WRITE_TOOLS
                and isinstance(c.output, dict)
                and c.output.get("code") == DRY_RUN
            )
            first_prod = {c.name: c.arguments for c in reversed(prod.tool_calls)}
            first_shad = {c.name: c.arguments for c in reversed(shad.tool_calls)}
            for name in first_prod.keys() & first_shad.keys():
                args_compared += 1
                args_same += first_prod[name] == first_shad[name]
            if _summary(prod) != _summary(shad) and len(report.differences) < max_differences:
                report.differences.append(
                    TurnDifference(
                        session_id=session_id,
                        turn=index + 1,
                        message=prod.message[:200],
                        production=_summary(prod),
                        shadow=_summary(shad),
                    )
                )
    report.unpaired_turns += sum(len(production[s]) for s in set(production) - set(shadow))
    report.unpaired_turns += sum(len(shadow[s]) for s in set(shadow) - set(production))
    report.routing_agreement = _rate(same_route, report.paired_turns)
    report.intent_agreement = _rate(same_intent, report.paired_turns)
    report.argument_agreement = _rate(args_same, args_compared)
    names = sorted(set(tools["production"]) | set(tools["shadow"]))
    report.tool_calls = {
        n: {"production": tools["production"][n], "shadow": tools["shadow"][n]} for n in names
    }
    report.escalation_rate = {
        side: _rate(count, report.paired_turns) for side, count in escalations.items()
    }
    return report


async def load(
    redis: Redis, client_id: str, sessions: int
) -> tuple[dict[str, list[TurnTrace]], dict[str, list[TurnTrace]]]:
    """The last `sessions` sessions production traced, and both variants' turns of each."""
    production_store = TraceStore(redis, key_prefix="osa")
    shadow_store = TraceStore(redis, key_prefix="osa-shadow")
    recent = await production_store.recent_sessions(client_id, limit=sessions * 20)
    session_ids = list(dict.fromkeys(row["session_id"] for row in recent))[:sessions]
    production, shadow = {}, {}
    for session_id in session_ids:
        production[session_id] = await production_store.for_session(client_id, session_id)
        shadow[session_id] = await shadow_store.for_session(client_id, session_id)
    return production, {s: t for s, t in shadow.items() if t}


def render(report: ShadowReport) -> str:
    pct = lambda v: "-" if v is None else f"{v * 100:.1f}%"  # noqa: E731
    lines = [
        f"sessions {report.sessions}, paired turns {report.paired_turns}, "
        f"unpaired {report.unpaired_turns}",
        f"routing agreement {pct(report.routing_agreement)}, intent agreement "
        f"{pct(report.intent_agreement)}, argument agreement {pct(report.argument_agreement)}",
        f"escalation rate production {pct(report.escalation_rate.get('production'))}, "
        f"shadow {pct(report.escalation_rate.get('shadow'))}",
        f"shadow dry-run writes {report.shadow_dry_run_writes}",
        "",
        f"{'tool':<22} {'production':>10} {'shadow':>8}",
    ]
    for name, counts in report.tool_calls.items():
        lines.append(f"{name:<22} {counts['production']:>10} {counts['shadow']:>8}")
    for diff in report.differences:
        lines.append(
            f"\n{diff.session_id} turn {diff.turn}: {diff.message!r}\n"
            f"  production {json.dumps(diff.production)}\n  shadow     {json.dumps(diff.shadow)}"
        )
    return "\n".join(lines)


async def _main(args: argparse.Namespace) -> int:
    redis = Redis.from_url(args.redis or os.environ.get("REDIS_URL", LOCAL_REDIS_URL))
    try:
        production, shadow = await load(redis, args.client, args.sessions)
    finally:
        await redis.aclose()
    report = compare(production, shadow)
    if not args.json:
        print(render(report))
    summary = (
        f"shadow_compare: {report.paired_turns} paired turns, routing agreement "
        f"{report.routing_agreement}, argument agreement {report.argument_agreement}, "
        f"dry-run writes {report.shadow_dry_run_writes}"
    )
    print(report.model_dump_json() if args.json else summary)
    return 0 if report.paired_turns else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", required=True, help="the tenant whose traffic to compare")
    parser.add_argument("--sessions", type=int, default=200, help="most recent sessions")
    parser.add_argument("--redis", help="Redis URL (default REDIS_URL)")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
