"""banking77 (PolyAI, CC BY 4.0, Casanueva et al. 2020): out-of-scope exemplars for the router.

    python -m evals.banking77 [--banking77 DIR]

rewrites app/routing/data/exemplars_banking77.jsonl.

Real customers writing to a bank's support channel: the nearest thing to our own traffic that
is still out of scope. Only categories that have no counterpart in an order business are
borrowed (a delayed card or a refund not showing up would read as our own intents);
`EXEMPLARS_PER_CATEGORY` sentences each, the ones whose sha256 sorts first (deterministic).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = Path("/work/shared/data/banking77")
EXEMPLAR_FILE = REPO_ROOT / "app" / "routing" / "data" / "exemplars_banking77.jsonl"
EXEMPLARS_PER_CATEGORY = 2
BANKING_ONLY = (
    "age_limit",
    "apple_pay_or_google_pay",
    "atm_support",
    "beneficiary_not_allowed",
    "card_about_to_expire",
    "card_swallowed",
    "cash_withdrawal_charge",
    "change_pin",
    "country_support",
    "declined_cash_withdrawal",
    "disposable_card_limits",
    "exchange_charge",
    "exchange_rate",
    "exchange_via_app",
    "fiat_currency_support",
    "get_disposable_virtual_card",
    "getting_virtual_card",
    "lost_or_stolen_phone",
    "passcode_forgotten",
    "pin_blocked",
    "receiving_money",
    "top_up_by_bank_transfer_charge",
    "top_up_by_cash_or_cheque",
    "top_up_failed",
    "top_up_limits",
    "transfer_into_account",
    "transfer_timing",
    "unable_to_verify_identity",
    "verify_source_of_funds",
    "visa_or_mastercard",
    "wrong_amount_of_cash_received",
)


def read_categories(directory: Path) -> dict[str, list[str]]:
    by_category: dict[str, list[str]] = {}
    with (directory / "train.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            by_category.setdefault(row["category"], []).append(row["text"].strip())
    return by_category


def exemplar_sample(by_category: dict[str, list[str]]) -> list[tuple[str, str]]:
    def sha(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    return [
        (text, category)
        for category in BANKING_ONLY
        for text in sorted(set(by_category.get(category, [])), key=sha)[:EXEMPLARS_PER_CATEGORY]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--banking77", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    rows = exemplar_sample(read_categories(args.banking77))
    with EXEMPLAR_FILE.open("w", encoding="utf-8") as out:
        for text, category in rows:
            row = {"text": text, "intent": "out_of_scope", "source": f"banking77:{category}"}
            out.write(json.dumps(row) + "\n")
    print(f"wrote {len(rows)} exemplars to {EXEMPLAR_FILE.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
