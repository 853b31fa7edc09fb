"""Builds evals/data/claims_unseen4.jsonl: a third held-out claim set, written after every change
the earlier ones prompted, and measured once as it stood (the clean "after" figure).

    python -m evals.claims_unseen4_build [--out F]

Same seed facts and labelling rules as claims_unseen3 (`scenes(offset=2)`), phrasings used
nowhere else in the repository.
"""

from __future__ import annotations

import random
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from evals.claims_build import build_main
from evals.claims_facts import Scene, labelled_line, scenes
from evals.claims_unseen_build import ALL, DELIVERED, MOVING, NOT_YET, _dates, _state_truth

OUT = Path(__file__).resolve().parent / "data" / "claims_unseen4.jsonl"
FAMILY = "unseen4"

STATES: dict[str, tuple[list[str], set[str], set[str]]] = {
    "moving": (
        ["It's progressing through {c}'s system.", "yep its moving along 👍", "It's in motion."],
        MOVING,
        {"lost", "returned", "label_created"},
    ),
    "not_left": (
        ["The label exists but nothing's been collected.", "It's sat at the dispatch bay."],
        {"label_created"},
        {"returned"},
    ),
    "ofd": (
        ["You'll see the driver today.", "It's been loaded onto the vehicle for today."],
        {"out_for_delivery"},
        set(),
    ),
    "lost": (
        ["Nobody can trace it now.", "It's been written off as lost."],
        {"lost"},
        {"delivered_disputed"},
    ),
    "delivered": (
        ["It's home with you.", "It's landed.", "The handover happened.", "You've got it."],
        DELIVERED,
        {"returned"},
    ),
    "delayed": (
        ["It's behind where it should be.", "It's moving slower than expected."],
        {"delayed"},
        set(),
    ),
    "returned": (
        ["The seller has it back.", "It's been shipped back to origin."],
        {"returned"},
        set(),
    ),
    "not_delivered": (["Still not with you.", "It hasn't come yet."], NOT_YET, {"returned"}),
    "not_lost": (
        ["It's safe and accounted for."],
        ALL - {"lost"},
        {"delivered_disputed", "returned"},
    ),
    "place": (["It was put in your recycling bin.", "It's in your porch."], set(), set()),
}
ACTIONS: dict[str, tuple[list[str], str | None]] = {
    "refund": (["I've kicked off a refund.", "A refund's been lodged for you."], "initiate_refund"),
    "escalate": (
        ["I've got a teammate on it.", "This is now with our escalations desk."],
        "escalate_to_human",
    ),
    "notify": (["Details are in your email.", "I've mailed you the info."], "send_notification"),
    "never": (
        [
            "I've waived the shipping charge.",
            "I've sent a replacement out.",
            "I've reported it stolen.",
            "The courier will call you before they come.",
            "I've put a hold on the order.",
        ],
        None,
    ),
}
NEUTRAL = [
    "Cheers for your patience here!",
    "That's really not the experience we want for you.",
    "Here's where things stand.",
    "Any other questions, fire away.",
]
DATE_TEMPLATES = {
    "eta": ["Due with you {when}.", "Projected delivery: {when}."],
    "overdue": ["It should've come {when}."],
    "delivered": ["The courier logged it as delivered {when}.", "It landed {when}."],
    "part": ["You'll see it {when}."],
}


_line = partial(labelled_line, family=FAMILY)


def _lines(scene: Scene, rng: random.Random) -> list[dict[str, Any]]:
    ship = next(o["output"] for o in scene.facts["outputs"] if o["tool"] == "get_order_status")
    status, c = ship["status"], ship["carrier"]
    now = datetime.fromisoformat(scene.facts["as_of"])
    done = {o["tool"] for o in scene.facts["outputs"]}
    out: list[dict[str, Any]] = []
    for key, (phrasings, _, _) in STATES.items():
        truth = _state_truth(key, status, ship, STATES, now)
        if truth is not None:
            out.append(_line(scene, rng.choice(phrasings).format(c=c), truth, "state"))
    for phrasings, tool in ACTIONS.values():
        text = rng.choice(phrasings)
        out.append(_line(scene, text, tool is not None and tool in done, "action"))
    for text, ok in _dates(scene, ship, rng, DATE_TEMPLATES)[:2]:
        out.append(_line(scene, text, ok, "date"))
    out.append(_line(scene, rng.choice(NEUTRAL), True, "neutral"))
    return out


def build(seed: int = 41) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [line for scene in scenes(offset=2) for line in _lines(scene, rng)]


def main(argv: list[str] | None = None) -> int:
    return build_main(argv, (__doc__ or "").split("\n")[0], OUT, build)


if __name__ == "__main__":
    raise SystemExit(main())
