"""Clauses of a reply that are asides, judged by a trained model inside a hard gate.

"Yes, work away. And no need to be ringing me about it, the phone is banjaxed anyway" consents;
"yes, but hold off till after the weekend" does not. `consent_scope`'s rules set aside only the
asides they can prove (a declined channel, a past-tense story, an apology of a known shape), and
on replies written outside the project most asides have shapes no rule names: stories with
numbers in them, contact wishes with a reason attached, drop-off plans, life around the order.

Here a logistic regression over the clause's MiniLM embedding (its ids and amounts masked the
way the consent head's input is) scores how likely the clause is an aside. Its weights live in
`models/consent_asides.json`, written by `python -m app.language.train_consent_asides`, with the
leave-one-family-out figures its threshold was chosen on.

The model only ever proposes. A clause it may set aside must first pass `may_set_aside`, which
no score overrides: no question, no assent of its own, no id or money, no item of the order, no
outcome, payment or destination word, no condition, timing or quantity word, no sarcasm or
hedge cue (a return drop-off plan excepted), and no negation bound to the proposal ("don't do
it"). What is left of the reply is then read again by the consent head with every veto, so a
model mistake can only lose a yes, never make one out of a change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.language import consent_lexicon as other_languages
from app.language.consent_cues import (
    ASSENT_SIGNS,
    DATE,
    Veto,
    one_slip,
    read_cues,
    swapped,
)
from app.language.consent_terms import ProposalTerms
from app.language.foreign_assent import foreign_assent
from app.language.mentions import _IDS, _MONEY, normalise
from app.language.readable import in_another_language
from app.language.signatory import STAND_IN, denies_signer

if TYPE_CHECKING:
    from app.routing.embeddings import SentenceEncoder

ARTIFACT_PATH = Path(__file__).resolve().parent / "models" / "consent_asides.json"

_WORDS = re.compile(r"[a-z]+(?:['-][a-z]+)*")

# Words that put a clause inside the deal whatever the rest of it says: the outcome and the
# money, where it goes, which items and how many, when and on what condition, a change of mind,
# somebody else's say. Deliberately wide: a word here costs a yes, never a false accept.
_DEAL_WORDS = frozenset(
    # outcome, money, destination
    "refund refunds refunded refunding reimburse reimbursement return returns returned returning "
    "money cash amount price cost costs fee fees shipping postage pay paid payment charge "
    "charged chargeback card cards paypal account bank wallet transfer iban credit cred voucher "
    "coupon replacement replace replaced exchange swap new another other others else "
    "cancel cancelled canceled cancelling stop change changed mind dispute claim "
    "address label collect collects collected collection pickup pick-up "
    "dollar dollars quid bucks euro euros pound pounds rupees naira pesos rand "
    "gcash gpay venmo zelle mpesa m-pesa momo jazzcash easypaisa paytm upi pix alipay "
    # which and how many
    "only just except excluding exclude without half partial partly part full whole all both "
    "one ones pair pairs each rest remaining keep keeping kept hang retain double triple "
    "also plus extra more less include including add added as-well "
    # when and on what condition
    "if unless provided providing assuming condition conditions subject once until till til "
    "hold pause later soon asap otherwise min mins sec secs moment "
    # someone's say or doubt, the customer's own still to come, a change of course
    "decide decides deciding consult discuss confirm confirmation sure certain actually "
    "instead prefer preferred would should shouldn't oughta ought intend "
    "want wants wanted wish hope hoping expect expecting insist demand "
    "confused confusing unsure hesitant handles handle decline withdraw leave revert resolved "
    # other languages: refund, money, amount, only, instead, if, wait, card, account, exchange,
    # other, new, rather, keep, ask, also, after all
    "reembolso devolucion dinero monto solo solamente si espera esperar tarjeta cuenta cambio "
    "cambiar otra otro nuevo nueva prefiero quedo quedarme pregunto preguntar tambien mejor "
    "erstattung ruckerstattung geld betrag nur wenn warten karte konto statt umtausch tauschen "
    "andere anderen neue neu lieber behalte behalten frage fragen auch doch uberlegt falls "
    "sofern "
    "remboursement rembourser argent montant seulement attendez carte compte plutot echange "
    "echanger autre nouveau nouvelle prefere garde garder demande demander attendre aussi "
    "finalement "
    "rimborso soldi importo aspetta carta conto invece altra altro nuova nuovo preferisco tengo "
    "tenere chiedo chiedere aspettare anche piuttosto purche "
    "dinheiro somente cartao conta troca trocar outra outro nova novo prefiro fico ficar "
    "pergunto perguntar tambem "
    "terugbetaling bedrag alleen wacht wachten rekening ruil ruilen nieuwe nieuw houd houden "
    "vraag vragen ook toch als "
    "zwrot pieniadze kwota tylko jesli wymiana wymiane inna inny nowy nowa wole zostawiam "
    "zapytam poczekaj czekaj tez jednak "
    "iade tutar sadece eger bekle kart hesap degisim degistir baska yeni yenisini tercih "
    "sorayim bekleyin vazgectim".split()
)
# Words of time and sequence: a condition in a clause about what is to come ("after the
# weekend", "wait till Monday"), the story's own order of events in one that tells the past
# ("it didn't come on the Tuesday", "I waited until 6").
_DAY_WORDS = frozenset(
    "tomorrow tmrw tonight today weekend monday tuesday wednesday thursday friday saturday "
    "sunday morning afternoon evening after".split()
)
# "One" told of the past: "they sent red one", "I ordered blue one". "both", "all", "the whole",
# "the other" and the like stay deal words even in a story ("the whole order was wrong" asks
# for all of it), and so do "just" and "actually", which turn one ("actually the neighbour just
# had it"). A British "mind" closing a sentence ("it's mint mind") is no change of mind.
_STORY_QUANTITIES = frozenset("one ones mind".split())
# Asking, checking, thinking: someone's say still to come, unless the clause tells the past
# ("my kids have been asking every day", "I checked the box").
_DELIBERATION_WORDS = frozenset(
    "ask asking asked check checking checkin think thinking talk brb".split()
)
_SEQUENCE_WORDS = _DAY_WORDS | frozenset(
    "wait waiting waited first before next yet until till til when since week weeks month "
    "months".split()
)
# The errand's own times on a named day: "Saturday when he visits", "before my standup", "I think".
_ERRAND_TIMES = frozenset("when before think until till".split())
# A clause that tells what happened: a past verb, nothing that asks, wishes or plans.
_PAST_TELLING = re.compile(
    r"\b(?:was|were|did|didn't|didnt|had|hadn't|came|got|arrived|left|threw|broke|said|"
    r"went|took|turned|showed|knocked|rang|saw|found|waited|been|broken|torn|gone|stolen|lost|"
    r"bent|worn|shrunk|stuck|sent|brought|bought|thrown|given|taken|seen|grew|couldn't|couldnt|"
    r"[a-z]{3,}ed)\b"
)
_NOT_JUST_TELLING = re.compile(
    # "couldn't find the house" tells; "couldn't you just send one" asks.
    r"\b(?:will|'ll|ll|gonna|going to|can|could(?!n't|nt| not)|should|would|must|please|pls|"
    r"plz|kindly|let|(?:couldn't|couldnt|could not) (?:you|u|ya|ye)|"
    r"want|need|needs|shall|may|might)\b"
)
# Counterfactuals about the past tell a story too: "if I'd known", "I would not have ordered".
_COUNTERFACTUAL = re.compile(
    r"\b(?:if|had|se|wenn|si)\s+(?:i|we|i'd|id|ah'd|ah|we'd)\s*"
    r"(?:'d|had|hadn't|hadnt|knew|known|new|know|"
    r"avessi|gewusst|hubiera|avais)?\b[^.!?]*?(?:known|knew|new|know|saputo|gewusst|sabido|su)\b"
    r"|\b(?:would|wouldn't|wouldnt|could|i'd|id|we'd)\s+(?:not\s+|never\s+)?(?:have|of|'ve|ve)\b"
    r"|\b(?:would've|wouldve|could've|couldve|wouldn't've)\b"
    r"|\b(?:wenn ich|se io|se eu|si j'avais|si yo|se avessi|si hubiera)\b[^.!?]*?"
    r"\b(?:gewusst|saputo|soubesse|su|sabido)\b",
    re.IGNORECASE,  # "Had I known ..." opens a sentence
)
_UNREAL_MODALS = re.compile(r"\b(?:would|could|might|wouldn't|wouldnt|couldn't|couldnt)\b")
# Story forms of deal words, read as the story they are: "no one was home", "I've been waiting".
_STORY_FORMS = re.compile(
    r"\b(?:no one|no-one|been waiting|was waiting|were waiting|kept waiting|for before|"
    r"about before|earlier|next time|on hold|at all|all day|all week|all night|all morning|"
    r"all afternoon|all the time|the whole time|leave a card|left a card|left no card|"
    r"calling card|leave a note|left a note|not that i'll ever|not that i will ever|"
    r"(?:words|message|messages|rant|tone|shouting|rude|short|curt|harsh) before|before$|"
    r"never once|not you|not your fault|not on you|half the time|half of the time|"
    # A wish about how to be contacted, not about the deal: "text only please", "email rather
    # than a call", "hit me up on telegram if anything".
    r"(?:only )?(?:by|via|on|over) (?:email|e-mail|text|sms|phone|whatsapp|telegram|chat|"
    r"landline|mail|post)(?: only)?|(?:email|text|sms|whatsapp|telegram|chat|call|calls) only|"
    r"only (?:email|text|sms|whatsapp|telegram|chat)|rather than (?:an? )?(?:email|e-mail|call|"
    r"text|sms|phone call|calling|texting|ringing)|if (?:at all )?possible|if anything|"
    r"if (?:you|u|yuh|ya) (?:need|want) (?:anything|anyting|me|to reach me)|"
    # How to be reached, as a preference: "I prefer to communicate in writing", "better here by
    # writing", "correspondence here is quite sufficient".
    r"(?:(?:i|we)(?:'d| would)? )?(?:prefer|rather|like|want|better)(?: to)?(?: (?:communicate|"
    r"correspond|talk|chat|write|be contacted|be reached|deal with (?:it|this)))?(?: with you)? "
    r"(?:in writing|by writing|here(?: by writing| in (?:the |this )?chat)?|in (?:the |this )?chat|"
    r"by (?:email|e-mail|text|sms|chat|post|mail|letter|whatsapp))|"
    r"correspondence here|writing here|here by writing|(?:on|over|by) the (?:phone|telephone)|"
    # Habits with a channel: "I never check my inbox", "I don't do the texting".
    r"(?:don't|dont|do not|never|rarely|hardly(?: ever)?) (?:check|read|look at|use|do) (?:it|"
    r"(?:my |the )?(?:email|e-mail|emails|inbox|mail|messages|texts|texting|sms|whatsapp|phone|"
    r"voicemail|calls))|"
    # "rather curt", "rather poor": a degree, not a preference.
    r"rather (?=curt|short|rude|harsh|abrupt|blunt|sharp|cross|grumpy|snappy|poor|late|long|"
    r"bad|upset|annoyed|angry|frustrated)|"
    r"(?:apologise|apologize|sorry) if|"
    # Quantities of time, places and people, not of goods: "the whole house cannot sleep", "half
    # the parish is a Broussard", "since day one", "the other agent".
    r"(?:the )?whole (?:of )?(?:the )?(?:day|night|week|weekend|morning|afternoon|evening|month|"
    r"year|monday|tuesday|wednesday|thursday|friday|saturday|sunday|house|household|street|road|"
    r"block|village|town|city|county|parish|country|world|family|building|office|neighbou?rhood)|"
    r"half (?:of )?(?:the )?(?:everyone|everybody|people|parish|village|town|city|county|country|"
    r"world|street|neighbou?rhood)|since day one|from day one|the first day|one of those days|"
    r"next door|full stop|just now|the other (?:agent|chat|day|night|week|time|person|guy|lady|"
    r"operator|call|rep|representative|girl|man|woman|residents|neighbours|neighbors|tenants|"
    r"flats|houses|people|families)|"
    # The wrong item as it came: "they sent me a bag of seasoning instead of the crab boil".
    r"(?:sent|send|gave|delivered|shipped|got|received|came with|brought)\b(?:\s+\S+){0,8}?\s+"
    r"instead of|"
    # Courtesy: "that would be splendid".
    r"that (?:would|'d) be (?:splendid|great|lovely|wonderful|perfect|brilliant|fantastic|ideal|"
    r"grand|super|much appreciated|appreciated|kind|very kind))\b",
    re.IGNORECASE,
)
# Phrases that are deal words as a whole.
_DEAL_PHRASES = re.compile(
    r"\b(?:as long as|so long as|money back|not yet|not now|not today|hold on|hang on|let me|"
    r"on second thought|in that case|rather than|instead of|as well|the rest|of them|"
    r"of the(?! signer\b)|"
    r"that's it|thats it|that's all|thats all|is it|is that|leave it|forget it|never mind|"
    r"nevermind|i'm done|im done|how long|how many|how much|a minute|a sec|a second|"
    r"like i said|siempre que|desde que|pod warunkiem|a patto|a condition|sartiyla|"
    r"(?:said|says|say|told me|tells me|telling me)\s+(?:no|not to|don't|dont|to wait|wait)"
    # "the guard says no courier came": a witness to the story, not somebody's no.
    r"(?!\s+(?:one|body|courier|driver|delivery|deliveries|parcel|package|van|truck|such|"
    r"record|signature|knock|card|note|post|mail)\b)|"
    r"refused|disagree|disagrees|against it|"
    r"found it|(?:arrived|turned up|came|showed up|got here)(?:\s+\w+)?\s+(?:after all|"
    r"this morning|today|just now|in the end|finally|yesterday)|(?:has|have) since|"
    # "the parcel came after all", not "it arrived smashed".
    r"(?:it|parcel|package|box|order|item|delivery)\s+(?:has\s+|have\s+|just\s+|finally\s+|"
    r"actually\s+)*(?:arrived|came|turned up|showed up|got here)\b(?!\s+(?:with|broken|damaged|"
    r"smashed|late|crushed|wet|open|opened|torn|cracked|in|on|at|after|without|soaked|dented|"
    r"empty|missing|but|like|all|looking))|"
    r"not needed|no longer needed|not necessary|unnecessary|gift card|gift voucher|"
    r"(?:don't|do not|dont|not|didn't|didnt) understand|"
    r"no need\b(?!\s+to\s+(?:call|ring|phone|email|text|message|contact|write|be|follow up|"
    r"follow-up|get back|reply|respond|chase|update))|"
    r"i'd rather|would rather|rather have|rather you|rather get|(?:i|we) need|"
    r"(?:i|we) really need)\b"
    # Not sending something that is not a message is how the goods go ("don't send a courier").
    r"|\b(?:don't|dont|do not|no need to|not)\s+(?:send|sending)\b(?!(?:\s+\w+){0,3}?\s+"
    r"(?:text|texts|sms|email|emails|mail|message|messages|whatsapp|notification|notifications|"
    r"survey|surveys|newsletter|updates|letters|anything by)\b)"
)
# A negation bound to the proposal itself: "don't do it", "not that", "no, leave it".
_NEGATED_DEAL = re.compile(
    r"\b(?:no|not|never|don't|dont|do not|won't|wont|can't|cant|didn't|didnt|nah|nope)\b"
    r"(?:(?:\s+\w+){0,2}?\s+(?:do|doing|go ahead|go on|go through|go for|proceed|bother|start|"
    r"process|want|leave|forget)\b"
    r"|(?:\s+(?:do|want|need|process|refund|return|start|send|make|bother with))?\s+"
    r"(?:it|that|this|them)\b)"
)
# A wish about how to be reached: "contact me only by email", "text only please", "hit me up
# on telegram if anything", "ring the landline".
_CONTACT_WISH = re.compile(
    r"\b(?:contact|email|e-mail|text|txt|sms|call|ring|phone|message|msg|whatsapp|telegram|"
    r"reach|hit)\s+(?:me|us)\b|\b(?:email|text|sms|whatsapp|telegram|chat|calls?) only\b|"
    r"\bring the (?:landline|mobile|house phone)\b"
)
_LEADING_CONDITION = re.compile(
    r"^(?:and |but |so |just )?(?:after|once|when|whenever|until|till|til|before|as soon as|if|"
    r"unless|provided|providing|assuming|as long as|so long as)\b"
)
# A "when" still to come is a condition ("when I'm back from Spain"); a past one tells.
_WHEN_TO_COME = re.compile(
    r"\bwhen\b(?!(?:\s+\w+){0,2}?\s+(?:was|were|did|came|arrived|got|turned|showed|opened|"
    r"saw|found|took|left|broke|threw|said|rang|knocked|[a-z]{3,}ed)\b)"
)
# The words a clause may consent with; one that has them carries the answer, not an aside.
# Exact words only: the reader's own assent test forgives slips and counts "good", "go" and
# "right", which stories are full of ("he's ever so good to me").
_CONSENT_WORDS = frozenset(
    "y ya yah yeah yea yep yup yas yes yh yessir ok okay okey oki k kk sure fine alright "
    "aight proceed confirm confirmed agree agreed accept accepted approve approved consent "
    "authorise authorize affirmative absolutely definitely certainly aye roger wilco deal "
    "si oui ja sim tak vale claro dale adelante einverstanden d'accord daccord akkoord zgoda "
    "certo evet tamam".split()
)
# Bare assent that sarcasm and shrugs use as well ("sure, and I'm the Queen of England"):
# with a clause set aside by the model, what is left must say more than these.
_BARE_ASSENT = frozenset("y ya yah ok okay okey oki k kk sure fine alright aight deal".split())
_CONSENT_PHRASES = re.compile(
    r"\b(?:go ahead|go on|go for it|do it|do that|start it|start the|please do|pls do)\b"
    # "please do not call": a wish about calls, not a "please do".
    r"(?!\s+(?:not|n't)\b)"
)


def explicit_yes(text: str, terms: ProposalTerms | None = None) -> bool:
    """Whether the text says yes in more than a bare "ok" or "sure": a yes word, an explicit
    go, a consent verb, or (with the terms) the proposal's own action asked for ("refund it",
    "please start the return")."""
    words = _words(text)
    plain = " ".join(words)
    return (
        bool(set(words) & (_CONSENT_WORDS - _BARE_ASSENT))
        or bool(_CONSENT_PHRASES.search(plain))
        or (terms is not None and _asks_for_the_action(text, terms))
    )


# The proposal's own action, asked for: "refund it", "do the refund", "please start the return".
# Never the bare noun: "Oh great, refund. Exactly what I dreamed of" is sarcasm.
_ASKED_ACTION = {
    "refund": re.compile(
        r"^(?:(?:so|then|just|please|pls|and|ok|okay)\s+)*(?:(?:do|process|issue|make|send)\s+"
        r"(?:the|that|my|a)\s+refund|refund\s+(?:it|me|am|that|please|pls|them))"
        r"(?:\s+(?:please|pls|then|now|thanks|thank you|la|krub|ka|ah|lah|abeg|o))*$"
    ),
    "return": re.compile(
        r"^(?:(?:so|then|just|please|pls|and|ok|okay)\s+)*(?:(?:do|start|initiate|open|process|"
        r"begin|fire)\s+(?:the|that|my|a|da)?\s*return|return\s+(?:it|them))"
        r"(?:\s+(?:please|pls|then|now|thanks|thank you|la|krub|ka|ah|lah|abeg|o))*$"
    ),
}


def _asks_for_the_action(text: str, terms: ProposalTerms) -> bool:
    """Whether a sentence or clause of the text asks for exactly the proposal's action."""
    pattern = _ASKED_ACTION[terms.action]
    return any(pattern.match(" ".join(_words(part))) for part in re.split(r"[,.!;:\n]+", text))


