"""Read a session's turn traces (scrubbed, from Redis Streams).

    python -m app.traces show CLIENT SESSION [--json]   every turn of one session, oldest first
    python -m app.traces recent CLIENT [--limit N]       the tenant's latest turns, newest first

REDIS_URL says where (default redis://127.0.0.1:6390/0, the local server of `make run`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from redis.asyncio import Redis

from app.observability.trace_store import LOCAL_REDIS_URL, TraceStore
from app.observability.traces import LATENCY_PHASES, TurnTrace


def render(trace: TurnTrace) -> str:
    lines = [
        f"turn {trace.trace_id} at {trace.at.isoformat(timespec='seconds')}"
        f"  intent={trace.intent} route={trace.route} outcome={trace.outcome}"
        + ("  BLOCKED" if trace.blocked else ""),
        f"  customer: {trace.message}",
    ]
    timings = [f"{p} {trace.latency_ms[p]:.0f}" for p in LATENCY_PHASES if p in trace.latency_ms]
    lines.append("  latency ms: " + ", ".join(timings))
    for call in trace.tool_calls:
        status = "ok" if call.ok else "FAILED"
        took = f" {call.ms:.0f} ms" if call.ms is not None else ""
        lines.append(f"  tool {call.name} {status}{took}: {json.dumps(call.arguments)}")
        if call.output is not None:
            lines.append(f"    -> {json.dumps(call.output, default=str)[:300]}")
    for chunk in trace.retrieved:
        rerank = f" rerank {chunk.rerank_score:.3f}" if chunk.rerank_score is not None else ""
        score = f"score {chunk.score:.3f}" if chunk.score is not None else ""
        lines.append(
            f"  chunk {chunk.chunk_id} {chunk.source_doc} § {chunk.section} {score}{rerank}"
        )
    for decision in trace.decisions:
        lines.append(f"  decision: {decision}")
    lines.append(f"  agent: {trace.response}")
    return "\n".join(lines)


async def _main(args: argparse.Namespace) -> int:
    redis = Redis.from_url(os.environ.get("REDIS_URL", LOCAL_REDIS_URL))
    try:
        store = TraceStore(redis)
        if args.command == "show":
            traces = await store.for_session(args.client, args.session, limit=args.limit)
            if not traces:
                print(f"no traces for session {args.session} of {args.client}", file=sys.stderr)
                return 1
            for trace in traces:
                print(trace.model_dump_json() if args.json else render(trace) + "\n")
            return 0
        for row in await store.recent_sessions(args.client, limit=args.limit):
            print(json.dumps(row) if args.json else "  ".join(f"{k}={v}" for k, v in row.items()))
        return 0
    finally:
        await redis.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="every turn of one session")
    show.add_argument("client")
    show.add_argument("session")
    recent = sub.add_parser("recent", help="the tenant's latest turns")
    recent.add_argument("client")
    for command in (show, recent):
        command.add_argument("--limit", type=int, default=100)
        command.add_argument("--json", action="store_true", help="one JSON object a line")
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
