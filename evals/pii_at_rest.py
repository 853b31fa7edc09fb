"""PII at rest, end to end: distinctive fake PII goes in through the chat API, then every place
the service keeps text is searched for it.

    python -m evals.pii_at_rest --url http://127.0.0.1:8000 --redis-url redis://127.0.0.1:6390/0 \\
        [--log-dir var/log] [--platform-url URL] [--json]

Against `make run`: a seeded customer signs in with a dev token (the secret in var/), sends the
messages below (names, street addresses, phones, emails, cards and IBANs from several countries,
the "Again: <name>, <address>, <phone>" shape, and PII inside a refund negotiation's replies), then
the scan reads every Redis key (its name and its value, whatever the type, streams included), the
session's turn traces as `python -m app.traces show` renders them, the session export
(`GET /v1/sessions/{id}`) and every file under --log-dir. tests/test_pii_at_rest.py runs the same
scan in process. Anything found is reported masked ("Z…(20 chars)"), never in clear.

Every value is invented: example.com mail, Ofcom's drama phone ranges, the documented test card
and example IBANs, names nobody has.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.common import print_json_last_line


@dataclass(frozen=True)
class Planted:
    type: str
    value: str


@dataclass(frozen=True)
class Probe:
    """One customer message. `{order_id}` is filled with the customer's own order."""

    message: str
    planted: tuple[Planted, ...]


def _p(pii_type: str, value: str) -> Planted:
    return Planted(pii_type, value)