# A return's drop-off place: the customer's plan for sending it back, not a term of the deal.
_DROP_OFF_PLACE = re.compile(
    r"\b(?:post office|postoffice|pickup point|pick-up point|parcel shop|parcel locker|locker|"
    r"drop-off point|drop off point|depot|courier office|aus post|royal mail|usps|ups store|"
    r"correos|la poste|poczta|packstation|paketshop|pakketpunt|cargo|access point|kiosk|"
    r"drop box|dropbox|drop-box|post box|postbox|canada post|australia post|an post|postnl|"
    r"parcelforce)\b"
    # A carrier's counter, where the goods are taken: "at the UPS", "to FedEx".
    r"|\b(?:at|to|into|in|via)\s+(?:the\s+|a\s+|an\s+)?(?:ups|fedex|dhl|evri|hermes|inpost|dpd|"
    r"gls|pargo|usps|posta|poste)\b"
)
# A drop-off plan's own verbs, only with where the goods go: "leave it in the locker", never
# "leave the backpack out".
_DROP_OFF_VERBS = re.compile(
    r"\b(?:leave|leaving|drop|dropping|take|taking)\b"
    r"(?=(?:\s+\S+){0,4}?\s+(?:at|in|into|to|with)\b)"
)
# "555" is Thai laughter (5 is "ha").
_LAUGHTER = re.compile(
    r"\b(?:lol|lmao|haha+|hehe|k{3,}|jaja+|rsrs|5{3,})\b|😂|🤣|😆", re.IGNORECASE
)
# "on Thursday morning", "by Friday", "tmrw during lunch": when a drop-off happens.
_WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_DAY_PHRASE = re.compile(
    rf"\b(?:(?:on|by|this|next|after|before|during|at|over)\s+)?(?:the\s+|my\s+)?(?:{_WEEKDAYS}|"
    r"weekend|morning|afternoon|evening|work|tomorrow|tmrw|tmr|tonight|lunch|lunchtime|"
    r"lunch break|this week)\b"
)
# A drop-off on a named day: what else the plan says of when ("Saturday when he visits",
# "Thursday before my 8am standup") is the customer's errand, not a wait we are asked for.
_NAMED_DAY = re.compile(
    rf"\b(?:{_WEEKDAYS}|tomorrow|tmrw|tmr|tonight|today|this week|this weekend)\b"
)
# "but", "though", "when", "before" in a story; any other condition, in any language, stays.
_STORY_CONNECTIVES = re.compile(
    r"\b(?:but|though|tho|although|however|anyway|when|before|after|first|ma|mais|aber|pero|"
    r"maar|mas|ale|ama)\b"
)
# A number in a story is a time ("3 weeks", "at 6am", "2 hours on hold"); any other is a count
# or an amount the deal could turn on ("3 were missing not 1", "the 2 plates").
_QUANTITY = re.compile(
    r"(?<![\d:])\b\d+(?:[.,]\d+)?\b(?![:\d-])(?!\s*(?:"
    # a time or a date
    r"am|pm|a\.m|p\.m|h|hrs?|hours?|mins?|minutes?|days?|nights?|weeks?|weks?|wks?|months?|"
    r"years?|yrs?|o'clock|th|st|nd|rd|semanas?|dias?|tage?n?|jours?|giorni|dagen|dni|gun|hafta|"
    # people, pets and their ages, and how often something happened
    r"kids?|children|child|daughte?rs?|sons?|babies|baby|dogs?|cats?|grandchildren|years old|"
    r"times?|calls?|chats?|emails?|messages?|promises?|orders?|attempts?|tries|places|pieces|"
    r"enfants|ninos|hijos|kinder|figli|kinderen|dzieci|cocuk)\b)"
)
# What is wrong with the proposal's own item, said in the present: "that jacket leaks some bad",
# "the lamp flickers", "the shoes are too tight". The reason for the deal, not a term of it.
_FAULT = re.compile(
    r"\b(?:broken|broke|leaks|leaking|leaky|cracked|snapped|faulty|defective|damaged|ripped|"
    r"torn|stained|smashed|shattered|scratched|dented|bent|chipped|wobbly|wobbles|flickers|"
    r"flickering|rattles|rattling|buzzes|overheats|smells|stinks|dead|useless|rubbish|junk|"
    r"too (?:small|big|large|tight|loose|short|long|narrow|wide|heavy|loud)|"
    r"(?:doesn't|does not|dont|don't|do not|won't|wont|didn't|did not) (?:fit|work|charge|"
    r"turn on|switch on|close|zip|stay on|connect|pair)|"
    r"stopped working|not working|wrong (?:size|colou?r|model|one|item)|not (?:the )?(?:as|like|"
    r"same)(?: as| like)? (?:described|the picture|the photo|pictured|advertised))\b"
)
# "no one at this address is the signer": where the signer is not.
_WHERE_THE_SIGNER_IS_NOT = frozenset({"address"})
_GUESS = re.compile(r"\b(?:maybe|perhaps|probably|possibly|might|i think|i guess|i suppose)\b")
_AGE = re.compile(r"\b(?:turns|turned|turning|aged|age)\s+\d+\b")
# Numbers that count no goods: a rating ("10/10"), the radio's "10-4", a measurement ("40°C",
# "within 8 m of the door").
_NOT_A_COUNT = re.compile(
    r"\b\d+/10\b|\b10-4\b|\b\d+(?:[.,]\d+)?\s*(?:°\s*[cf]?|degrees?|m|km|cm|mm|metres?|meters?|"
    r"kilometres?|kilometers?|miles?|feet|ft|yards?|mph|km/h|kmh)(?!\w)"
)
# "Smith?", "Returned to sender?": the proposal's own words echoed in surprise before the answer
# ("Smith? Never heard of him. Yes, refund it"). Up to four words, each the proposal's or a
# linking word, none a question word; a deal word echoed ("Refund?") still stays.
_ECHO = re.compile(r"^[^?]*\?[?!]*$")
_ECHO_LINKS = frozenset("a an the by to at on of".split())
_QUESTION_WORDS = frozenset(
    "what why how who whom whose which where when really seriously is are am was were do does "
    "did can could will would shall should may might must have has had isnt arent dont doesnt "
    "didnt cant wont you it that this me".split()
)
# "not the socks": a thing taken out of the deal.
_NOT_THE_THING = re.compile(
    r"\b(?:not|nt|no|but not)\s+(?:the|my|those|these|this|that)\b(?!\s+signer\b)"
)
# "97 please", "20 this time": a number said on its own is an amount or a count.
_BARE_NUMBER = re.compile(r"^\W*\d[\d.,]*\W*(?:\w+\W*){0,2}$")
# "and the steamer basket": a thing added to the deal, named without a verb.
_ADDED_THING = re.compile(
    r"^(?:and|plus|also|with|n|&)\s+(?:the|my|a|an|both|those|these|that|some)\b"
)
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|did|does|do|came|got|left|threw|broke|said|"
    r"went|took|made|put|sat|who|which|never|always|doesn't|didn't|won't|[a-z]{3,}ed|"
    r"[a-z]{3,}ing)\b"
)
_NEGATORS = frozenset(
    "no not never don't dont won't wont nah nope nothing none nobody kein nicht nein pas non "
    "nao nie niet geen nee nej hayir".split()
)
# A return's own logistics said as the customer's plan: "I'll drop the boots at the post office".
_DROP_OFF_PLAN = re.compile(
    r"\b(?:i'll|i will|ill|i shall|i'm going to|im going to|i am going to|i go|gonna|will|"
    r"she'll|he'll|we'll|they'll)\b"
    r"(?:\s+\w+){0,3}?\s+(?:drop|take|bring|post|ship|pop|walk|give|leave|pack|carry|run|drag|"
    r"send)\b"
    # Said without its subject: "dropping it at UPS tmrw", "droppin it off Saturday".
    r"|^(?:and\s+|so\s+|then\s+)?(?:dropping|droppin|taking|takin|bringing|bringin|posting|"
    r"shipping|mailing|sending|popping|walking)\s+(?:it|them|em|the|this|these|those|er)\b"
)
# Vetoes a clause may raise of its own and still be set aside: a story's negation, its "but" or
# "when", its numbers ("waited 3 weeks"). The rest are about the deal.
_TOLERATED = frozenset({Veto.NEGATION, Veto.CONDITION, Veto.OTHER_NUMBER, Veto.NO_ASSENT})


