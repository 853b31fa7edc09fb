"""Intent routing quality and latency of the exemplar router.

    python -m evals.intents [--data evals/data/intents_dev.jsonl] [--clinc150 DIR | --no-clinc150]
                            [--sweep] [--llm-fallback BASE_URL [--llm-model NAME]] [--json]

Reads `{"text", "intent"}` lines and routes each message once (no session context, no LLM
fallback): accuracy, macro-F1, per-label recall, the low-confidence rate, how many misroutes the
low-confidence bucket catches, p50/p95 latency of `route()` (one encoder call + the linear vote,
measured per message after a warm-up), and the most frequent confusions.

With CLINC150 (default /work/shared/data/clinc150 when present; CC BY 3.0, Larson et al. 2019)
it also routes the out-of-scope split (`oos_train` minus the sentences used as exemplars, plus
`oos_val`) and a fixed sample of the `val` split of intents unrelated to orders, and reports the
share that ends up as out_of_scope or low-confidence (`oos_handled_rate`,
`unrelated_handled_rate`): both outcomes keep such a message away from an order worker. The
router borrows some `oos_train`/`train` sentences as exemplars (never the ones evaluated), so
these rates are in-distribution for CLINC150's style and flatter real traffic somewhat.

`--llm-fallback` also asks a served model (OpenAI-compatible base URL) about every
low-confidence message through the router's constrained fallback, and compares its accuracy
with the exemplar classifier's best guess on that same subset (what `router_llm_fallback`
would change).

Leave-one-source-out (on by default, `--no-loso` skips it): the exemplars come from several
source families (five hand-written sets: the first, voices, registers, multilingual, styles;
CLINC150; banking77); augmented copies (`:noisy`) leave with their family and are not routed.
For each family, a router built from all the *other* families' exemplars routes the
left-out family's exemplars: accuracy on the in-scope ones, and the share of out-of-scope ones
refused or sent to the clarifying question. It is reported beside the dev figure: a router that
only knows its own writing shows it here.

Out-of-scope messages in the data (and CLINC150's) are counted as *refused or clarified* when they
route to out_of_scope or are low-confidence (the clarifying question); how many went to
`human_agent` is reported on its own, since an unknown message must never become an escalation.

`--sweep` prints the threshold/k grid the router's defaults were chosen from (on the dev set).
With `--json` the last line is `{"accuracy", "macro_f1", "per_label_recall",
"low_confidence_rate", "p50_ms", "p95_ms", ...}`; otherwise it is a one-line summary.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from app.llm.client import ModelEndpoint, OpenAIChatModel
from app.llm.prompts import PromptRegistry
from app.routing.embeddings import shared_encoder
from app.routing.exemplar_index import (
    DEFAULT_EXEMPLAR_FILES,
    ExemplarIndex,
    exemplar_texts,
    normalised_for_overlap,
    prepare_text,
    read_exemplars,
)
from app.routing.intents import INTENT_LABELS, Intent
from app.routing.llm_fallback import ConstrainedIntentFallback
from app.routing.router import FOLLOWUP_LABEL, IntentRouter, RouteDecision
from evals.clinc150 import Clinc150
from evals.common import format_table, percentile, print_json_last_line

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT / "evals" / "data" / "intents_dev.jsonl"
DEFAULT_CLINC150 = Path("/work/shared/data/clinc150")
WARMUP_MESSAGES = 5


class LabelledMessage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    text: str
    intent: Intent


@dataclass(frozen=True)
class Routed:
    gold: str
    decision: RouteDecision
    latency_ms: float


def read_labelled(path: Path) -> list[LabelledMessage]:
    with path.open(encoding="utf-8") as lines:
        return [LabelledMessage.model_validate_json(line) for line in lines if line.strip()]


def route_all(router: IntentRouter, texts: Sequence[str], golds: Sequence[str]) -> list[Routed]:
    for text in texts[:WARMUP_MESSAGES]:
        router.route(text)
    routed = []
    for text, gold in zip(texts, golds, strict=True):
        started = time.perf_counter()
        decision = router.route(text)
        routed.append(Routed(gold, decision, (time.perf_counter() - started) * 1000))
    return routed


# ---------------------------------------------------------------- metrics


def per_label_recall(routed: Sequence[Routed]) -> dict[str, float]:
    totals = Counter(r.gold for r in routed)
    hits = Counter(r.gold for r in routed if r.decision.intent == r.gold)
    return {
        label: round(hits[label] / totals[label], 4) for label in INTENT_LABELS if totals[label]
    }


def macro_f1(routed: Sequence[Routed]) -> float:
    labels = {r.gold for r in routed} | {r.decision.intent.value for r in routed}
    scores = []
    for label in sorted(labels):
        tp = sum(1 for r in routed if r.gold == label and r.decision.intent == label)
        fp = sum(1 for r in routed if r.gold != label and r.decision.intent == label)
        fn = sum(1 for r in routed if r.gold == label and r.decision.intent != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def summarise(routed: Sequence[Routed]) -> dict[str, Any]:
    n = len(routed)
    wrong = [r for r in routed if r.decision.intent != r.gold]
    low = [r for r in routed if r.decision.low_confidence]
    latencies = [r.latency_ms for r in routed]
    oos = [r for r in routed if r.gold == Intent.OUT_OF_SCOPE.value]
    return {
        "n": n,
        "accuracy": round(1 - len(wrong) / n, 4),
        # Refused (routed out_of_scope) or clarified (low confidence: the clarifying question).
        "oos_refused_or_clarified": round(sum(map(_handled, oos)) / len(oos), 4) if oos else None,
        "oos_to_human_agent": sum(
            1
            for r in oos
            if r.decision.intent is Intent.HUMAN_AGENT and not r.decision.low_confidence
        ),
        "macro_f1": round(macro_f1(routed), 4),
        "per_label_recall": per_label_recall(routed),
        "low_confidence_rate": round(len(low) / n, 4),
        # Misroutes the low-confidence bucket sends to the fallback instead of a worker.
        "misroutes_caught": sum(1 for r in wrong if r.decision.low_confidence),
        "misroutes": len(wrong),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
    }


def _handled(r: Routed) -> bool:
    return r.decision.intent is Intent.OUT_OF_SCOPE or r.decision.low_confidence


# ---------------------------------------------------------------- leave one source out


def leave_one_source_out(router: IntentRouter) -> dict[str, Any]:
    """Per exemplar source family: route its exemplars with a router built from the others'."""
    exemplars = read_exemplars(DEFAULT_EXEMPLAR_FILES)
    vectors = router.index.vectors
    if len(exemplars) != vectors.shape[0]:
        raise ValueError("the router was not built from the default exemplar files")
    families: dict[str, Any] = {}
    pooled: list[Routed] = []
    for family in sorted({e.family for e in exemplars}):
        keep = [i for i, e in enumerate(exemplars) if e.family != family]
        held = [i for i, e in enumerate(exemplars) if e.family == family]
        index = ExemplarIndex(
            tuple(exemplars[i].text for i in keep),
            tuple(exemplars[i].intent for i in keep),
            vectors[keep],
        )
        fold = IntentRouter(
            index,
            router.encoder,
            regularisation_c=router.regularisation_c,
            low_confidence=router.low_confidence,
            similarity_floor=router.similarity_floor,
            text_weight=router.text_weight,
        )
        routed = [
            Routed(exemplars[i].intent, fold.route_embedded(exemplars[i].text, vectors[i]), 0.0)
            for i in held
            # Augmented copies (app/routing/augment.py) leave with their family but are not
            # routed: the left-out figure is on what people wrote.
            if exemplars[i].intent != FOLLOWUP_LABEL and not exemplars[i].source.endswith(":noisy")
        ]
        pooled += routed
        families[family] = _fold_summary(routed)
    return {"families": families, **_fold_summary(pooled)}


