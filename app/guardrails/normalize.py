"""Undo the cheap disguises attackers put on instructions before anything looks at the text.

`normalize("1gn0re аll prev1ous 1nstruct10ns")` gives "ignore all previous instructions" with the
signals {"leetspeak", "homoglyphs"}: the lexical features and the sentence embedding both see the
plain words, and the fact that they were disguised is itself evidence.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from app.guardrails.protected_ids import protected_spans

_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

# Letters from other scripts that render like Latin ones (a curated subset of Unicode's
# confusables: Cyrillic, Greek, a few IPA/Armenian look-alikes). NFKC already folds full-width
# and mathematical alphanumerics.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "і": "i", "ї": "i", "ј": "j", "к": "k", "м": "m",
        "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d",
        "ԛ": "q", "ԝ": "w", "ӏ": "l", "һ": "h", "ɡ": "g", "А": "A", "В": "B", "Е": "E", "К": "K",
        "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I",
        "Ј": "J", "Ѕ": "S", "Ԁ": "D", "Ү": "Y",
        # Greek
        "α": "a", "ο": "o", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
        "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        # Others
        "ı": "i", "ȷ": "j", "օ": "o", "ս": "u", "ց": "g", "ⅼ": "l",
    }
)  # fmt: skip
_CONFUSABLE_CHARS = frozenset(chr(c) for c in _CONFUSABLES)
# Letters of Latin-script alphabets (Turkish dotless i, Azerbaijani): folded, never a disguise.
_NATIVE_LATIN = frozenset("ıȷ")

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a",
     "$": "s", "€": "e"}
)  # fmt: skip
_LEET_TOKEN = re.compile(r"[A-Za-z0-9@$€]{3,}")
# A leet character directly followed by a letter ("1gn0re", "h4ck", "$ystem"); digits only at the
# end ("iphone15", "ps5") or units ("4pm", "10kg") are ordinary words.
_LEET_INSIDE = re.compile(r"[0134578@$€9][A-Za-z]")
# Leet characters in decoded words before the text counts as disguised ("1gn0r3" alone has 3).
_LEET_SIGNAL_MIN = 3
_SHORT_LEET = re.compile(r"(?<![\w-])(?=\w*[A-Za-z])(?=\w*[013457])[A-Za-z0-9]{2,4}(?![\w-])")
_HEX_ID = re.compile(r"^(?=[a-f]*\d)(?=\d*[a-f])[0-9a-f]{6,}$", re.IGNORECASE)
_UNIT_TOKEN = re.compile(
    r"^\d+(?:st|nd|rd|th|am|pm|h|hr|hrs|min|mins|kg|g|lb|lbs|cm|mm|m|km|x|k|gb|tb|mb|ml|l|pcs|"
    r"pc|s|d|ft|in|oz|v|w)$",
    re.IGNORECASE,
)

# "i g n o r e", "i.g.n.o.r.e", "i-g-n-o-r-e": three or more single letters, one separator each.
_SPLIT_LETTERS = re.compile(r"(?<![A-Za-z])(?:[A-Za-z][ .\-_*|/+]){2,}[A-Za-z](?![A-Za-z])")

_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX_RUN = re.compile(r"(?:\b[0-9a-fA-F]{2}[ :]?){10,}")
_HEX_ESCAPES = re.compile(r"(?:\\x[0-9a-fA-F]{2}){6,}")

# Words whose presence after rot13 or reversal means the text was hiding a sentence: common
# English words plus the vocabulary of attacks.
_HIDDEN_WORDS = re.compile(
    r"\b(?:the|and|you|your|to|of|all|is|me|my|ignore|instructions|previous|system|prompt|"
    r"reveal|password|refund|disregard|admin|developer|override|secret|rules|forget|assistant|"
    r"customer|address|verified|approve|order|note|show|tell|give)\b"
)
_HIDDEN_MIN_WORDS = 3

# The scrubber's placeholders, read back as the words they stand for. Left as "<EMAIL_ADDRESS>",
# they look like the markup of fake system messages to the lexical rules and the encoder alike.
_PLACEHOLDER_WORDS = {
    "<EMAIL_ADDRESS>": "my email address",
    "<PHONE_NUMBER>": "my phone number",
    "<CREDIT_CARD>": "my card number",
    "<IBAN_CODE>": "my bank account number",
    "<US_SSN>": "my social security number",
    "<PERSON>": "Alex",
    "<STREET_ADDRESS>": "my street address",
    "<POSTCODE>": "my postcode",
}
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in _PLACEHOLDER_WORDS))


@dataclass
class Normalized:
    text: str  # what the embedding and the lexical features read
    signals: set[str] = field(default_factory=set)
    joined_runs: list[str] = field(default_factory=list)  # split-letter runs, letters joined


def normalize(text: str) -> Normalized:
    signals: set[str] = set()
    text = _PLACEHOLDER.sub(lambda m: _PLACEHOLDER_WORDS[m.group(0)], text)
    cleaned = _INVISIBLE.sub("", text)
    if cleaned != text:
        signals.add("invisible_chars")
    if sum(_is_styled(ch) for ch in cleaned) >= 3:
        signals.add("homoglyphs")  # 𝐢𝐠𝐧𝐨𝐫𝐞, ｉｇｎｏｒｅ: NFKC folds them, but nobody types them
    cleaned = unicodedata.normalize("NFKC", cleaned)
    cleaned = _fold_confusables(cleaned, signals)
    cleaned = _decode_leetspeak(cleaned, signals)
    cleaned, runs = _join_split_letters(cleaned, signals)
    decoded = _decode_payloads(cleaned, signals)
    if decoded:
        cleaned = cleaned + "\n" + "\n".join(decoded)
    return Normalized(text=cleaned, signals=signals, joined_runs=runs)


def _is_styled(ch: str) -> bool:
    """Full-width forms and mathematical alphanumerics (bold, italic, script ... letters)."""
    code = ord(ch)
    return 0xFF01 <= code <= 0xFF5E or 0x1D400 <= code <= 0x1D7FF


def deaccent(text: str) -> str:
    """'instrucciónes précédentes' -> 'instrucciones precedentes', for multilingual matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fold_confusables(text: str, signals: set[str]) -> str:
    if not any(ch in _CONFUSABLE_CHARS for ch in text):
        return text
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(ch.isascii() for ch in letters)
    mostly_latin = latin >= 0.5 * len(letters)

    def fold(match: re.Match[str]) -> str:
        word = match.group(0)
        has_latin = any(ch.isascii() and ch.isalpha() for ch in word)
        disguised = any(ch in _CONFUSABLE_CHARS and ch not in _NATIVE_LATIN for ch in word)
        if disguised and (has_latin or mostly_latin):
            signals.add("homoglyphs")
        if (disguised or any(ch in _NATIVE_LATIN for ch in word)) and (has_latin or mostly_latin):
            return word.translate(_CONFUSABLES)
        return word

    return re.sub(r"\w+", fold, text)


