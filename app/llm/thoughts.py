"""Streaming filter for the `<thought>` scratchpad: the customer sees only the answer.

Worker prompts ask the model to plan inside `<thought>…</thought>` and answer inside
`<response>…</response>`. Tokens arrive in arbitrary pieces, so a tag can be split across
chunks ("<thou" + "ght>"): text that might still become a tag is held back until it is
decided, and a partial tag is never emitted. Hand-written because it is a small state machine
over a token stream; no library filters tags incrementally like this.

Rules: text inside a thought is dropped (kept on `thoughts` for a scrubbed trace); `<response>`
and `</response>` are removed; anything after `</response>` is dropped; text outside any tag
is shown (a small model sometimes forgets the tags). Leading whitespace of the answer is trimmed.
"""

from __future__ import annotations

from enum import Enum

THOUGHT_OPEN = "<thought>"
THOUGHT_CLOSE = "</thought>"
RESPONSE_OPEN = "<response>"
RESPONSE_CLOSE = "</response>"
_TAGS = (THOUGHT_OPEN, THOUGHT_CLOSE, RESPONSE_OPEN, RESPONSE_CLOSE)


class _Mode(Enum):
    VISIBLE = "visible"
    THOUGHT = "thought"
    DONE = "done"


def _held_tail(text: str, tags: tuple[str, ...]) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of one of `tags`."""
    longest = 0
    for tag in tags:
        for size in range(min(len(tag) - 1, len(text)), longest, -1):
            if tag.startswith(text[-size:]):
                longest = size
                break
    return longest


class ThoughtFilter:
    def __init__(self) -> None:
        self._mode = _Mode.VISIBLE
        self._buffer = ""
        self._thought_parts: list[str] = []
        self._emitted_any = False
        self.saw_response_tag = False

    @property
    def thoughts(self) -> str:
        return "".join(self._thought_parts)

    @property
    def finished(self) -> bool:
        """True once `</response>` was seen: the caller may stop generating."""
        return self._mode is _Mode.DONE

    def feed(self, chunk: str) -> str:
        """Add one streamed piece; return the text that is now safe to show."""
        if self._mode is _Mode.DONE:
            return ""
        self._buffer += chunk
        out: list[str] = []
        while self._buffer and self._mode is not _Mode.DONE:
            if self._mode is _Mode.THOUGHT:
                end = self._buffer.find(THOUGHT_CLOSE)
                if end < 0:
                    keep = _held_tail(self._buffer, (THOUGHT_CLOSE,))
                    self._thought_parts.append(self._buffer[: len(self._buffer) - keep])
                    self._buffer = self._buffer[len(self._buffer) - keep :]
                    break
                self._thought_parts.append(self._buffer[:end])
                self._buffer = self._buffer[end + len(THOUGHT_CLOSE) :]
                self._mode = _Mode.VISIBLE
                continue
            tag, at = self._next_tag()
            if tag is None:
                keep = _held_tail(self._buffer, _TAGS)
                out.append(self._buffer[: len(self._buffer) - keep])
                self._buffer = self._buffer[len(self._buffer) - keep :]
                break
            out.append(self._buffer[:at])
            self._buffer = self._buffer[at + len(tag) :]
            if tag == THOUGHT_OPEN:
                self._mode = _Mode.THOUGHT
            elif tag == RESPONSE_OPEN:
                self.saw_response_tag = True
            elif tag == RESPONSE_CLOSE:
                self._mode = _Mode.DONE
                self._buffer = ""
            # A stray </thought> outside a thought is dropped like any tag.
        return self._visible("".join(out))

    def finish(self) -> str:
        """End of stream: release held text unless it is the start of a tag or a thought."""
        rest = ""
        if self._mode is _Mode.VISIBLE and not any(tag.startswith(self._buffer) for tag in _TAGS):
            rest = self._buffer
        elif self._mode is _Mode.THOUGHT:
            self._thought_parts.append(self._buffer)
        self._buffer = ""
        self._mode = _Mode.DONE
        return self._visible(rest)

    def _next_tag(self) -> tuple[str | None, int]:
        found: tuple[str | None, int] = (None, -1)
        for tag in _TAGS:
            at = self._buffer.find(tag)
            if at >= 0 and (found[0] is None or at < found[1]):
                found = (tag, at)
        return found

    def _visible(self, text: str) -> str:
        if not self._emitted_any:
            text = text.lstrip()
            self._emitted_any = bool(text)
        return text


def strip_thoughts(text: str) -> str:
    """The whole-text version, for non-streamed completions."""
    scratch = ThoughtFilter()
    return (scratch.feed(text) + scratch.finish()).strip()