def _fold_summary(routed: Sequence[Routed]) -> dict[str, Any]:
    in_scope = [r for r in routed if r.gold != Intent.OUT_OF_SCOPE.value]
    oos = [r for r in routed if r.gold == Intent.OUT_OF_SCOPE.value]
    return {
        "n_in_scope": len(in_scope),
        "accuracy": round(sum(r.decision.intent == r.gold for r in in_scope) / len(in_scope), 4)
        if in_scope
        else None,
        "n_oos": len(oos),
        "oos_refused_or_clarified": round(sum(map(_handled, oos)) / len(oos), 4) if oos else None,
        "oos_to_human_agent": sum(
            1
            for r in oos
            if r.decision.intent is Intent.HUMAN_AGENT and not r.decision.low_confidence
        ),
    }


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def confusions(routed: Sequence[Routed], top: int = 10) -> list[tuple[str, str, int]]:
    pairs = Counter(
        (r.gold, r.decision.intent.value) for r in routed if r.decision.intent != r.gold
    )
    return [(gold, pred, count) for (gold, pred), count in pairs.most_common(top)]


# ---------------------------------------------------------------- LLM fallback


async def compare_llm_fallback(
    routed: Sequence[Routed], texts: dict[int, str], base_url: str, model: str
) -> dict[str, Any]:
    """Exemplar-classifier best guess vs the constrained model on the low-confidence subset."""
    fallback = ConstrainedIntentFallback(
        OpenAIChatModel(ModelEndpoint(name="fallback", base_url=base_url, model=model)),
        PromptRegistry().select()["router"],
        timeout_s=30.0,
    )
    low = [r for r in routed if r.decision.low_confidence]
    knn_right = llm_right = answered = 0
    latencies: list[float] = []
    for r in low:
        started = time.perf_counter()
        label = await fallback.classify(texts[id(r)], list(INTENT_LABELS), None)
        latencies.append((time.perf_counter() - started) * 1000)
        answered += label is not None
        llm_right += label == r.gold
        knn_right += r.decision.intent == r.gold
    n = max(1, len(low))
    return {
        "low_confidence_n": len(low),
        "knn_accuracy": round(knn_right / n, 4),
        "llm_accuracy": round(llm_right / n, 4),
        "llm_answered": answered,
        "llm_p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
    }


