"""An agent's sentence in another language, glossed into the English the claim grammar reads.

The model answers a customer in their language ("Su paquete ha sido entregado."). The claim
grammar reads English only, so such a sentence used to fail closed whatever it said. Here the
phrases an order-support answer is made of (the parcel, its states, the day words, the actions
an agent reports) are listed per language, accent-folded, and replaced by their English; the
English sentence is then checked in full like any other (claims.py). A phrase not listed stays
foreign and its words stay unread, so a partial gloss still fails closed: nothing is released on
the strength of the glossary alone. Negations are not listed on purpose ("n'est pas perdu" keeps
"n'", "pas" unread) so a negated state is never read as the plain one.

Same mechanism as app/language/gloss.py (which glosses customers' requests for the router): a
closed, reviewable table, since no translation model installs in this environment.
"""

from __future__ import annotations

from functools import lru_cache

from app.language.gloss import Glossary

# Folded, lowercase phrase -> English. Longer phrases win at match time.
_GLOSSARY: dict[str, str] = {
    # --- the parcel, with its determiner
    "votre colis": "your parcel", "ton colis": "your parcel", "le colis": "the parcel",
    "votre commande": "your order", "su paquete": "your parcel", "tu paquete": "your parcel",
    "el paquete": "the parcel", "su pedido": "your order", "tu pedido": "your order",
    "il tuo pacco": "your parcel", "il suo pacco": "your parcel", "il pacco": "the parcel",
    "il tuo ordine": "your order", "ihr paket": "your parcel", "ihre sendung": "your parcel",
    "das paket": "the parcel", "die sendung": "the parcel", "ihre bestellung": "your order",
    "je pakket": "your parcel", "uw pakket": "your parcel", "het pakket": "the parcel",
    "je bestelling": "your order", "uw bestelling": "your order", "o seu pacote": "your parcel",
    "seu pacote": "your parcel", "o pacote": "the parcel", "o seu pedido": "your order",
    # --- moving
    "est en cours d'acheminement": "is in transit", "est en route": "is on its way",
    "est en chemin": "is on its way", "esta en camino": "is on its way",
    "esta en transito": "is in transit", "e in viaggio": "is on its way",
    "e in transito": "is in transit", "e in arrivo": "is on its way",
    "ist unterwegs": "is on its way", "ist auf dem weg": "is on its way",
    "is onderweg": "is on its way", "esta a caminho": "is on its way",
    "esta em transito": "is in transit",
    # --- out for delivery
    "est en cours de livraison": "is out for delivery", "est en livraison": "is out for delivery",
    "esta en reparto": "is out for delivery", "e in consegna": "is out for delivery",
    "ist in zustellung": "is out for delivery", "wird heute zugestellt": "is out for delivery",
    "wordt vandaag bezorgd": "is out for delivery", "saiu para entrega": "is out for delivery",
    # --- delayed
    "est retarde": "is delayed", "a du retard": "is delayed", "esta retrasado": "is delayed",
    "se ha retrasado": "is delayed", "e in ritardo": "is delayed",
    "hat sich verspatet": "is delayed", "ist verspatet": "is delayed",
    "is vertraagd": "is delayed", "esta atrasado": "is delayed",
    # --- delivered
    "a ete livre": "has been delivered", "est livre": "has been delivered",
    "ha sido entregado": "has been delivered", "fue entregado": "was delivered",
    "se entrego": "was delivered", "e stato consegnato": "has been delivered",
    "e stato recapitato": "has been delivered", "wurde zugestellt": "was delivered",
    "ist zugestellt": "has been delivered", "wurde geliefert": "was delivered",
    "is bezorgd": "has been delivered", "is afgeleverd": "has been delivered",
    "foi entregue": "was delivered",
    # --- lost
    "est perdu": "is lost", "a ete perdu": "has been lost", "se perdio": "was lost",
    "se ha perdido": "has been lost", "esta perdido": "is lost", "e andato perso": "was lost",
    "e stato perso": "was lost", "ist verloren gegangen": "has been lost",
    "ging verloren": "was lost", "ist verloren": "is lost", "is verloren gegaan": "was lost",
    "is kwijt": "is lost", "foi perdido": "was lost", "se perdeu": "was lost",
    # --- returned
    "a ete renvoye a l'expediteur": "was returned to the sender",
    "fue devuelto al remitente": "was returned to the sender",
    "e stato restituito al mittente": "was returned to the sender",
    "wurde an den absender zuruckgeschickt": "was returned to the sender",
    "is teruggestuurd naar de afzender": "was returned to the sender",
    "foi devolvido ao remetente": "was returned to the sender",
    # --- day words
    # ("hier" is left out: yesterday in French, here in German and Dutch.)
    "aujourd'hui": "today", "demain": "tomorrow", "hoy": "today",
    "manana": "tomorrow", "ayer": "yesterday", "oggi": "today", "domani": "tomorrow",
    "ieri": "yesterday", "heute": "today", "morgen": "tomorrow", "gestern": "yesterday",
    "vandaag": "today", "gisteren": "yesterday", "hoje": "today", "amanha": "tomorrow",
    "ontem": "yesterday",
    # --- courtesy
    "malheureusement": "unfortunately", "desafortunadamente": "unfortunately",
    "lamentablemente": "unfortunately", "purtroppo": "unfortunately", "leider": "unfortunately",
    "helaas": "unfortunately", "infelizmente": "unfortunately",
    # --- actions an agent reports
    "j'ai lance un remboursement": "i have started a refund",
    "j'ai demande un remboursement": "i have requested a refund",
    "he iniciado un reembolso": "i have started a refund",
    "ho avviato un rimborso": "i have started a refund",
    "ich habe eine erstattung veranlasst": "i have started a refund",
    "ik heb een terugbetaling gestart": "i have started a refund",
    "iniciei um reembolso": "i have started a refund",
    "he escalado su caso a un companero": "i have escalated your case to a colleague",
    "j'ai transmis votre dossier a un collegue": "i have escalated your case to a colleague",
    "ho inoltrato il tuo caso a un collega": "i have escalated your case to a colleague",
    "ich habe ihren fall an einen kollegen weitergeleitet": (
        "i have escalated your case to a colleague"
    ),
    "ik heb uw zaak doorgestuurd naar een collega": "i have escalated your case to a colleague",
    "encaminhei o seu caso a um colega": "i have escalated your case to a colleague",
}  # fmt: skip


@lru_cache(maxsize=1)
def _claim_words() -> Glossary:
    return Glossary(_GLOSSARY)


def gloss_claim(sentence: str) -> str:
    """`sentence` with listed phrases in English; unchanged when none is listed."""
    return _claim_words()(sentence)