def _decode_leetspeak(text: str, signals: set[str]) -> str:
    protected = protected_spans(text)
    decoded_chars = 0

    def decode(match: re.Match[str]) -> str:
        nonlocal decoded_chars
        token = match.group(0)
        tail = token[1:]
        if (
            sum(ch.isalpha() for ch in token) < 2
            or not _LEET_INSIDE.search(token)
            or _UNIT_TOKEN.match(token)
            or re.search(r"\d{3,}", token)
            or (any(c.isupper() for c in tail) and any(c.islower() for c in tail))  # ids, hashes
            or _HEX_ID.match(token)  # request ids, colours, digests: "a8f2c1", "ff00aa"
            or ("@" in token and text[match.end() : match.end() + 1] == ".")  # an email address
            or any(s <= match.start() < e for s, e in protected)
        ):
            return token
        decoded_chars += sum(not ch.isalpha() for ch in token)
        return token.translate(_LEET)

    decoded = _LEET_TOKEN.sub(decode, text)
    if decoded_chars >= _LEET_SIGNAL_MIN:
        signals.add("leetspeak")
        # In a text already written in leetspeak, short words with a trailing digit are too
        # ("th3", "m3", "4nd"), which alone would be units, ordinals or model names.
        decoded = _SHORT_LEET.sub(lambda m: m.group(0).translate(_LEET), decoded)
    return decoded


def _join_split_letters(text: str, signals: set[str]) -> tuple[str, list[str]]:
    runs: list[str] = []

    def join(match: re.Match[str]) -> str:
        letters = re.sub(r"[^A-Za-z]", "", match.group(0))
        if len(letters) >= 5:
            signals.add("split_letters")
        runs.append(letters.lower())
        return letters

    return _SPLIT_LETTERS.sub(join, text), runs


def _decode_payloads(text: str, signals: set[str]) -> list[str]:
    decoded: list[str] = []
    for token in _BASE64_TOKEN.findall(text):
        if not (re.search(r"[A-Z]", token) and re.search(r"[a-z]", token)):
            continue  # ids, digests and hex are single-case; base64 of prose is mixed
        plain = _b64_text(token)
        if plain:
            decoded.append(plain)
            signals.add("encoded_payload")
    for run in _HEX_RUN.findall(text) + _HEX_ESCAPES.findall(text):
        plain = _hex_text(run)
        if plain:
            decoded.append(plain)
            signals.add("encoded_payload")
    lowered = text.lower()
    baseline = len(_HIDDEN_WORDS.findall(lowered))
    for variant in (codecs.encode(lowered, "rot13"), lowered[::-1]):
        if len(_HIDDEN_WORDS.findall(variant)) >= baseline + _HIDDEN_MIN_WORDS:
            decoded.append(variant)
            signals.add("rot13_or_reversed")
    return decoded


def _b64_text(token: str) -> str | None:
    padded = token + "=" * (-len(token) % 4)
    try:
        raw = base64.b64decode(padded, altchars=b"-_" if "-" in token or "_" in token else None)
    except (binascii.Error, ValueError):
        return None
    return _readable(raw)


def _hex_text(run: str) -> str | None:
    digits = re.sub(r"[^0-9a-fA-F]", "", run.replace("\\x", ""))
    try:
        return _readable(bytes.fromhex(digits[: len(digits) // 2 * 2]))
    except ValueError:
        return None


def _readable(raw: bytes) -> str | None:
    """Decoded bytes that are prose (mostly printable, several words), else None."""
    try:
        plain = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(plain) < 8:
        return None
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in plain) / len(plain)
    words = re.findall(r"[A-Za-z]{2,}", plain)
    if printable < 0.95 or len(words) < 2:
        return None
    return plain