# ---------------------------------------------------------------- CLINC150


def handled_rate(router: IntentRouter, texts: Sequence[str]) -> tuple[float, Counter[str]]:
    """Share routed to out_of_scope or flagged low-confidence; where the rest went."""
    leaks: Counter[str] = Counter()  # where the others went (human_agent must stay rare)
    handled = 0
    for text in texts:
        decision = router.route(text)
        if decision.intent is Intent.OUT_OF_SCOPE or decision.low_confidence:
            handled += 1
        else:
            leaks[decision.intent.value] += 1
    return handled / len(texts), leaks


# ---------------------------------------------------------------- sweep


def _handled_share(router: IntentRouter, texts: Sequence[str], queries: np.ndarray) -> str:
    if not texts:
        return "-"
    handled = 0
    for text, query in zip(texts, queries, strict=True):
        decision = router.route_embedded(text, query)
        handled += decision.intent is Intent.OUT_OF_SCOPE or decision.low_confidence
    return f"{handled / len(texts):.3f}"


def sweep(
    router: IntentRouter,
    items: Sequence[LabelledMessage],
    oos: Sequence[str],
    unrelated: Sequence[str],
) -> None:
    """Accuracy per regularisation C, and the low-confidence trade-off per threshold."""

    def embed(texts: Sequence[str]) -> np.ndarray:
        return router.encoder.encode([prepare_text(t) for t in texts]) if texts else np.zeros(0)

    queries, oos_queries, unrelated_queries = (
        embed([m.text for m in items]),
        embed(oos),
        embed(unrelated),
    )
    golds = [m.intent.value for m in items]

    def variant(**changes: float) -> IntentRouter:
        settings: dict[str, float] = {
            "regularisation_c": router.regularisation_c,
            "low_confidence": router.low_confidence,
            "similarity_floor": router.similarity_floor,
            "text_weight": router.text_weight,
        }
        settings.update(changes)
        return IntentRouter(router.index, router.encoder, **settings)  # type: ignore[arg-type]

    rows: list[tuple[object, ...]] = []
    for c in (1.0, 2.0, 4.0, 8.0, 16.0):
        candidate = variant(regularisation_c=c)
        right = sum(
            candidate.route_embedded(m.text, q).intent == g
            for m, q, g in zip(items, queries, golds, strict=True)
        )
        rows.append((c, f"{right / len(items):.3f}"))
    print(format_table(["C", "accuracy"], rows))
    print()
    rows = []
    for floor in (0.0, 0.3, 0.4, 0.5):
        for threshold in np.arange(0.40, 0.81, 0.05):
            candidate = variant(low_confidence=float(threshold), similarity_floor=floor)
            decisions = [
                candidate.route_embedded(m.text, q) for m, q in zip(items, queries, strict=True)
            ]
            wrong = [d.intent != g for d, g in zip(decisions, golds, strict=True)]
            low = [d.low_confidence for d in decisions]
            caught = sum(lo and w for lo, w in zip(low, wrong, strict=True))
            rows.append(
                (
                    floor,
                    f"{threshold:.2f}",
                    f"{sum(low) / len(low):.3f}",
                    f"{caught}/{sum(wrong)}",
                    sum(low) - caught,
                    _handled_share(candidate, oos, oos_queries),
                    _handled_share(candidate, unrelated, unrelated_queries),
                )
            )
    headers = ["sim_floor", "threshold", "low_rate", "misroutes_caught", "correct_sent_low"]
    print(format_table([*headers, "oos_handled", "unrelated_handled"], rows))


