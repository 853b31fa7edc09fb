"""Writes evals/data/pii_heldout.jsonl: PII in support messages the scrubber was never tuned on.

    python -m evals.pii_heldout_build          # rewrites the file (seeded: same bytes each run)
    python -m evals.pii --data evals/data/pii_heldout.jsonl --json

Written once, before the scrubber's PERSON/phone work of issue 16, and measured then (README).
What makes it held out:
- names from Faker locales whose names are *not* in the gazetteer (it keeps Latin-script names
  only): Cyrillic, Greek, Armenian, Chinese, Japanese, Indic names, transliterated the way a
  customer types them in Latin letters; and names written by hand from cultures Faker barely
  covers (Yoruba, Somali, Tamil, Māori, Vietnamese, Kurdish ...);
- addresses in the formats of ~30 countries (Faker's address providers, which no recognizer
  was written from, and hand-written ones: Japan, India, Singapore, Brazil, Nigeria ...);
- phone numbers as each country writes them;
- voices the dev set lacks: terse, angry, rambling, typos, lower case, emoji, non-native
  English and lines in German, Spanish, French, Italian, Portuguese and Dutch.

Each row has `source` (where its name/address came from) and `voice`; the eval reports recall by
both, so a pattern that only works for one family shows up. Protected ids (order ids, AWBs,
carrier tracking numbers) ride along as `keep`.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path

from faker import Faker
from faker.decode import unidecode

OUT = Path(__file__).resolve().parent / "data" / "pii_heldout.jsonl"
SEED = 16

# Locales whose person names the gazetteer never sees (non-Latin script), transliterated.
_TRANSLIT_LOCALES = ("ru_RU", "uk_UA", "bg_BG", "el_GR", "hy_AM", "mk_MK", "hi_IN", "bn_BD")
# Written by hand: given name + family name, from cultures Faker's lists barely cover.
_HANDWRITTEN_NAMES = """
Adebayo Ogunleye|Chiamaka Eze|Kwabena Owusu|Abebe Bekele|Hodan Warsame|Faduma Abdi|
Thandiwe Nkosi|Sipho Dlamini|Wanjiru Kamau|Otieno Odhiambo|Aroha Ngata|Tamati Rangi|
Sione Taufa|Malia Fifita|Leilani Kahale|Keoni Akana|Nguyen Thi Lan|Tran Van Minh|
Pham Quoc Bao|Siti Nurhaliza|Budi Santoso|Maricel Dizon|Jericho Bautista|
Arjun Venkataraman|Lakshmi Subramanian|Harpreet Sandhu|Gurpreet Dhillon|Sanjay Chatterjee|
Farhan Chowdhury|Nasrin Akter|Zainab Qureshi|Bilal Siddiqui|Gulnara Abdullaeva|
Aigerim Nurlanovna|Temirlan Bekov|Bolat Serikbayev|Dilnoza Karimova|Rustam Yusupov|
Şebnem Aydın|Cengiz Öztürk|Rojda Amed|Hêvî Zana|Arash Tehrani|Shirin Ebadi|
Yitzhak Ben-Ami|Noa Shalev|Layla Haddad|Youssef El Amrani|Khadija Benali|
Guðrún Sigurðardóttir|Þórir Magnússon|Eluned Pritchard|Siôn Llewelyn|Aoife Ní Bhriain|
Cathal Mac Giolla|Iñaki Etxeberria|Amaia Goikoetxea|Ville Mäkelä|Aino Heikkinen|
Ionuț Popescu|Bogdana Vasilescu|Zsófia Kertész|Levente Szabó|Dragana Jovanović|
Mirela Kovačević|Wei Zhang|Xiaoling Huang|Haruto Sato|Yui Tanaka|Min-jun Park|Seo-yeon Kim|
Ngozi Okonkwo|Babajide Adeyemi|Ama Mensah|Kofi Asante|Tsegaye Tadesse|Mulugeta Alemu
""".replace("\n", "").split("|")
_NAME_SOURCES = ("translit", "handwritten", "faker_latin")
# Latin-script Faker locales for the third source (their names are in the gazetteer: the
# comparison with the two held-out sources shows what the gazetteer is worth).
_LATIN_NAME_LOCALES = ("en_US", "de_DE", "es_ES", "fr_FR", "it_IT", "pl_PL", "nl_NL", "pt_BR")

_ADDRESS_LOCALES = (
    "en_AU", "en_CA", "en_IN", "en_NZ", "en_PH", "id_ID", "da_DK", "fi_FI", "sv_SE", "no_NO",
    "pl_PL", "cs_CZ", "hu_HU", "ro_RO", "hr_HR", "pt_BR", "es_MX", "es_AR", "es_CO", "de_AT",
    "de_CH", "fr_CA", "nl_BE", "sk_SK", "sl_SI", "en_MS", "es_CL", "fr_CH", "en_IE", "pt_PT",
    "it_IT", "vi_VN",
)  # fmt: skip
_HANDWRITTEN_ADDRESSES = (
    "2-3-1 Marunouchi, Chiyoda-ku, Tokyo 100-0005",
    "Flat 302, Sai Residency, 12th Main Road, Indiranagar, Bengaluru 560038",
    "Blk 123 Ang Mo Kio Ave 3, #05-67, Singapore 560123",
    "Rua das Flores, 123, apto 45, Pinheiros, São Paulo - SP, 01234-567",
    "14 Adeola Odeku Street, Victoria Island, Lagos",
    "Unit 5/27 Smith St, Fitzroy VIC 3065",
    "Apt 4, 12 Harcourt Road, Dublin 2, D02 XY45",
    "12 Teheran-ro 8-gil, Gangnam-gu, Seoul 06236",
    "Av. Insurgentes Sur 1602, Col. Crédito Constructor, 03940 Ciudad de México",
    "P.O. Box 48213-00100, Nairobi",
    "House 27, Road 11, Banani, Dhaka 1213",
    "Calle 93 #11-26, Bogotá",
    "ul. Marszałkowska 84/92 m. 15, 00-514 Warszawa",
    "Laugavegur 26, 101 Reykjavík",
    "Mannerheimintie 12 B 7, 00100 Helsinki",
    "Vinohradská 1511/230, 100 00 Praha 10",
    "Karl Johans gate 22, 0159 Oslo",
    "Strada Lipscani 18, București 030031",
    "4/15 Ponsonby Road, Grey Lynn, Auckland 1011",
    "35 Kingsway, Sandton, Johannesburg 2196",
    "Jl. Sudirman Kav. 52-53, Jakarta Selatan 12190",
    "221 Nguyễn Trãi, Phường 7, Quận 5, TP. Hồ Chí Minh",
    "Bağdat Caddesi No: 145 Daire 8, Kadıköy, İstanbul",
    "Kurfürstendamm 21, 10719 Berlin",
    "Avenida da Liberdade 110, 3º Esq, 1250-146 Lisboa",
)


def _translit_name(rng: random.Random, fakers: dict[str, Faker]) -> str:
    locale = rng.choice(_TRANSLIT_LOCALES)
    fake = fakers[locale]
    raw = f"{fake.first_name()} {fake.last_name()}"
    name = re.sub(r"[^\w' -]", "", unidecode(raw)).strip()
    return " ".join(part[:1].upper() + part[1:] for part in name.split())


def _name(rng: random.Random, fakers: dict[str, Faker], source: str) -> str:
    if source == "translit":
        return _translit_name(rng, fakers)
    if source == "handwritten":
        return rng.choice(_HANDWRITTEN_NAMES).strip()
    fake = fakers[rng.choice(_LATIN_NAME_LOCALES)]
    return f"{fake.first_name()} {fake.last_name()}"


def _address(rng: random.Random, fakers: dict[str, Faker]) -> tuple[str, str]:
    if rng.random() < 0.3:
        return rng.choice(_HANDWRITTEN_ADDRESSES), "address_handwritten"
    locale = rng.choice(_ADDRESS_LOCALES)
    return fakers[locale].address().replace("\n", ", "), f"address_{locale}"


def _phone(rng: random.Random, fakers: dict[str, Faker]) -> str:
    for _ in range(10):
        fake = fakers[rng.choice((*_ADDRESS_LOCALES, "en_GB", "de_DE", "fr_FR", "es_ES"))]
        try:
            number = fake.phone_number()
        except AttributeError:
            continue
        if sum(ch.isdigit() for ch in number) >= 8 and "x" not in number.lower():
            return number
    return "+44 7700 900417"


def _order(rng: random.Random) -> str:
    return f"ORD-{rng.randint(1_000_000, 9_999_999)}"


def _awb(rng: random.Random) -> str:
    return f"AWB-77300{rng.randint(10_000, 99_999)}"


def _carrier(rng: random.Random) -> tuple[str, str]:
    """A carrier tracking number with the words a customer puts before it."""
    shape = rng.randrange(4)
    if shape == 0:
        number = "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(16))
        return f"UPS {number}", number
    if shape == 1:
        number = "".join(rng.choice("0123456789") for _ in range(22))
        return f"tracking number {number}", number
    if shape == 2:
        number = f"RR{rng.randint(100_000_000, 999_999_999)}DE"
        return f"Sendungsnummer {number}", number
    number = "".join(rng.choice("0123456789") for _ in range(12))
    return f"sporingsnummer {number}", number


# fmt: off
# Each template: voice, text with {name} {first} {addr} {phone} {order} {awb} {carrier} slots.
_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("terse", "{order} not arrived. {name}, {phone}"),
    ("terse", "name {name}\naddr {addr}\n{order}"),
    ("terse", "change addr on {order} to {addr} pls. {name}"),
    ("terse", "{carrier} stuck. call {phone}"),
    ("polite", "Hello, my name is {name} and I'd like to check on {order}. Thank you!"),
    ("polite", "Good morning, could you please send the replacement for {order} to {addr}? "
     "Kind regards,\n{name}"),
    ("polite", "Dear support team,\n\nI am writing about parcel {awb}. The courier left a note "
     "for {name} but nobody by that name lives here. My number is {phone}.\n\n"
     "Best wishes,\n{first}"),
    ("polite", "Hi, this is {name}. I moved last week; my new address is {addr}. Could you "
     "update {order}? Thanks so much."),
    ("angry", "THIRD TIME I'm writing!!! {order} was supposed to come to {addr} and it went "
     "somewhere else. {name}. Call me {phone} NOW"),
    ("angry", "this is ridiculous. {carrier} says delivered, it was NOT. signed by {name}?? "
     "i dont know who that is"),
    ("angry", "Your driver gave my parcel to {name} next door without asking. {awb}. "
     "Unacceptable."),
    ("rambling", "so basically I ordered a jacket for my sister {name} (it's her birthday next "
     "week, she lives at {addr}) and the tracking for {awb} hasn't moved since Tuesday, "
     "and I also wanted to ask whether you can call her at {phone} before delivery because "
     "she works nights"),
    ("rambling", "ok so long story, I was away and my neighbour {name} said she'd take the box "
     "in but then {carrier} showed returned to sender?? order is {order} if that helps. "
     "anyway I'm back now"),
    ("typos", "hi my nmae is {name}, ordr {order} still not delivred, adress {addr}"),
    ("typos", "pls sned to {addr} insted, thx. {name} tel {phone}"),
    ("lowercase", "hey its {lname} again, still waiting on {order}. you can text me on {phone}"),
    ("lowercase", "can u deliver {awb} to {laddr} instead? the name on the door is {lname}"),
    ("emoji", "📦 {order} → {addr} please 🙏 thanks! – {name}"),
    ("emoji", "still nothing 😩 {carrier}. It's {name}, {phone} 📞"),
    ("non_native", "Hello, I am {name}, I am wait for my order {order} since two weeks. Please "
     "you can send to this address: {addr}"),
    ("non_native", "Good day sir, kindly assist. Parcel {awb} is for my brother {name}, he stay "
     "at {addr}, his phone {phone}."),
    ("non_native", "Sorry my english. My husband {name} make order {order}, we change house, "
     "new address {addr}."),
    ("german", "Hallo, hier ist {name}. Meine Bestellung {order} ist nicht angekommen. Bitte "
     "an {addr} liefern. Tel. {phone}"),
    ("spanish", "Hola, soy {name}. Mi pedido {order} no ha llegado, la dirección es {addr}. "
     "Mi teléfono: {phone}"),
    ("french", "Bonjour, je m'appelle {name}. Le colis {awb} devait arriver au {addr}. "
     "Merci de me rappeler au {phone}."),
    ("italian", "Buongiorno, sono {name}, il mio ordine {order} non è arrivato. Indirizzo: {addr}"),
    ("portuguese", "Olá, o meu nome é {name}. A encomenda {order} ainda não chegou. Morada: "
     "{addr}"),
    ("dutch", "Hoi, ik ben {name}. Pakket {carrier} is niet bezorgd op {addr}."),
    ("form", "Name: {name}\nAddress: {addr}\nPhone: {phone}\nOrder: {order}\nIssue: damaged"),
    ("form", "Recipient: {name} | {addr} | {phone} | ref {awb}"),
    ("third_party", "I'm ordering on behalf of {name}. Please deliver {order} to {addr}."),
    ("third_party", "The parcel should go to {name} at {addr}, not to me. {awb}"),
    ("third_party", "{name} picked up {awb} at the locker yesterday but says the box was empty."),
    ("mid_sentence", "Yesterday {name} from your team promised a call back about {order}."),
    ("mid_sentence", "Can you check whether {name} already collected {awb}? She was meant to."),
    ("sign_off", "Where is {order}? It's been 10 days.\n\n-- {name}"),
    ("sign_off", "Please cancel {order}.\nCheers,\n{name}\n{phone}"),
)
# fmt: on


def _row(rng: random.Random, fakers: dict[str, Faker], voice: str, template: str) -> dict:
    name_source = rng.choice(_NAME_SOURCES)
    name = _name(rng, fakers, name_source)
    address, address_source = _address(rng, fakers)
    phone = _phone(rng, fakers)
    order, awb = _order(rng), _awb(rng)
    carrier_text, carrier_number = _carrier(rng)
    values: dict[str, str] = {
        "name": name,
        "first": name.split()[0],
        "lname": name.lower(),
        "addr": address,
        "laddr": address.lower(),
        "phone": phone,
        "order": order,
        "awb": awb,
        "carrier": carrier_text,
    }
    text = template.format(**values)
    pii = []
    for slot, pii_type in (
        ("name", "PERSON"),
        ("lname", "PERSON"),
        ("addr", "STREET_ADDRESS"),
        ("laddr", "STREET_ADDRESS"),
        ("phone", "PHONE_NUMBER"),
    ):
        if "{" + slot + "}" in template:
            pii.append({"type": pii_type, "value": values[slot]})
    if "{first}" in template and "{name}" not in template:
        pii.append({"type": "PERSON", "value": values["first"]})
    keep = [order] * ("{order}" in template) + [awb] * ("{awb}" in template)
    keep += [carrier_number] * ("{carrier}" in template)
    sources = []
    if any(p["type"] == "PERSON" for p in pii):
        sources.append(f"names_{name_source}")
    if any(p["type"] == "STREET_ADDRESS" for p in pii):
        handwritten = address_source == "address_handwritten"
        sources.append(address_source if handwritten else "address_faker")
    return {
        "text": text,
        "pii": pii,
        "keep": keep,
        "source": "+".join(sources) or "ids_only",
        "voice": voice,
    }


def build(rows_per_template: int = 12) -> list[dict]:
    rng = random.Random(SEED)
    locales = set(_TRANSLIT_LOCALES + _LATIN_NAME_LOCALES + _ADDRESS_LOCALES)
    locales |= {"en_GB", "de_DE", "fr_FR", "es_ES"}
    fakers: dict[str, Faker] = {}
    for i, locale in enumerate(sorted(locales)):
        fakers[locale] = Faker(locale)
        fakers[locale].seed_instance(SEED + i)
    rows = []
    for voice, template in _TEMPLATES:
        for _ in range(rows_per_template):
            rows.append(_row(rng, fakers, voice, template))
    return rows


def main(write: Callable[[str], object] | None = None) -> int:
    rows = build()
    body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    OUT.write_text(body, encoding="utf-8")
    print(f"wrote {len(rows)} rows to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
