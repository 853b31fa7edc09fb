"""The case reader on (message, the customer's orders) -> order, items, ask, reason, no-request.

    python -m evals.case [--data evals/data/case_dev.jsonl] [--json]

Each row: `{"family", "message", "orders": [{"order_id", "item_names", "status"}], "expect":
{"order", "items": [{"name", "quantity"}] | [] (none said) | null (must ask), "ask", "reason",
"no_request"}}`. Per-field accuracy overall and per family (the dev families are voices the
training data does not have); `exact` is a row with every field right. Order and items are
scored on rows that are requests; items only where the order was read right. The trained
heads' own left-out-family split is in app/language/models/case.json (printed too).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.language.case import CaseReading, item_set, read_case
from app.language.reasons import ARTIFACT_PATH, case_heads
from app.platform.contract import OrderSummary, ShipmentBrief, ShipmentStatus
from evals.common import format_table, print_json_last_line

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "case_dev.jsonl"
FIELDS = ("order", "items", "ask", "reason", "no_request")


def load(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def orders_of(row: dict[str, Any]) -> list[OrderSummary]:
    return [
        OrderSummary(
            order_id=o["order_id"],
            placed_at=datetime(2026, 11, 1, tzinfo=UTC),
            total=10,
            currency="USD",
            item_names=o["item_names"],
            shipments=[
                ShipmentBrief(awb=f"AWB-{o['order_id'][4:]}000", status=ShipmentStatus(o["status"]))
            ],
        )
        for o in row["orders"]
    ]


def items_read(reading: CaseReading, orders: list[OrderSummary]) -> list[dict[str, Any]] | None:
    order = next((o for o in orders if o.order_id == reading.order_id), None)
    if order is None:
        return []
    chosen = item_set(reading.item_reading, order)
    if chosen is None:
        return None
    return [{"name": p.name, "quantity": p.quantity} for p in chosen]


def score(row: dict[str, Any], reading: CaseReading, orders: list[OrderSummary]) -> dict[str, bool]:
    expect = row["expect"]
    got = {
        "order": reading.order_id,
        "items": items_read(reading, orders),
        "ask": reading.ask.value,
        "reason": reading.reason.value,
        "no_request": reading.not_a_request,
    }
    marks = {"no_request": got["no_request"] == expect["no_request"]}
    if not expect["no_request"]:
        marks["order"] = got["order"] == expect["order"]
        marks["ask"] = got["ask"] == expect["ask"]
        marks["reason"] = got["reason"] == expect["reason"]
        if marks["order"] and expect["order"]:
            marks["items"] = _same_items(got["items"], expect["items"])
    marks["exact"] = all(marks.values())
    return marks


def _same_items(got: list[dict[str, Any]] | None, want: list[dict[str, Any]] | None) -> bool:
    if got is None or want is None:
        return got is want
    return sorted(json.dumps(g, sort_keys=True) for g in got) == sorted(
        json.dumps(w, sort_keys=True) for w in want
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)
    from app.routing.embeddings import shared_encoder

    rows = load(args.data)
    heads, encoder = case_heads(), shared_encoder()
    totals: dict[str, list[bool]] = defaultdict(list)
    by_family: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    errors = []
    for row in rows:
        orders = orders_of(row)
        reading = read_case(row["message"], orders, heads, encoder)
        marks = score(row, reading, orders)
        for name, ok in marks.items():
            totals[name].append(ok)
            by_family[row["family"]][name].append(ok)
        if not marks["exact"]:
            errors.append((row["message"], {k: v for k, v in marks.items() if not v}, reading))
    rate = {k: round(sum(v) / len(v), 4) for k, v in totals.items()}
    families = {
        f: {k: round(sum(v) / len(v), 4) for k, v in marks.items()} | {"n": len(marks["exact"])}
        for f, marks in sorted(by_family.items())
    }
    trained = json.loads(ARTIFACT_PATH.read_text(encoding="utf-8"))
    payload = {
        "rows": len(rows),
        "accuracy": rate,
        "by_family": families,
        "heads_left_out_family": trained["left_out_family"],
        "training_data_sha256": trained["training_data_sha256"],
    }
    if args.json:
        print_json_last_line(payload)
        return 0
    print(
        format_table(
            ["field", "accuracy", "n"], [[k, rate[k], len(totals[k])] for k in (*FIELDS, "exact")]
        )
    )
    print()
    header = ["family", "n", *FIELDS, "exact"]
    print(
        format_table(
            header,
            [
                [f, m["n"], *(m.get(k, "-") for k in (*FIELDS, "exact"))]
                for f, m in families.items()
            ],
        )
    )
    print()
    print("trained heads, left-out training family:")
    for family, fold in trained["left_out_family"].items():
        print(f"  {family:10s} n={fold['n']:3d} reason {fold['reason']:.3f} ask {fold['ask']:.3f}")
    if args.show_errors:
        for message, wrong, reading in errors:
            print(f"- {message!r}: {sorted(wrong)} -> {reading.order_id} {reading.ask} "
                  f"{reading.reason} items={reading.item_reading.picked}")  # fmt: skip
    print(
        f"case reader on {len(rows)} rows: exact {rate['exact']:.3f}, order {rate['order']:.3f}, "
        f"items {rate['items']:.3f}, ask {rate['ask']:.3f}, reason {rate['reason']:.3f}, "
        f"no-request {rate['no_request']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