# ---------------------------------------------------------------- report


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--clinc150", type=Path, default=DEFAULT_CLINC150 if DEFAULT_CLINC150.exists() else None
    )
    parser.add_argument("--no-clinc150", action="store_true")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--llm-fallback", metavar="BASE_URL")
    parser.add_argument("--llm-model", default="tracking-fleet")
    parser.add_argument("--no-loso", action="store_true", help="skip the per-source split")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    clinc_dir: Path | None = None if args.no_clinc150 else args.clinc150

    items = read_labelled(args.data)
    used = exemplar_texts()
    overlap = sum(1 for m in items if normalised_for_overlap(m.text) in used)
    started = time.perf_counter()
    encoder = shared_encoder()
    encoder_s = time.perf_counter() - started
    started = time.perf_counter()
    router = IntentRouter.load(encoder)
    index_s = time.perf_counter() - started
    routed = route_all(router, [m.text for m in items], [m.intent.value for m in items])
    report = summarise(routed)
    report["exemplar_overlap"] = overlap
    report["encoder_load_s"] = round(encoder_s, 2)
    report["index_load_s"] = round(index_s, 3)
    report["low_confidence_threshold"] = router.low_confidence
    report["similarity_floor"] = router.similarity_floor

    if args.llm_fallback:
        texts = {id(r): m.text for r, m in zip(routed, items, strict=True)}
        report["llm_fallback"] = asyncio.run(
            compare_llm_fallback(routed, texts, args.llm_fallback, args.llm_model)
        )

    print(f"intent routing on {args.data} ({report['n']} messages, {overlap} also exemplars)")
    print(
        f"encoder load {encoder_s:.2f} s, exemplar index {index_s:.3f} s (cached after the"
        f" first run); linear head C={router.regularisation_c}, low confidence below a "
        f"{router.low_confidence} vote share or a {router.similarity_floor} nearest similarity"
    )
    print()
    rows = [
        ("accuracy", f"{report['accuracy']:.3f}"),
        ("macro-F1", f"{report['macro_f1']:.3f}"),
        ("low-confidence rate", f"{report['low_confidence_rate']:.3f}"),
        ("out-of-scope refused or clarified", _rate(report["oos_refused_or_clarified"])),
        ("out-of-scope sent to human_agent", str(report["oos_to_human_agent"])),
        (
            "misroutes caught by low-confidence",
            f"{report['misroutes_caught']}/{report['misroutes']}",
        ),
        ("p50 route() ms", f"{report['p50_ms']:.2f}"),
        ("p95 route() ms", f"{report['p95_ms']:.2f}"),
    ]
    print(format_table(["metric", "value"], rows))
    print()
    recalls = [(label, f"{recall:.3f}") for label, recall in report["per_label_recall"].items()]
    print(format_table(["label", "recall"], recalls))
    print()
    if "llm_fallback" in report:
        fb = report["llm_fallback"]
        print(
            f"low-confidence subset ({fb['low_confidence_n']}): classifier best guess "
            f"{fb['knn_accuracy']:.3f} vs constrained LLM {fb['llm_accuracy']:.3f} "
            f"(answered {fb['llm_answered']}, p50 {fb['llm_p50_ms']} ms)"
        )
        print()
    confused = confusions(routed)
    print(format_table(["gold", "routed as", "count"], confused) if confused else "no confusions")

    oos: list[str] = []
    if clinc_dir is not None:
        corpus = Clinc150.read(clinc_dir)
        oos, unrelated = corpus.oos_eval(used), corpus.unrelated_eval()
        oos_rate, oos_leaks = handled_rate(router, oos)
        unrelated_rate, unrelated_leaks = handled_rate(router, unrelated)
        report.update(
            oos_n=len(oos),
            oos_handled_rate=round(oos_rate, 4),
            unrelated_n=len(unrelated),
            unrelated_handled_rate=round(unrelated_rate, 4),
        )
        print()
        print(f"CLINC150 out-of-scope: {oos_rate:.1%} of {len(oos)} routed to out_of_scope or low")
        print(f"  leaked to: {dict(oos_leaks.most_common())}")
        print(
            f"CLINC150 unrelated-domain sample: {unrelated_rate:.1%} of {len(unrelated)} routed "
            "to out_of_scope or low"
        )
        print(f"  leaked to: {dict(unrelated_leaks.most_common())}")

    if not args.no_loso:
        loso = leave_one_source_out(router)
        report["leave_one_source_out"] = loso
        print()
        print("leave-one-source-out (router built without the family, routing its exemplars):")
        rows = [
            (
                family,
                row["n_in_scope"],
                _rate(row["accuracy"]),
                row["n_oos"],
                _rate(row["oos_refused_or_clarified"]),
                row["oos_to_human_agent"],
            )
            for family, row in [*loso["families"].items(), ("all (pooled)", loso)]
        ]
        headers = ["left-out source", "in-scope", "accuracy", "oos", "refused/clarified"]
        print(format_table([*headers, "oos->human"], rows))
        print(
            f"dev accuracy {report['accuracy']:.3f} | left-out-source accuracy "
            f"{_rate(loso['accuracy'])}, out-of-scope refused or clarified "
            f"{_rate(loso['oos_refused_or_clarified'])}"
        )

    if args.sweep:
        print()
        sweep(router, items, oos, unrelated)

    if args.json:
        print_json_last_line(report)
    else:
        tail = (
            f" oos_handled={report['oos_handled_rate']:.3f}" if "oos_handled_rate" in report else ""
        )
        print(
            f"accuracy={report['accuracy']:.3f} macro_f1={report['macro_f1']:.3f} "
            f"low_confidence_rate={report['low_confidence_rate']:.3f} "
            f"p50_ms={report['p50_ms']:.1f} p95_ms={report['p95_ms']:.1f}{tail}"
        )


if __name__ == "__main__":
    main()
