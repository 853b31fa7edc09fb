"""The words that make a claim: shipment states, entity statuses, actions, hedges and negation.

Why hand-written: no library maps "went missing" to a shipment state or knows that "I've
escalated" needs an escalation ticket in this turn's facts. A classifier trained on our own
sentences would be judged on them; a closed grammar fails visibly (an unknown claim word
rejects the sentence) instead of silently. Each pattern runs on the lowercased clause.
"""

from __future__ import annotations

import re

from app.platform.contract import ShipmentStatus as S

MOVING = frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELAYED})
ACTIVE = frozenset({S.LABEL_CREATED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELAYED})
DELIVERED = frozenset({S.DELIVERED, S.DELIVERED_DISPUTED})
SHIPPED = frozenset(set(S) - {S.LABEL_CREATED})


def _p(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


# State name -> (pattern, statuses that make it true). Order matters: earlier, more specific
# phrases are masked before later ones run ("out for delivery" is not "delivery").
STATES: tuple[tuple[str, re.Pattern[str], frozenset[S]], ...] = (
    (
        # Said with its own negation ("not with you yet", "no delivery yet"): true of a shipment
        # still on its way ("yet" promises it is coming: not of a lost or returned one), read
        # before "arrive" would be a future arrival.
        "not_delivered",
        _p(
            r"(?:not|n't) (?:yet )?(?:with you|there)(?: yet)?",
            r"no delivery yet",
            r"yet to (?:arrive|be delivered|reach you)",
            r"you (?:haven't|have not|'ve not|have yet to) (?:yet )?receive(?:d)?(?: it| them)?",
        ),
        ACTIVE,
    ),
    (
        "returned",
        _p(
            r"return(?:ed|ing)? (?:back )?to (?:the )?(?:sender|seller|shop|store|merchant|"
            r"warehouse|retailer|depot)",
            # "on its way back to you" comes to the customer: no return to the sender.
            r"(?:sent|send|shipped|going|gone|went|heading|travell?ing|on its way|bounced|came)"
            r" (?:it |them )?back(?! to you)(?! your way)",
            r"(?:found|made|making|finds) its way back",
            r"back to (?:the )?(?:sender|seller|warehouse|shop|store|retailer|merchant)",
            r"rts",
        ),
        frozenset({S.RETURNED}),
    ),
    (
        "label_created",
        _p(
            r"(?:shipping )?label (?:has been |was |is |got )?(?:created|printed|made|generated)",
            r"(?:waiting|waits|yet|still to be|ready) (?:to be )?(?:collected|picked up|dispatched|"
            r"shipped|handed (?:over )?to)",
            r"not (?:yet )?(?:been )?(?:collected|picked up|dispatched|shipped|sent out)",
            r"(?:has|have|had)n't (?:yet )?(?:been )?(?:collected|picked up|dispatched|shipped)",
            r"(?:has|have) not (?:yet )?(?:been )?(?:collected|picked up|dispatched|shipped)",
            r"(?:has|have)(?:n't| not) (?:yet )?picked (?:it|them) up",
            r"(?:has|have)(?:n't| not) (?:yet )?(?:passed|handed|given) (?:it |them )?(?:over )?"
            r"to",
            r"awaiting (?:collection|pick-?up|dispatch)",
            r"still (?:here )?with us",
            r"(?:still )?(?:at|with) (?:the )?(?:sender|seller|shop|store|retailer|merchant)"
            r"(?:'s)?",
            r"(?:still )?(?:needs|has|have|got) to (?:pick (?:it |them )?up|collect)",
            r"waiting for (?:the |a )?(?:courier|carrier|collection|pick-?up|driver)",
            r"waiting for (?:the |a )?[a-z_]+ to (?:collect|pick)",
            r"packed",
            r"(?:at|in) (?:the|our) (?:warehouse|seller's|store)",
            r"(?:being|been) (?:prepared|packed)",
            r"only (?:has|have) a (?:shipping )?label",
            r"has a shipping label",
        ),
        frozenset({S.LABEL_CREATED}),
    ),
    (
        "out_for_delivery",
        _p(
            r"out for deliver(?:y|ies)",
            r"on (?:the|its|a) (?:delivery )?(?:van|truck|vehicle|round)",
            r"with (?:the|a|your) (?:local )?(?:delivery )?driver",
            r"on (?:the|its) (?:final|last) (?:leg|stretch|mile)",
            r"last[- ]mile",
            r"out with (?:the )?(?:driver|courier)",
            r"out delivering",
            r"being delivered today",
            r"on board",
            r"driver has (?:it|your (?:parcel|package|order|item))",
            r"out with (?:the |your )?(?:[a-z_]+ )?(?:driver|courier)",
            r"loaded (?:for delivery|on(?:to)? (?:the|a) (?:van|truck|vehicle))",
        ),
        frozenset({S.OUT_FOR_DELIVERY}),
    ),
    (
        "disputed",
        _p(r"disput(?:e|ed|es)", r"investigat(?:ion|ing|ed)", r"being looked into by"),
        frozenset({S.DELIVERED_DISPUTED}),
    ),
    (
        "lost",
        _p(
            r"(?:declared |marked (?:as )?|reported |considered )?lost"
            r"(?: in (?:transit|the post|the network|the system))?",
            r"(?:went|gone|go|is|been|was|goes) missing"
            r"(?: in (?:transit|the post|the network|the system))?",
            r"missing",
            r"can(?:no|')t be (?:found|located|traced)",
            r"(?:couldn't|could not|can't|cannot|unable to) (?:locate|find|trace)",
            r"could(?:n't| not) be (?:found|located|traced)",
            r"(?:disappeared|vanished)(?: somewhere)?"
            r"(?: in (?:transit|the post|the network|the system))?",
            r"(?:gone|went|go|going) astray",
            r"untrace(?:able|d)",
        ),
        frozenset({S.LOST}),
    ),
    (
        "on_time",
        _p(
            r"on (?:schedule|time|track)",
            r"no delays?",
            r"(?:without|not) (?:any )?delay(?:s|ed)?",
            r"(?:is|are|'s|’s) not (?:running )?late",
            r"isn't (?:running )?late",
            r"as planned",
            r"as expected",
        ),
        frozenset({S.LABEL_CREATED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY}),
    ),
    (
        "delayed",
        _p(
            r"delay(?:ed|s)?",
            r"running (?:a (?:bit|little) |slightly |very |quite )?(?:late|behind)",
            r"held up",
            r"hold-?up",
            r"behind schedule",
            r"late",
            r"taking (?:a (?:bit|little) |slightly |much |a lot )?longer",
            r"(?:a (?:few |couple of )?days?|a (?:bit|little)|slightly) behind",
            r"slowed (?:\w+ )?down",
            r"stuck",
            r"slower than",
            r"pushed back",
            r"(?:new|revised|updated|later) (?:estimate|eta|delivery date)",
        ),
        frozenset({S.DELAYED}),
    ),
    (
        "moving",
        _p(
            r"in transit",
            r"on (?:its|it's|the) way",
            r"on route",
            r"en ?route",
            r"(?:is|'s|’s|are|still|currently|now) with (?:the |your )?(?:courier|carrier|"
            r"delivery (?:company|service)|shipping company)",
            r"(?:travell?ing|moving|heading|making its way|coming) (?:to|towards|your way|"
            r"along|through)",
            r"(?:travell?ing|moving) (?:with|via)",
            r"(?:is|'s|are|still) (?:still )?moving",
            r"making (?:good |steady )?progress(?: towards you)?",
            r"carrying (?:it|them)(?: over)?",
            r"courier has (?:it|your (?:parcel|package|order|item))",
            r"in (?:the )?(?:courier's|carrier's|_+'s|_+) hands",
            r"(?:somewhere )?between (?:the|a) (?:depot|hub|warehouse|facility)",
            r"arrived (?:at|in) (?:a|the) (?:[a-z_]+ ){0,2}(?:facility|centre|center|hub|depot)",
            r"scanned (?:at|in) (?:a|the) (?:[a-z_]+ ){0,2}(?:facility|centre|center|hub|depot)",
            r"(?:in|through) the (?:\w+(?:'s)? )?(?:network|system)",
            r"on its journey",
            r"(?:at|in|reached|left|through) (?:a|the) (?:[a-z_]+ ){0,2}"
            r"(?:facility|centre|center|hub|depot)",
            r"being (?:shipped|transported|sorted|moved)",
            r"on the move",
            r"in the post",
        ),
        MOVING,
    ),
    (
        "shipped",
        _p(
            r"(?:has |have |was |been |got )?(?:shipped|dispatched|posted|sent out)",
            r"picked up",
            r"collected by (?:the )?(?:courier|carrier|driver)",
            r"left (?:the|our) (?:warehouse|depot|facility)",
            r"left (?:us|the seller|the shop|the store)",
            r"handed (?:over )?to (?:the )?(?:carrier|courier)",
        ),
        SHIPPED,
    ),
    (
        "delivered",
        _p(
            r"(?:was|were|been|got|has|have|is|are|'s|’s|marked(?: as)?|shows(?: as)?|now)"
            r" (?:successfully |already |just )?delivered",
            r"delivered (?:on|at|to|yesterday|today|this|last|by|successfully|earlier)",
            r"deliver(?:ed|y) (?:was )?(?:completed|confirmed|made)",
            r"(?:completed|made|confirmed) (?:the )?deliver(?:y|ies)",
            r"made it (?:to you|to your (?:address|door|home|house)|home)",
            r"(?:it's|it is|it has got|it got) (?:already |now |finally )?there",
            r"(?:is|'s|are|now) at your (?:place|address|door|home|house|flat)",
            r"drop-?off (?:happened|was made|took place)",
            r"(?:has|have|had|was|already|just) (?:already |just )?arrived",
            r"arrived",
            r"turned up",
            r"(?:marked|shows|showing|lists|listed|has) (?:it|the parcel|your parcel|the package)"
            r" as delivered",
            r"got (?:there|to you|delivered)",
            r"(?:has |have )?reached (?:you|your (?:address|door|home|house|building)|"
            r"its destination|the destination)",
            r"dropped (?:off|at|in|outside)",
            r"(?:was|been|got) left",
            r"(?:left|leave|leaves|put|placed) (?:it |them )?(?:at|in|with|outside|on|by)"
            r" (?:the|your|a|an|our)",
            r"signed (?:for|by)",
            r"handed (?:over )?to (?:you|your)",
            r"handed over",
            r"(?:is|was|are) with you",
            r"you (?:have|'ve|already have) (?:it|received it|got it)",
            r"proof of delivery",
            r"delivery photo",
            r"photo (?:of|from) (?:the )?delivery",
            r"delivered",
        ),
        DELIVERED,
    ),
    (
        "arriving",  # a future arrival: true while the shipment is still on its way
        _p(
            r"arriv(?:e|es|ing)",
            # The noun only as an estimate: "arrival confirmed" says it has come.
            r"(?:estimated|expected|scheduled|planned|anticipated) (?:time of )?arrival",
            r"(?:be|get|gets|getting) (?:delivered|to you|there)",
            r"(?:get|gets|getting) (?:it|them) (?:to you|there)",
            r"deliver(?:s|ing)? (?:it|your|on|by|to)",
            r"reach(?:es|ing)? (?:you|your)",
            r"turn(?:s)? up",
            r"show(?:s)? up",
            r"land(?:s)?",
            r"(?:expected|due|scheduled|slated|estimated|planned|set|on track|likely)(?: to)?"
            r"(?: arrive| be delivered| land| reach you)?",
            r"eta",
            r"(?:delivery )?estimate",
            r"(?:will|should|'ll) be (?:with (?:you|u)|at your door|there)",
            r"(?:should|will|'ll|can expect to|ought to|might|may) (?:have|get|receive)"
            r" (?:it|them)",
            r"with (?:you|u) (?:by|on|tomorrow|today|tonight|in|within|soon|shortly)",
            r"delivery (?:is )?(?:date|window|day|slot)",
        ),
        ACTIVE,
    ),
)

# Modality that turns "delivered" from a report into an expectation.
FUTURE = re.compile(
    r"\b(?:will|'ll|’ll|shall|should|expected|expect|due|scheduled|estimated|likely|may|might|"
    r"could|going to|gonna|set to|on track to|hope|hopefully|aim|anticipate|projected|would|be|"
    r"being)"
    r"\b(?:\W+\w+){0,3}\W*$"
)
FUTURE_WORD = re.compile(
    r"\b(?:will|'ll|should|expect\w*|due|going to|gonna|ought to|aim(?:s|ing)?|meant to|"
    r"supposed to|slated|look out for|on track)\b"
)
NEGATION = re.compile(
    r"\b(?:not|no|never|no longer|yet to|no sign|nothing|failed to|unable to|without)\b|n't\b|n’t\b"
)
# A clause that is a condition, a question, an offer or an instruction asserts nothing.
HYPOTHETICAL = re.compile(
    r"^\W*(?:and |but |so |or |then )?(?:if|unless|in case|once|when|whenever|as soon as|"
    r"until|till|should it|should you|in the event|whether|let me know|tell me|please)\b"
)
QUESTION = re.compile(r"\?\s*$")

# ------------------------------------------------------------------ refunds, returns, tickets

ENTITY_NOUNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("refund", _p(r"refund(?:s|ed)?", r"reimburse(?:ment|d)?", r"money back", r"REF-\d+")),
    (
        "return",
        _p(
            r"(?:your|the|a|this|that|my) return(?: request)?(?! to)",
            r"return (?:request|label|shipment|parcel)",
            r"RET-\d+",
        ),
    ),
    (
        "ticket",
        _p(
            r"ticket",
            r"(?:support |your |a |the )case",
            r"complaint",
            r"TCK-\d+",
        ),
    ),
)
ENTITY_STATUS: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (
        _p(
            r"rejected",
            r"declined",
            r"denied",
            r"refused",
            r"turned down",
            r"not (?:been )?approved",
            r"unsuccessful",
        ),
        frozenset({"rejected"}),
    ),
    (
        _p(
            r"pending",
            r"being (?:processed|reviewed|looked at|handled)",
            r"processing",
            r"under review",
            r"in review",
            r"awaiting",
            r"waiting (?:for|on)(?: (?:approval|review|sign-off|a decision))?",
            r"in progress",
            r"(?:not|n't) (?:been )?(?:approved|settled|completed) yet",
        ),
        frozenset({"pending", "in_progress", "open", "approved"}),
    ),
    (_p(r"received", r"arrived back", r"got (?:it|them) back"), frozenset({"received"})),
    (_p(r"closed", r"resolved", r"sorted"), frozenset({"closed"})),
    (
        _p(r"open(?:ed)?", r"raised", r"logged", r"created", r"filed", r"on file"),
        frozenset({"open", "in_progress", "pending", "approved", "received", "closed"}),
    ),
    (
        _p(
            r"approved",
            r"accepted",
            r"authori[sz]ed",
            r"confirmed",
            r"(?:went|gone|go) through",
            r"issued",
            r"processed",
            r"paid(?: out)?",
            r"completed",
            r"settled",
            r"credited",
            r"on (?:its|the) way",
            r"sent",
            r"granted",
            r"done",
        ),
        frozenset({"approved", "received"}),
    ),
)