def _words(clause: str) -> list[str]:
    return _WORDS.findall(other_languages.fold(normalise(clause)).lower())


def singular(word: str) -> str:
    """Plural and singular alike: "mats" is "mat", "boxes" is "box", "bags" is "bag"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")) and len(word) > 4:
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _item_words(terms: ProposalTerms, *, other: bool = False) -> set[str]:
    names = terms.other_item_names if other else terms.item_names
    return {singular(w) for n in names for w in _WORDS.findall(n.lower()) if len(w) > 2}


# Deal words long enough that a slip of the keys still reads as them ("onyl", "refnud"): two
# neighbours swapped, or for longer words one letter dropped or added ("insted"); a changed
# letter is not a slip here ("waited" is not "wanted").
# Indexed by length: a slip changes a word's length by one at most.
_SLIP_WORDS: dict[int, tuple[str, ...]] = {}
for _word in sorted(_DEAL_WORDS):
    if len(_word) >= 4:
        _SLIP_WORDS[len(_word)] = (*_SLIP_WORDS.get(len(_word), ()), _word)


def _names_deal_word(words: list[str], vocabulary: frozenset[str]) -> bool:
    if set(words) & vocabulary:
        return True
    return any(
        swapped(w, d) or (len(d) >= 6 and len(w) != len(d) and one_slip(w, d))
        for w in words
        if len(w) >= 4
        for n in (len(w) - 1, len(w), len(w) + 1)
        for d in _SLIP_WORDS.get(n, ())
        if d in vocabulary
    )


def may_set_aside(clause: str, terms: ProposalTerms) -> bool:
    """Whether the clause says nothing the deal could turn on: the gate no score overrides."""
    return blocking_reason(clause, terms) is None


def proven_aside(clause: str, terms: ProposalTerms) -> bool:
    """A clause the gate passes whose form makes it an aside, with no model needed: it tells
    the past ("the driver didn't even knock"), plans a return's drop-off ("I'll take the boots
    to the post office on Saturday") or says how to be reached ("text only please")."""
    return gate(clause, terms) == (None, True)


