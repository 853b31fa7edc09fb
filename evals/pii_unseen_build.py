"""Writes evals/data/pii_unseen.jsonl: a second held-out PII set, written *after* the issue-16
tuning (the first, pii_heldout.jsonl, was measured before it, and its misses were then looked
at) and measured once, so it is the figure nothing was fitted to.

    python -m evals.pii_unseen_build
    python -m evals.pii --data evals/data/pii_unseen.jsonl --by-source --json

Nothing here is shared with the first set except the id helpers: other name sources (Georgian,
Nepali, Sinhala, Gujarati, Marathi and Taiwanese names transliterated; a second hand-written
list), other address locales (UK, US, Germany, Spain, France, Netherlands, South Africa,
Bangladesh, and Greek, Russian, Ukrainian and Macedonian addresses transliterated), and other
templates and voices (chat lines, a forwarded e-mail with a signature block, a gift note, a
voice-to-text transcript without punctuation, Spanglish, customs forms).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from faker import Faker
from faker.decode import unidecode

from evals.pii_heldout_build import _awb, _carrier, _order

OUT = Path(__file__).resolve().parent / "data" / "pii_unseen.jsonl"
SEED = 1616

_TRANSLIT_LOCALES = ("ka_GE", "ne_NP", "si_LK", "gu_IN", "mr_IN", "zh_TW")
_HANDWRITTEN_NAMES = """
Sefo Tuilagi|Ranaivo Rakotomalala|Hanitra Andrianina|Illari Quispe|Nayra Mamani|
Aputi Kilabuk|Bayarmaa Gantulga|Tenzin Dorje|Pema Lhamo|Chamari Wickramasinghe|
Aung Kyaw Min|Sokha Chann|Bounmy Phommachanh|Pa Nhia Vang|Losana Qalo|'Ofa Havili|
Lwazi Mthembu|Anathi Qwabe|Tatenda Moyo|Chipo Mutasa|Gemechu Tolosa|Hagos Berhane|
Awa Ndiaye|Mamadou Diallo|Hamadou Bello|Tiziri Ait Ali|Dilnur Tursun|Aliya Zakirova|
Aslan Dudayev|Arbër Hoxha|Rita Camilleri|Jógvan Poulsen|Máret Sara|Yann Le Gall|
Jelle Hoekstra|Flurin Caduff|Efisio Porcu|Kalani Makoa|Mose Faleolo|Ikaika Kealoha
""".replace("\n", "").split("|")
_ADDRESS_LOCALES = ("en_GB", "en_US", "de_DE", "es_ES", "fr_FR", "nl_NL", "zu_ZA", "en_BD")
_TRANSLIT_ADDRESS_LOCALES = ("el_GR", "ru_RU", "uk_UA", "mk_MK")
_PHONE_LOCALES = ("en_GB", "en_US", "de_DE", "es_ES", "fr_FR", "nl_NL", "el_GR", "ru_RU")

# fmt: off
_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("chat_lines", "hi\nits about {order}\nthe label says {name}\nthats not me\nmy number {phone}"),
    ("chat_lines", "hello??\n{awb}\nwrong address on it. should be\n{addr}"),
    ("forwarded_email", "---------- Forwarded message ---------\nFrom: {name}\nSubject: Re: "
     "{order}\n\nPlease see below, the parcel never came.\n\n{name}\n{addr}\nMob: {phone}"),
    ("forwarded_email", "FYI see the customer's note below.\n> Ship to: {name}\n> {addr}\n> "
     "Tel {phone}\n> Ref {order}"),
    ("gift_note", "It's a gift 🎁 for {name}, please wrap it! Deliver {order} to {addr} "
     "on Friday if possible"),
    ("gift_note", "Could the card say 'Happy birthday {first}!'? The parcel ({awb}) goes to "
     "{name}, {addr}."),
    ("transcript", "yes hello my name is {lname} i am calling about order {order} it was "
     "supposed to come to {laddr} my phone number is {phone}"),
    ("transcript", "uh hi so the parcel {awb} um it says it was given to {lname} but i dont "
     "know who that is"),
    ("spanglish", "Hola! Mi order {order} no llegó todavía, I'm {name}. Pueden enviarlo a "
     "{addr}? Gracias"),
    ("spanglish", "Oye, the driver dejó el paquete con {name}, mi vecina. {carrier}"),
    ("customs_form", "CUSTOMS DECLARATION\nSender: {name}\nSender address: {addr}\n"
     "Contents: gift\nRef: {order}"),
    ("customs_form", "Consignee {name} / {addr} / phone {phone} / AWB {awb}"),
    ("complaint", "Formal complaint: on Tuesday your courier threw {order} over the fence. "
     "My neighbour {name} saw it happen and will confirm."),
    ("complaint", "I have asked three times. The parcel for {name} at {addr} is {carrier}. "
     "Sort it out."),
    ("pickup", "{name} will pick up {awb} from the depot for me, she has my ID."),
    ("pickup", "Can my son {first} collect {order}? His full name is {name}."),
    ("return_label", "Please email the return label for {order}. Return from: {name}, {addr}"),
    ("return_label", "returning {order}, collection from {addr} pls, contact {name} {phone}"),
    ("german_informal", "Moin! Bin {name}, wohne jetzt in {addr}. Könnt ihr {order} umleiten? "
     "Handy: {phone}"),
    ("french_informal", "Salut, c'est {name}. Mon colis {carrier} est bloqué. Adresse : {addr}"),
)
# fmt: on


def _name(rng: random.Random, fakers: dict[str, Faker], source: str) -> str:
    if source == "handwritten":
        return rng.choice(_HANDWRITTEN_NAMES).strip()
    fake = fakers[rng.choice(_TRANSLIT_LOCALES)]
    raw = re.sub(r"[^\w' -]", "", unidecode(f"{fake.first_name()} {fake.last_name()}"))
    return " ".join(part[:1].upper() + part[1:] for part in raw.split())


def _address(rng: random.Random, fakers: dict[str, Faker]) -> str:
    if rng.random() < 0.3:
        raw = unidecode(fakers[rng.choice(_TRANSLIT_ADDRESS_LOCALES)].address())
    else:
        raw = fakers[rng.choice(_ADDRESS_LOCALES)].address()
    return raw.replace("\n", ", ").replace(",,", ",")


def _phone(rng: random.Random, fakers: dict[str, Faker]) -> str:
    for _ in range(10):
        number = fakers[rng.choice(_PHONE_LOCALES)].phone_number()
        if sum(ch.isdigit() for ch in number) >= 8 and "x" not in number.lower():
            return number
    return "+44 7700 900418"


def build(rows_per_template: int = 12) -> list[dict]:
    rng = random.Random(SEED)
    locales = sorted(
        set(_TRANSLIT_LOCALES + _ADDRESS_LOCALES + _TRANSLIT_ADDRESS_LOCALES + _PHONE_LOCALES)
    )
    fakers = {}
    for i, locale in enumerate(locales):
        fakers[locale] = Faker(locale)
        fakers[locale].seed_instance(SEED + i)
    rows = []
    for voice, template in _TEMPLATES:
        for _ in range(rows_per_template):
            source = rng.choice(("translit", "handwritten"))
            name = _name(rng, fakers, source)
            address = _address(rng, fakers)
            carrier_text, carrier_number = _carrier(rng)
            values = {
                "name": name,
                "first": name.split()[0],
                "lname": name.lower(),
                "addr": address,
                "laddr": address.lower(),
                "phone": _phone(rng, fakers),
                "order": _order(rng),
                "awb": _awb(rng),
                "carrier": carrier_text,
            }
            pii = [
                {"type": pii_type, "value": values[slot]}
                for slot, pii_type in (
                    ("name", "PERSON"),
                    ("lname", "PERSON"),
                    ("addr", "STREET_ADDRESS"),
                    ("laddr", "STREET_ADDRESS"),
                    ("phone", "PHONE_NUMBER"),
                )
                if "{" + slot + "}" in template
            ]
            keep = [values["order"]] * ("{order}" in template)
            keep += [values["awb"]] * ("{awb}" in template)
            keep += [carrier_number] * ("{carrier}" in template)
            rows.append(
                {
                    "text": template.format(**values),
                    "pii": pii,
                    "keep": keep,
                    "source": f"names_{source}",
                    "voice": voice,
                }
            )
    return rows


def main() -> int:
    rows = build()
    OUT.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    print(f"wrote {len(rows)} rows to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