# ------------------------------------------------------------------ actions the agent claims

FIRST_PERSON_ACTION = re.compile(
    r"\b(?P<who>i|we)\b(?P<aux>(?:\s*(?:'ve|’ve|'m|’m|'re|’re|'ll|’ll|'d|’d)|\s+(?:have|has|am|are|"
    r"had|will|shall|just|already|also|now|went ahead and|gone ahead and|go ahead and|"
    r"personally|quickly|immediately|successfully|going to|gonna|be|been|then|did)\b)*)"
    r"\s+(?P<verb>[a-z]+)"
)
# A clause that offers or asks asserts nothing: "Would you like me to escalate this?"
OFFER = re.compile(
    r"\b(?:(?:i|we) (?:can|could|would be happy to|'d be happy to|am happy to|'m happy to)|"
    r"would you like|do you want|want me to|shall i|should i|happy to|"
    r"if you (?:want|like|wish|'d like|would like|prefer))\b"
)
OFFER_AUX = re.compile(
    r"\b(?:can|could|would|'d be happy|am happy|'m happy|'d like|would like|am able|'m able|"
    r"may|might|want|wanna|offer|suggest|recommend|need your)\b"
)
ACTION_VERB = re.compile(
    r"^(?:start|init|issu|process|request|file|filed|rais|open|submit|sen[dt]|email|e-mail|text|"
    r"escalat|pass|passed|forward|contact|notif|arrang|book|schedul|cancel|refund|credit|report|"
    r"flag|log|creat|reach|reached|ask|told|tell|spok|call|chas|rerout|reship|replac|"
    r"order|appl|approv|lodg|put|set|sort|fix|handl|get|got|organi|expedit|upgrad|authori|"
    r"compensat|lodg|chase|mail|messag|ping|alert|inform|hand|transferr?|refer|trigger|queue|"
    r"made|make|push|add|waiv|issue|void|dispatch|ship|redeliver|claim|investigat|dropp|shot)"
)
# Passive or third-person statements that an action was (or will be) done for the customer.
DONE_FOR_YOU: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "escalate",
        _p(
            r"(?:has|have|been|was|is being) (?:now )?escalated",
            r"(?:passed|handed|forwarded|referred|transferred|sent) (?:it |this |your \w+ )?"
            r"(?:on |over |along )?to (?:a |my |our |the )?(?:colleague|team|specialist|"
            r"supervisor|manager|human|agent|department)",
            r"(?:colleague|team|specialist|agent|someone|somebody|human|supervisor|manager|person|"
            r"staff)"
            r" (?:from \w+ )?(?:will|'ll|’ll|is going to|is about to|shall) (?:\w+ )?"
            r"(?:contact|call|email|reach|get back|look|be in touch|follow up|review|take)",
            r"(?:colleague|team|specialist|agent|someone|somebody|supervisor|manager|staff)"
            r"(?:'s| is| are) (?:now |already )?(?:looking into it|on it|on the case)",
            r"(?:ticket|case) (?:number )?(?:has been|was|is|is now|got) (?:opened|created|raised|"
            r"logged|escalated)",
        ),
    ),
    (
        "notify",
        _p(
            r"you(?:'ll| will| should| shall|’ll) (?:also )?(?:receive|get|be getting|be sent)"
            r" (?:an? |the |your )?(?:\w+ )?(?:email|e-mail|text|sms|message|notification|"
            r"confirmation|update)",
            r"(?:email|e-mail|text|sms|message|notification|confirmation)(?: \w+)? (?:has been|"
            r"was|is|is being|will be) (?:\w+ )?(?:sent|on its way|emailed)",
            r"(?:email|e-mail|text|sms|message|notification|confirmation)(?: \w+){0,3}"
            r" (?:has gone|went|has been sent|was sent) out",
            r"(?:sent|emailed|texted) (?:you|to you|to your)",
            r"check your (?:inbox|email|phone|texts|messages)",
        ),
    ),
    (
        "refund",
        _p(
            r"(?:refund|money) (?:has been|was|is being|will be|is now|got) (?:\w+ )?"
            r"(?:started|initiated|issued|processed|sent|approved|credited|arranged|requested)",
            r"you(?:'ll| will|’ll) (?:\w+ ){0,2}(?:get|receive|be getting) (?:your |a |the )?"
            r"(?:full |partial )?(?:refund|money back)",
            r"(?:your )?money (?:is |will be |has been |was )?(?:\w+ ){0,4}back",
            # "it's been refunded", "you were refunded": the refund said to be done.
            r"(?:has|have|had|'s|’s|is|are|was|were|been|got|get|be|being) (?:\w+ )?refunded",
        ),
    ),
    (
        "return",
        _p(
            r"return (?:has been|was|is being|will be|is now) (?:\w+ )?(?:started|initiated|"
            r"booked|arranged|created|set up|approved)",
            r"return label (?:has been|was|is|will be) (?:\w+ )?(?:sent|emailed|created|attached)",
        ),
    ),
)