def blocking_reason(clause: str, terms: ProposalTerms) -> str | None:
    """Why the clause must stay in the reading, or None when the model may set it aside."""
    return gate(clause, terms)[0]


def gate(clause: str, terms: ProposalTerms) -> tuple[str | None, bool]:
    """The clause's blocking reason (None: it may be set aside) and whether its form alone
    proves it an aside, read in one pass."""
    reason, form = _read_clause(clause, terms)
    return reason, reason is None and form


def _read_clause(clause: str, terms: ProposalTerms) -> tuple[str | None, bool]:
    folded = other_languages.fold(normalise(clause)).lower()
    if foreign_assent(clause, terms) is not None:
        # "Ndiyo kabisa, rudisha pesa.": every word a plain go-ahead in its language.
        return "an assent of its own", False
    if in_another_language(clause):
        # The model reads English, and the deal's words are listed for few languages: a clause
        # in another language stays in the reading ("mi esposa dice que ni hablar", "esim
        # hayir diyor").
        return "another language", False
    # A date in a clause that tells the past is when it happened ("on 3 March I was in Split"):
    # a day, not a count; any other is when to act.
    if _PAST_TELLING.search(folded) and not _NOT_JUST_TELLING.search(folded):
        folded = DATE.sub(" ", folded)
    if _QUANTITY.search(_NOT_A_COUNT.sub(" ", _AGE.sub(" ", _LAUGHTER.sub(" ", folded)))):
        return "a number that is not a time", False
    echo = _is_echo(clause, terms)
    if (
        ("?" in clause and not echo)
        or "¿" in clause
        or _IDS.search(clause)
        or _MONEY.search(clause)
    ):
        return "a question, an id or money", False
    words = _words(clause)
    if not words:
        return "no words", False
    plain = " ".join(words)
    if (
        set(words) & _CONSENT_WORDS
        or _CONSENT_PHRASES.search(plain)
        or any(s in clause for s in ASSENT_SIGNS)
    ):
        return "an assent of its own", False
    told = bool(_PAST_TELLING.search(plain))
    unreal = _COUNTERFACTUAL.sub("story", plain)
    if unreal != plain:
        # Inside a counterfactual about the past, "it would take 3 weeks" is what would have
        # been, not what the customer wants now.
        unreal = _UNREAL_MODALS.sub("story", unreal)
    lowered = _STORY_FORMS.sub("story", unreal)
    words = _without_clitics(lowered)
    # "after I've checked with my husband": a clause led by a time or a condition sets one on
    # the answer beside it, whatever its tense.
    if _LEADING_CONDITION.match(lowered):
        return "a condition on the answer", False
    tells = told and not _NOT_JUST_TELLING.search(lowered)
    # "I don't know the signer", "no one here is named the signer": who signed is no term.
    signer = denies_signer(lowered)
    drop_off = terms.action == "return" and bool(
        _DROP_OFF_PLAN.search(lowered) or _DROP_OFF_PLACE.search(lowered)
    )
    on_a_day = drop_off and bool(_NAMED_DAY.search(lowered))
    # Its form makes it an aside: it tells the past, plans a drop-off, or says how to be reached.
    form = tells or drop_off or echo or signer or bool(_CONTACT_WISH.search(plain))
    # A drop-off plan may name the day it happens ("the post office on Saturday"), never a
    # wait ("when I'm back from Spain in three weeks" puts the return off).
    if tells or signer:
        vocabulary = _DEAL_WORDS - _STORY_QUANTITIES - _WHERE_THE_SIGNER_IS_NOT
    elif drop_off:
        # A British "mind" ends a remark ("weighs a ton mind"); it changes no plan.
        vocabulary = (_DEAL_WORDS - {"mind"}) | _DELIBERATION_WORDS | (_SEQUENCE_WORDS - _DAY_WORDS)
        if on_a_day:
            vocabulary = vocabulary - _ERRAND_TIMES
    else:
        vocabulary = _DEAL_WORDS | _DELIBERATION_WORDS | _SEQUENCE_WORDS
    if drop_off:
        # The plan's own verb and place ("leave it in the locker", "the pickup point") are how
        # the goods go back, not a change to the deal.
        lowered = _DROP_OFF_PLACE.sub("place", _DROP_OFF_VERBS.sub("plan", lowered))
        # "at some point this week": when the errand is done, not a wait.
        lowered = re.sub(r"\bthis week(?:end)?\b", "this day", lowered)
        words = _without_clitics(lowered)
    if _names_deal_word(words, vocabulary):
        return "a word of the deal", False
    # The proposal's own items may be told about ("the slippers were too tight") or taken to the
    # post office; any other item, or the proposal's own in any other clause, is the deal's.
    named = {singular(w) for w in words}
    own_item = named & _item_words(terms)
    faulted = bool(_FAULT.search(lowered))
    if named & _item_words(terms, other=True) or (own_item and not (tells or drop_off or faulted)):
        return "an item", False
    if _NOT_THE_THING.search(lowered) or _BARE_NUMBER.match(clause.strip()):
        return "a thing or a number taken out or said alone", False
    if _DEAL_PHRASES.search(lowered) or (
        _ADDED_THING.match(lowered) and not _VERBISH.search(lowered)
    ):
        return "a phrase of the deal", False
    if _WHEN_TO_COME.search(lowered) and not (tells or on_a_day):
        return "a time still to come", False
    if _NEGATED_DEAL.search(lowered):
        return "a negation bound to the proposal", False
    if (
        len(words) <= 3
        and set(words) & _NEGATORS
        and not _is_negated_feeling(words)
        and not _TOLD_NOTHING.search(lowered)
    ):
        return "a short negation", False
    # A drop-off plan's capitalised words are places ("the Post Office", "the UPS Access
    # Point"), not products: the order's other items are checked by name above.
    said = clause.lower() if drop_off else clause
    # Laughter beside a story laughs at the story ("my 2 daughters laughed at it lol"); any
    # other sarcasm cue stays.
    vetoes = read_cues(
        _STORY_FORMS.sub("story", _COUNTERFACTUAL.sub("story", _LAUGHTER.sub(" ", said))), terms
    ).vetoes
    if drop_off or tells or (signer and not _GUESS.search(lowered)):
        # "the driver probably came at lunch": a guess about what happened, not about the deal;
        # "I don't know the signer" says who is a stranger, and is no guess.
        vetoes = vetoes - {Veto.HEDGE}
    if echo:
        vetoes = vetoes - {Veto.QUESTION}
    if Veto.CONDITION in vetoes and not tells:
        # Only a story's "but" or "when" may stand in a clause that does not tell the past.
        bare = _STORY_CONNECTIVES.sub(" ", lowered)
        if drop_off:
            bare = _DAY_PHRASE.sub(" ", bare)
        if Veto.CONDITION in read_cues(bare, terms).vetoes:
            return "a condition", False
    if not vetoes <= _TOLERATED:
        return "a veto: " + ",".join(sorted(v.value for v in vetoes - _TOLERATED)), False
    return None, form