PROBES: tuple[Probe, ...] = (
    Probe(
        "Again: Zephyrine Quackenbush, 42 Quillfeather Lane, Bristol BS1 4DJ, +44 7700 900123. "
        "Where is {order_id}?",
        (
            _p("PERSON", "Zephyrine Quackenbush"),
            _p("STREET_ADDRESS", "42 Quillfeather Lane"),
            _p("PHONE_NUMBER", "+44 7700 900123"),
        ),
    ),
    Probe(
        "My name is Ottoline Fizzwhistle, mail ottoline.fizzwhistle@example.com, "
        "card 4111 1111 1111 1111. Status of {order_id}?",
        (
            _p("PERSON", "Ottoline Fizzwhistle"),
            _p("EMAIL_ADDRESS", "ottoline.fizzwhistle@example.com"),
            _p("CREDIT_CARD", "4111 1111 1111 1111"),
        ),
    ),
    Probe(
        "Bitte an Gunhild Zwirbelmeier, Quarkstraße 17, 80331 München liefern. "
        "IBAN DE89 3704 0044 0532 0130 00",
        (
            _p("PERSON", "Gunhild Zwirbelmeier"),
            _p("STREET_ADDRESS", "Quarkstraße 17"),
            _p("IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
        ),
    ),
    Probe(
        "Envoyez à Mme Clothilde Pamplemousse, 12 rue des Licornes, 75002 Paris, "
        "tél +33 6 12 34 56 78",
        (
            _p("PERSON", "Clothilde Pamplemousse"),
            _p("STREET_ADDRESS", "12 rue des Licornes"),
            _p("PHONE_NUMBER", "+33 6 12 34 56 78"),
        ),
    ),
    Probe(
        "Send it to Sørine Blåbærholm, Trylleskovvej 45, 2200 København N",
        (_p("PERSON", "Sørine Blåbærholm"), _p("STREET_ADDRESS", "Trylleskovvej 45")),
    ),
    Probe(
        "my name is priya quillsworth and i live at 7/3 Moonbeam Road, Bengaluru 560001",
        (_p("PERSON", "priya quillsworth"), _p("STREET_ADDRESS", "7/3 Moonbeam Road")),
    ),
    # A refund negotiation: the request, then the customer's reply with PII in it.
    Probe(
        "I want a refund for {order_id}, it never arrived. Send the note to Barnaby "
        "Whistlecrump, 9 Puddlewick Close, Leeds LS1 4AP",
        (_p("PERSON", "Barnaby Whistlecrump"), _p("STREET_ADDRESS", "9 Puddlewick Close")),
    ),
    Probe(
        "yes. I'm Barnaby Whistlecrump, ring me on +44 7700 900456 or "
        "barnaby.whistlecrump@example.co.uk, IBAN GB82 WEST 1234 5698 7654 32",
        (
            _p("PERSON", "Barnaby Whistlecrump"),
            _p("PHONE_NUMBER", "+44 7700 900456"),
            _p("EMAIL_ADDRESS", "barnaby.whistlecrump@example.co.uk"),
            _p("IBAN_CODE", "GB82 WEST 1234 5698 7654 32"),
        ),
    ),
)


def planted_values(probes: Iterable[Probe] = PROBES) -> list[Planted]:
    seen: dict[str, Planted] = {}
    for probe in probes:
        for item in probe.planted:
            seen.setdefault(item.value, item)
    return list(seen.values())


@dataclass(frozen=True)
class Needle:
    """One form of a planted value to search for."""

    type: str
    masked: str
    pattern: re.Pattern[bytes]


def mask(value: str) -> str:
    return f"{value[:1]}…({len(value)} chars)"


def needles(planted: Iterable[Planted]) -> list[Needle]:
    """The forms a value may be stored in: as written, any case; numbers also as bare digits
    (cards, IBANs and phones are often normalised); names also word by word (a surname alone is
    still the customer's)."""
    found: list[Needle] = []
    for item in planted:
        forms = {item.value}
        if item.type in {"CREDIT_CARD", "IBAN_CODE", "PHONE_NUMBER"}:
            forms.add(re.sub(r"[\s()+-]", "", item.value))
        if item.type == "PERSON":
            forms.update(w for w in item.value.split() if len(w) >= 4)
        if item.type == "STREET_ADDRESS":
            forms.update(w for w in re.findall(r"[^\W\d_]{6,}", item.value))
        for form in forms:
            for encoded in {form.encode(), json.dumps(form)[1:-1].encode()}:
                pattern = re.compile(re.escape(encoded), re.IGNORECASE)
                found.append(Needle(item.type, mask(form), pattern))
    return found


@dataclass(frozen=True)
class Leak:
    where: str
    type: str
    masked: str

    def __str__(self) -> str:
        return f"{self.type} {self.masked} in {self.where}"


def scan_bytes(where: str, data: bytes, searched: list[Needle]) -> list[Leak]:
    return [Leak(where, n.type, n.masked) for n in searched if n.pattern.search(data)]


def _masked_where(where: bytes, searched: list[Needle]) -> str:
    text = where
    for needle in searched:
        text = needle.pattern.sub(b"***", text)
    return text.decode("utf-8", "replace")


async def scan_redis(redis_url: str, searched: list[Needle]) -> tuple[int, list[Leak]]:
    """Every key of the database: its name and its value, whatever the type."""
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    leaks: list[Leak] = []
    keys = 0
    try:
        async for key in redis.scan_iter(count=500):
            keys += 1
            where = f"redis key {_masked_where(key, searched)}"
            kind = (await redis.type(key)).decode()
            parts: list[bytes] = [key]
            if kind == "string":
                parts.append(await redis.get(key) or b"")
            elif kind == "hash":
                for field, value in (await redis.hgetall(key)).items():
                    parts += [field, value]
            elif kind == "list":
                parts += await redis.lrange(key, 0, -1)
            elif kind == "set":
                parts += list(await redis.smembers(key))
            elif kind == "zset":
                parts += [member for member, _ in await redis.zrange(key, 0, -1, withscores=True)]
            elif kind == "stream":
                for entry_id, fields in await redis.xrange(key):
                    parts.append(entry_id)
                    for field, value in fields.items():
                        parts += [field, value]
            leaks += scan_bytes(f"{where} ({kind})", b"\n".join(parts), searched)
    finally:
        await redis.aclose()
    return keys, leaks


def scan_files(root: Path, searched: list[Needle]) -> tuple[int, list[Leak]]:
    leaks: list[Leak] = []
    files = [p for p in sorted(root.rglob("*")) if p.is_file()] if root.exists() else []
    for path in files:
        leaks += scan_bytes(f"file {path}", path.read_bytes(), searched)
    return len(files), leaks


async def scan_traces(
    redis_url: str, client_id: str, session_id: str, searched: list[Needle]
) -> tuple[int, list[Leak]]:
    """The session's traces as `python -m app.traces show` prints them, text and --json."""
    from redis.asyncio import Redis

    from app.observability.trace_store import TraceStore
    from app.traces import render

    redis = Redis.from_url(redis_url)
    try:
        traces = await TraceStore(redis).for_session(client_id, session_id, limit=1000)
    finally:
        await redis.aclose()
    shown = "\n".join(render(t) + "\n" + t.model_dump_json() for t in traces)
    return len(traces), scan_bytes(f"traces of session {session_id}", shown.encode(), searched)


def scan_export(where: str, payload: Any, searched: list[Needle]) -> list[Leak]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return scan_bytes(where, body, searched) + scan_bytes(
        where, json.dumps(payload).encode(), searched
    )


def report(leaks: list[Leak]) -> str:
    unique = sorted({str(leak) for leak in leaks})
    return "\n".join(f"  LEAK {line}" for line in unique)


# ---------------------------------------------------------------- against a running service


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    from app.api.auth import TokenService, load_secret
    from evals.load import require_loopback, seeded_customers

    require_loopback(args.url)
    customers = await seeded_customers(args.platform_url, limit=5)
    if not customers:
        raise SystemExit("the platform has no seeded customer with orders")
    customer = customers[0]
    who = customer.who
    token = TokenService(load_secret()).issue(who.customer_id, who.client_id)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=args.url, timeout=120.0) as client:
        created = await client.post("/v1/sessions", headers=headers)
        created.raise_for_status()
        session_id = str(created.json()["session_id"])
        for probe in PROBES:
            message = probe.message.format(order_id=customer.order_ids[0])
            response = await client.post(
                f"/v1/sessions/{session_id}/messages", headers=headers, json={"message": message}
            )
            if response.status_code != 200:
                raise SystemExit(f"the service answered {response.status_code} to a probe")
        await asyncio.sleep(args.settle_s)  # traces are written after the reply
        export = (await client.get(f"/v1/sessions/{session_id}", headers=headers)).json()
    searched = needles(planted_values())
    keys, leaks = await scan_redis(args.redis_url, searched)
    traces, trace_leaks = await scan_traces(args.redis_url, who.client_id, session_id, searched)
    leaks += trace_leaks + scan_export(f"GET /v1/sessions/{session_id}", export, searched)
    files = 0
    if args.log_dir:
        files, file_leaks = scan_files(args.log_dir, searched)
        leaks += file_leaks
    return {
        "messages": len(PROBES),
        "planted_values": len(planted_values()),
        "redis_keys": keys,
        "traces": traces,
        "log_files": files,
        "leaks": len({str(leak) for leak in leaks}),
        "leak_report": report(leaks),
    }


def main(argv: list[str] | None = None) -> int:
    from app.config import AgentSettings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the chat API (make run: :8000)")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--log-dir", type=Path, help="every file under it is searched")
    parser.add_argument("--platform-url", default=AgentSettings.load({}).platform_url)
    parser.add_argument("--settle-s", type=float, default=2.0)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    result = asyncio.run(_run(args))
    print(
        f"{result['messages']} messages, {result['planted_values']} planted values; searched "
        f"{result['redis_keys']} Redis keys, {result['traces']} traces, the session export and "
        f"{result['log_files']} log files: {result['leaks']} leaks"
    )
    if result["leak_report"]:
        print(result["leak_report"])
    if args.json:
        print_json_last_line({k: v for k, v in result.items() if k != "leak_report"})
    return 1 if result["leaks"] else 0


if __name__ == "__main__":
    sys.exit(main())