def _start(*alternatives: str) -> re.Pattern[str]:
    """Alternatives anchored at the clause start ("Escalated.", "just emailed u")."""
    head = r"^\W*(?:i |we )?(?:just |already |have |'ve |also |went ahead and )*"
    return re.compile(head + "(?:" + "|".join(alternatives) + r")\b")


# An action stated without a subject: "Refund started.", "Escalated.", "just emailed u".
BARE_ACTION: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "refund",
        _p(
            r"refund(?:s)? (?:has been |was |is |now |been )?(?:started|initiated|issued|"
            r"processed|sent|requested|submitted|arranged|raised|done|on its way)",
        ),
    ),
    ("refund", _start(r"refunded")),
    ("escalate", _start(r"escalated", r"passed (?:it |this )?on", r"forwarded")),
    (
        "escalate",
        _p(
            r"(?:ticket|case|escalation) (?:has been |was |is |now )?(?:opened|raised|created|"
            r"logged|submitted|done)",
        ),
    ),
    ("notify", _start(r"e-?mailed", r"texted", r"messaged", r"notified")),
    (
        "notify",
        _p(
            r"(?:e-?mail|text|sms|message|notification)s? (?:has been |was |is |now |been )?"
            r"(?:sent|on its way|out)",
        ),
    ),
    (
        "other",
        _start(
            r"contacted",
            r"reported",
            r"filed",
            r"cancell?ed",
            r"reshipped",
            r"rerouted",
            r"chased",
            r"called",
            r"arranged",
            r"booked",
        ),
    ),
)
# The object of an action word decides which write would prove it.
ACTION_OBJECT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("refund", _p(r"refund\w*", r"money back", r"reimburs\w*", r"credit\w*")),
    ("return", _p(r"return(?! to)\w*", r"label")),
    (
        "escalate",
        _p(
            r"escalat\w*",
            r"colleague\w*",
            r"team",
            r"specialist\w*",
            r"human",
            r"supervisor",
            r"manager",
            r"ticket",
            r"case",
            r"support",
            r"agent",
        ),
    ),
    (
        "notify",
        _p(r"e-?mail\w*", r"sms", r"texts?", r"message\w*", r"notif\w*", r"confirmation"),
    ),
)
CHANNEL_WORDS = {
    "email": _p(r"e-?mail\w*", r"inbox"),
    "sms": _p(r"sms", r"texts?", r"texted"),
    # Channels no notification tool sends on: said, they are never supported.
    "push": _p(r"push", r"in the app", r"app notification\w*"),
    "whatsapp": _p(r"whatsapp"),
    "phone": _p(r"call(?:ed)? you", r"phoned? you", r"rang you", r"voicemail"),
}