def _without_clitics(lowered: str) -> list[str]:
    """The words, each without its clitic: "tomorrow'd suit me", "card's cancelled"."""
    return [re.sub(r"'(?:d|ll|s|re|ve|m)$", "", w) for w in lowered.split()]


def _is_echo(clause: str, terms: ProposalTerms) -> bool:
    """Whether the clause only echoes the proposal's words back in surprise ("Smith??")."""
    if not _ECHO.match(clause.strip()):
        return False
    words = _WORDS.findall(other_languages.fold(normalise(clause)).lower())
    # The signatory echoed ("Rampersad?") reads as the stand-in the reply now holds.
    said = set(terms.said_words) | set(STAND_IN.split())
    return (
        0 < len(words) <= 4
        and not set(words) & _QUESTION_WORDS
        and all(w in said or w in _ECHO_LINKS for w in words)
        and any(w in said for w in words)
    )


# A short negation that tells what did not happen: "never got it", "saw nobody", "nothing came".
_TOLD_NOTHING = re.compile(
    r"\b(?:got|received|came|arrived|showed|turned|saw|knocked|rang|signed|delivered|heard|"
    r"called|left|dropped)\b"
)


# Words after "no"/"not" that make a short clause an answer, not venting ("not really", "no
# thanks", "not now", "no need"); anything else ("no instructions", "not impressed", "nobody
# came") vents.
_ANSWERING_AFTER_NEGATOR = frozenset(
    "thanks thank need more longer chance way today tomorrow please sorry really sure quite "
    "exactly that this them those these what fine good okay right yet anymore".split()
)


