"""Order-domain words of other languages glossed into English before the case heads read a
message: "el tumbler llegó roto, quiero mi dinero" is read as "el tumbler arrived broken, i want
my money back".

Customers mix languages ("die sneakers sind zu klein, I want to send them back bitte"). The
shared encoder is English, so a request or a reason said in Spanish, Portuguese, French, German,
Italian, Dutch, Polish or romanised Hindi reaches the heads as noise. A glossary of the domain's
own words (refund, return, replacement, broken, late, lost, wrong, too small, changed my mind,
does not work, never arrived) is small, closed and reviewable, which a translation model in
this environment is not (none installs from PyPI with weights). Ids, amounts and item names are
untouched: only whole words and phrases listed here change, accents folded.
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.language.consent_lexicon import fold

# Longer phrases first at match time; every key is lowercase and accent-folded. Words that are
# also English ("rota", "vide") or another listed language's other word ("leer") are left out.
_GLOSSARY: dict[str, str] = {
    # --- asks: refund, money back
    "reembolso": "refund", "reembolsar": "refund", "reembolsen": "refund",
    "reembolsame": "refund me", "devuelvan el dinero": "give the money back",
    "devolucion del dinero": "money back", "mi dinero": "my money back",
    "quiero mi dinero": "i want my money back", "dinero de vuelta": "money back",
    "meu dinheiro": "my money back", "quero meu dinheiro": "i want my money back",
    "dinheiro de volta": "money back", "estorno": "refund", "reembolsado": "refunded",
    "rembourse": "refunded", "rembourser": "refund", "remboursement": "refund",
    "remboursez": "refund", "etre rembourse": "be refunded", "mon argent": "my money back",
    "ruckerstattung": "refund", "erstattung": "refund", "erstatten": "refund",
    "geld zuruck": "money back", "mein geld": "my money back", "rimborso": "refund",
    "rimborsare": "refund", "rimborsato": "refunded", "i miei soldi": "my money back",
    "terugbetaling": "refund", "geld terug": "money back", "mijn geld": "my money back",
    "zwrot pieniedzy": "refund", "zwrot": "refund", "moje pieniadze": "my money back",
    "paisa wapas": "money back", "paise wapas": "money back", "refund chahiye": "want a refund",
    "refund karo": "refund it", "refund kar do": "refund it",
    # --- asks: return
    "devolver": "return", "devolverlo": "return it", "devolverla": "return it",
    "devolverlos": "return them", "devolucion": "return", "quiero devolver": "i want to return",
    "quero devolver": "i want to return", "devolucao": "return",
    "renvoyer": "send back", "retourner": "return", "je veux renvoyer": "i want to send back",
    "retour": "return", "zuruckschicken": "send back", "zurucksenden": "send back",
    "zuruckgeben": "return", "rucksendung": "return", "zuruckgehen": "go back",
    "restituire": "return", "rispedire": "send back", "reso": "return",
    "terugsturen": "send back", "retourneren": "return", "odeslat zpet": "send back",
    "zwrocic": "return", "oddac": "return", "return karna hai": "want to return",
    "return karna": "return", "wapas karna": "return", "wapas bhejna": "send back",
    "vapas": "back", "wapas": "back",
    # --- asks: replacement
    "reemplazo": "replacement", "cambio": "exchange", "otro nuevo": "a new one",
    "substituicao": "replacement", "troca": "exchange", "remplacement": "replacement",
    "echange": "exchange", "ersatz": "replacement", "umtausch": "exchange",
    "sostituzione": "replacement", "cambio merce": "exchange", "vervanging": "replacement",
    "ruilen": "exchange", "wymiana": "exchange",
    # --- reasons: broken, damaged, does not work
    "roto": "broken", "rotos": "broken", "quebrado": "broken",
    "quebrada": "broken", "casse": "broken", "cassee": "broken", "kaputt": "broken",
    "defekt": "defective", "beschadigt": "damaged", "beschaedigt": "damaged",
    "rotto": "broken", "rotta": "broken", "danneggiato": "damaged", "kapot": "broken",
    "zepsuty": "broken", "uszkodzony": "damaged", "toot gaya": "broken", "tuta hua": "broken",
    "danado": "damaged", "danada": "damaged", "abollado": "dented", "abolladura": "dent",
    "endommage": "damaged", "abime": "damaged", "rayado": "scratched", "raye": "scratched",
    "no funciona": "does not work", "nao funciona": "does not work",
    "ne marche pas": "does not work", "ne fonctionne pas": "does not work",
    "funktioniert nicht": "does not work", "geht nicht": "does not work",
    "non funziona": "does not work", "werkt niet": "does not work", "nie dziala": "does not work",
    "kaam nahi karta": "does not work", "chal nahi raha": "does not work",
    # --- reasons: late, lost, never arrived
    "en retard": "late", "retrasado": "late", "retraso": "delay", "atrasado": "late",
    "verspatet": "late", "verspatung": "delay", "in ritardo": "late", "te laat": "late",
    "spozniony": "late", "perdido": "lost", "perdida": "lost", "se perdio": "got lost",
    "perdu": "lost", "verloren": "lost", "perso": "lost", "zgubiony": "lost", "kho gaya": "lost",
    "nunca llego": "never arrived", "no llego": "did not arrive",
    "no ha llegado": "has not arrived",
    "nao chegou": "did not arrive", "nunca chegou": "never arrived",
    "jamais arrive": "never arrived", "pas arrive": "not arrived", "pas recu": "not received",
    "nie angekommen": "never arrived", "nicht angekommen": "not arrived",
    "nicht erhalten": "not received", "mai arrivato": "never arrived",
    "non e arrivato": "has not arrived", "non arrivato": "not arrived",
    "nooit aangekomen": "never arrived", "niet ontvangen": "not received",
    "nie dotarl": "did not arrive", "nie dotarla": "did not arrive", "nahi aaya": "did not arrive",
    "nahi mila": "not received", "abhi tak nahi aaya": "has not arrived yet",
    # --- reasons: wrong item, empty, missing
    "equivocado": "wrong", "equivocada": "wrong", "errado": "wrong", "errada": "wrong",
    "mauvais": "wrong", "mauvaise": "wrong", "falsch": "wrong", "falsche": "wrong",
    "falschen": "wrong", "sbagliato": "wrong", "sbagliata": "wrong", "verkeerd": "wrong",
    "verkeerde": "wrong", "zly": "wrong", "galat": "wrong", "vacio": "empty", "vacia": "empty",
    "vazio": "empty", "vazia": "empty", "vuoto": "empty",
    "falta": "missing", "faltan": "missing", "manque": "missing", "fehlt": "missing",
    "manca": "missing", "ontbreekt": "missing",
    # --- reasons: size, changed mind, not needed
    "muy pequeno": "too small", "muy grande": "too big", "demasiado pequeno": "too small",
    "muito pequeno": "too small", "muito grande": "too big", "trop petit": "too small",
    "trop grand": "too big", "zu klein": "too small", "zu gross": "too big",
    "troppo piccolo": "too small", "troppo grande": "too big", "te klein": "too small",
    "te groot": "too big", "za maly": "too small", "za duzy": "too big",
    "cambie de opinion": "changed my mind", "mudei de ideia": "changed my mind",
    "change d'avis": "changed my mind", "j'ai change d'avis": "i changed my mind",
    "es uberlegt": "changed my mind", "cambiato idea": "changed my mind",
    "nicht mehr": "no longer", "ya no": "no longer", "nao preciso": "do not need",
    "no lo necesito": "do not need it", "no necesito": "do not need",
    "plus besoin": "no longer need", "brauche nicht": "do not need", "nahi chahiye": "do not want",
    # --- what came, and how: "veio na cor errada", "llegó rasgada", "no estaba en la caja"
    "llego": "arrived", "llegaron": "arrived", "chegou": "arrived", "chegaram": "arrived",
    "veio": "came", "vieram": "came", "vino": "came", "vinieron": "came",
    "angekommen": "arrived", "arrivato": "arrived", "arrivata": "arrived",
    "aangekomen": "arrived", "na cor errada": "in the wrong colour",
    "cor errada": "wrong colour", "outra cor": "another colour", "cor diferente":
    "different colour", "color equivocado": "wrong colour", "otro color": "another colour",
    "mauvaise couleur": "wrong colour", "falsche farbe": "wrong colour",
    "colore sbagliato": "wrong colour", "verkeerde kleur": "wrong colour",
    "rasgado": "torn", "rasgada": "torn", "rasgados": "torn", "rasgadas": "torn",
    "dechire": "torn", "dechiree": "torn", "zerrissen": "torn", "strappato": "torn",
    "strappata": "torn", "manchado": "stained", "manchada": "stained", "tache": "stained",
    "no estaba": "was not there", "nao estava": "was not there", "n'etait pas": "was not",
    "non c'era": "was not there", "caja": "box", "caixa": "box", "scatola": "box",
    "solamente": "only", "somente": "only", "seulement": "only", "soltanto": "only",
    "compre": "i bought", "comprei": "i bought", "gekauft": "bought", "comprato": "bought",
    "achete": "bought", "numero do pedido": "order number", "numero de pedido": "order number",
    # --- signed by someone else
    "firmo": "signed", "firmado": "signed", "assinou": "signed", "signe": "signed",
    "unterschrieben": "signed", "firmato": "signed", "getekend": "signed",
    # --- the parcel and the order
    "paquete": "package", "pedido": "order", "encomenda": "order", "colis": "parcel",
    "commande": "order", "paket": "parcel", "bestellung": "order", "pacco": "parcel",
    "ordine": "order", "pakket": "parcel", "bestelling": "order", "paczka": "parcel",
    "zamowienie": "order",
    # --- wanting
    "quiero": "i want", "quero": "i want", "je veux": "i want", "je voudrais": "i would like",
    "ich will": "i want", "ich mochte": "i would like", "voglio": "i want",
    "vorrei": "i would like", "ik wil": "i want", "chce": "i want", "chahiye": "want",
}  # fmt: skip


class Glossary:
    """Whole listed phrases (lowercase, accent-folded keys) replaced by their English, longest
    first; a text with none of them comes back unchanged."""

    def __init__(self, phrases: dict[str, str]) -> None:
        self._phrases = phrases
        ordered = sorted(phrases, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<![\w'])(?:" + "|".join(re.escape(p) for p in ordered) + r")(?![\w'])"
        )

    def __call__(self, text: str) -> str:
        folded = fold(text)
        lowered = folded.lower()
        # Offsets are taken on the lowered text; where lowering changed a length, it is the base.
        base = folded if len(lowered) == len(folded) else lowered
        out: list[str] = []
        last = 0
        for match in self._pattern.finditer(lowered):
            out.append(base[last : match.start()])
            out.append(self._phrases[match.group(0)])
            last = match.end()
        if not out:
            return text
        out.append(base[last:])
        return "".join(out)


@lru_cache(maxsize=1)
def _order_words() -> Glossary:
    return Glossary(_GLOSSARY)


def gloss(text: str) -> str:
    """`text` with listed foreign words and phrases replaced by their English (accents folded
    only where something was replaced: an all-English text comes back unchanged)."""
    return _order_words()(text)