# Words naming events or promises the checker has no fact for: fail closed unless the facts'
# own text contains the word (a timeline description such as "weather disruption at hub").
UNMODELLED = _p(
    r"damaged?",
    r"broken",
    r"stolen",
    r"theft",
    r"customs",
    r"dut(?:y|ies)",
    r"tax(?:es)?",
    r"fees?",
    r"surcharge",
    r"compensat\w*",
    r"vouchers?",
    r"coupons?",
    r"discount\w*",
    r"free",
    r"insur\w*",
    r"guarantee\w*",
    r"redeliver\w*",
    r"re-?rout\w*",
    r"redirect\w*",
    r"attempt\w*",
    r"missed",
    r"collection point",
    r"post office",
    r"pick(?:up)? point",
    r"cancel\w*",
    r"replacement\w*",
    r"reship\w*",
    r"exchange\w*",
    r"weather",
    r"storm\w*",
    r"snow\w*",
    r"strikes?",
    r"holidays?",
    r"neighbou?rs?",
    r"next[- ]door",
    r"concierge",
    r"lockers?",
    r"lobby",
    r"mail ?room",
    r"front desk",
    r"shed",
    r"porch",
    r"garage",
    r"mailbox",
    r"letterbox",
    r"backyard",
    r"garden",
    r"safe place",
    r"recipient",
    r"signature",
    r"wrong",
    r"faulty",
    r"defective",
    r"refunded",
    r"cancelled",
    r"expedit\w*",
    r"priority",
    r"prioriti[sz]\w*",
    r"urgent\w*",
    r"fast[- ]track\w*",
    r"(?:call|phone|ring) you",
    r"give you a (?:call|ring)",
    r"upgrad\w*",
    r"overnight",
    r"next[- ]day",
    r"express",
)
# What an action phrase may promise beyond the action itself ("escalated as a high-priority
# case", "a colleague will call you"): no tool output carries a priority, a deadline or a call.
PROMISES = _p(
    r"priority",
    r"prioriti[sz]\w*",
    r"urgent\w*",
    r"fast[- ]track\w*",
    r"expedit\w*",
    r"(?:call|phone|ring) you",
    r"give you a (?:call|ring)",
)
# What an offer or a promise may not hold out, whatever the facts: the agent has no tool that
# replaces, compensates, holds, redirects or reschedules a parcel, and no fact guarantees or
# automates an outcome ("I can arrange a free replacement", "I'll automatically refund you if
# it hasn't arrived by 8 pm", "you will be guaranteed a full refund").
BEYOND_OFFERS = _p(
    r"automatic\w*",
    r"guarantee\w*",
    r"replacement\w*",
    r"compensat\w*",
    r"discount\w*",
    r"vouchers?",
    r"coupons?",
    r"store credit",
    r"goodwill",
    r"(?:hold|redirect|re-?route|reschedul\w*|intercept|divert)\w* (?:the |your |it|this|that)",
    r"arrange for",
)
# Capitalised words a sentence may use without a fact (grammar, greetings, product words).
ALLOWED_NAMES = frozenset(
    """i i'm i've i'll i'd ok okay hi hello hey thanks thank sorry please eta utc gmt bst cet
    cest est edt et awb sku id pod faq dear yes no great good sure unfortunately""".split()
)