def _is_negated_feeling(words: list[str]) -> bool:
    filler = {"at", "all", "a", "the", "so", "but", "and", "though", "tho", "just"}
    rest = [w for w in words if w not in _NEGATORS and w not in filler]
    return bool(rest) and all(len(w) >= 4 and w not in _ANSWERING_AFTER_NEGATOR for w in rest)


@dataclass(frozen=True)
class AsideModel:
    coef: np.ndarray  # (EMBEDDING_DIM,), scaler folded in
    intercept: float
    threshold: float

    @classmethod
    def load(cls, path: Path = ARTIFACT_PATH) -> AsideModel:
        artifact = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            coef=np.asarray(artifact["coef"], dtype=np.float64),
            intercept=float(artifact["intercept"]),
            threshold=float(artifact["threshold"]),
        )

    def p_aside(self, embeddings: np.ndarray) -> np.ndarray:
        logits = embeddings.astype(np.float64) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))


class AsideJudge:
    """Which clauses of a batch of replies are asides: gate first, then one encoder call for
    every clause that passed it. Built per batch; `__call__` answers for the clauses it saw."""

    def __init__(
        self,
        model: AsideModel,
        encoder: SentenceEncoder,
        candidates: Sequence[tuple[str, ProposalTerms]],
        masked: Sequence[str],
    ) -> None:
        self._asides: set[tuple[str, ProposalTerms]] = set()
        verdicts = [gate(clause, terms) for clause, terms in candidates]
        self._asides = {c for c, (_, proven) in zip(candidates, verdicts, strict=True) if proven}
        gated = [i for i, (reason, proven) in enumerate(verdicts) if reason is None and not proven]
        if not gated:
            return
        p = model.p_aside(encoder.encode([masked[i] for i in gated]))
        self._asides |= {
            candidates[i] for i, score in zip(gated, p, strict=True) if score >= model.threshold
        }

    def __call__(self, clause: str, terms: ProposalTerms) -> bool:
        return (clause, terms) in self._asides