CARRIERS = (
    "ups",
    "fedex",
    "usps",
    "dhl",
    "gls",
    "postnl",
    "royal mail",
    "dpd",
    "evri",
    "hermes",
    "tnt",
    "amazon logistics",
    "amazon",
    "ontrac",
    "parcelforce",
    "yodel",
    "la poste",
    "colissimo",
    "chronopost",
    "bpost",
    "deutsche post",
    "canada post",
    "purolator",
    "aramex",
    "australia post",
    "poste italiane",
    "correos",
    "inpost",
    "hermes",
    "dx",
    "lasership",
    "dhl express",
)
CARRIER_PATTERN = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in CARRIERS) + r")\b")

# Words that carry no claim of their own: grammar, references to the parcel, courtesy, hedges.
# After every claim the checker can read is taken out of a sentence, what is left must be made
# of these (or of words the facts themselves contain, such as an item name or a city): a verb
# the grammar does not know ("it landed on your doorstep", "I popped a refund through") makes
# the sentence unverifiable, so it fails closed instead of passing unread.
NEUTRAL_WORDS = frozenset(
    """
    a an the and or but nor of to in on at by for from with within without into onto over under
    is are was were be been being am do does did done have has had having can could will would
    shall should may might must it its it's this that these those there here then than so as if
    i me my mine we us our ours you your yours u ur he she they them their theirs his her who
    whom which what when where why how all any each every some such only also just very more
    most about up down out off again once per via yes no not please s ve ll d re m t don doesn
    didn isn aren wasn weren hasn haven hadn won wouldn shouldn couldn can cannot let lets
    parcel parcels package packages order orders shipment shipments item items delivery
    deliveries consignment tracking number reference update updates status information info
    details detail record records system box stuff bits thing things purchase goods
    hi hello hey hiya thanks thank sorry apologies apologise apologize afraid unfortunately
    sadly regrettably great good news brilliant lovely luckily happy glad help hope hopefully
    worry worries panic understand frustrating inconvenience wait waiting patience appreciate
    welcome anything else know question questions dear customer regards kind best
    right now currently still already yet far moment according based looks look like seems
    seem appears appear show shows showing says say said see check checked confirm note latest
    recent most tbh lol btw rn ok okay yep yeah sure oh well
    definitely certainly really actually indeed though too quite bit little slightly fully
    tell told reply get touch keep eye anytime assist further need needs want
    days day time until till next few one coming way
    courier carrier company service handling handled handles shipping using
    came comes total totals amount amounts paid charged cost costs price
    marked expect expects expecting ought address door doorstep home house
    successfully safely presently nicely somewhere full team specialist support message copy
    behalf accept issue experiencing sitting ugh hmm fingers crossed gutted wish speak
    seller retailer sender shop store merchant got current open network system
    rest assured enjoy confirm confirms confirmed confirming journey ready
    since schedule scheduled
    atm yr
    """.split()
) | frozenset(
    # English epistemic hedges, as a class: they weaken the claim they wrap, which is still
    # read and checked ("I believe it was delivered" is a delivery claim).
    """
    think thinks believe believes reckon reckons guess suppose presume probably possibly
    presumably apparently seemingly maybe perhaps suggests suggest indicates indicate
    """.split()
)

# Claim words a hurried writer misspells ("parcle", "tranist", "arrvied"). An unread word one
# edit away from exactly one of them is read as it; the corrected sentence is checked in full.
TYPO_TARGETS = frozenset(
    """
    parcel package packages parcels order shipment delivery delivered deliver arrived arrive
    arriving transit shipped dispatched returned delayed missing collected received courier
    carrier tracking expected tomorrow yesterday today address refund approved
    """.split()
)

# Words that only qualify a claim the grammar read in the same clause ("expect the driver this
# afternoon", "proof of delivery is dated Monday", "it was meant to arrive Friday"): released
# beside a read claim, never on their own ("the driver is on his way" reads no claim, so its
# words stay unread and only a sure, true state releases them).
QUALIFIER_WORDS = frozenset(
    """
    scan scans dated timestamped yourself spent during via meant supposed aims aim aiming
    """.split()
)
# ("driver" and "van" are not among them: they make a moving parcel's claim one about the last
# leg, "the driver is on the way to you" is out for delivery, not in transit.)
