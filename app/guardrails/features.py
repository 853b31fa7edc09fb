"""Cheap lexical features of a (normalised) message, next to the sentence embedding.

Each feature is one yes/no question about the text. None of them decides alone: the logistic
regression weighs them against the embedding, so "ignore my last message" (override verb, no
instructions) and "I'm a developer using your tracking API" (authority claim, benign ask) stay
ordinary, while the same words around a request for the system prompt do not.
"""

from __future__ import annotations

import re

from app.guardrails.name_words import looks_english
from app.guardrails.normalize import Normalized, deaccent

_I = re.IGNORECASE
_IM = re.IGNORECASE | re.MULTILINE

# Instructions that are about the assistant, not about the parcel ("delivery instructions").
_INSTRUCTIONS = (
    r"(?<!delivery )(?<!driver )(?<!courier )(?<!shipping )(?<!special )(?<!care )(?<!washing )"
    r"(?<!return )(?<!assembly )(?:instructions?|rules|directives?|guidelines|prompts?|guardrails|"
    r"restrictions|constraints|programming|system message|safety (?:rules|policies)|"
    r"polic(?:y|ies))\b"
    # ... unless they are the customer's own: "the instructions I left for the driver"
    r"(?! (?:i|we) (?:left|gave|wrote|put|added|sent|set)| for (?:the )?(?:driver|courier|"
    r"delivery|parcel|neighbou?r))"
)

_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "override_instructions": [
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass|abandon|discard|neglect|drop|scrap|ditch|"
            r"set aside|put aside|throw out|toss out)\b"
            r"[^.\n]{0,40}?\b(?:previous|prior|above|earlier|preceding|initial|original|all|any|"
            r"your|the|these|those|system|existing|current|old)\b[^.\n]{0,25}?\b" + _INSTRUCTIONS,
            _I,
        ),
        # "forget everything above", "ignore the above and ..."
        re.compile(
            r"\b(?:ignore|disregard|forget|scrap|drop)\b (?:everything|all|anything|whatever|the|"
            r"the text|what(?:ever)? (?:is|was|you (?:were|got)))? ?(?:above|before this|"
            r"said before|written above|you were (?:told|given|configured with))\b",
            _I,
        ),
        # The model's setup declared void: "your earlier prompt is cancelled", "previous
        # constraints lifted", "the guidance you got earlier is outdated"
        re.compile(
            r"\b(?:instructions|rules|guidance|guidelines|prompt|constraints|restrictions|"
            r"configuration|programming|directives|script)\b[^.\n]{0,30}?\b(?:is|are|were|"
            r"been|now)?\s?(?:cancell?ed|void|outdated|lifted|revoked|suspended|obsolete|no longer "
            r"(?:valid|apply|applies|in effect|in force)|null and void)\b|"
            r"\b(?:everything|all|whatever) you (?:were|have been|'ve been) (?:configured|"
            r"programmed|instructed|told|given)\b[^.\n]{0,30}?\b(?:void|cancell?ed|(?:no longer|"
            r"doesn't|does not|don't) appl(?:y|ies))\b",
            _I,
        ),
        re.compile(
            r"\b(?:new|updated|real|actual|revised) (?:instructions|task|rules|directive|"
            r"objective|system prompt)\b\s*[:\-]|\bnew (?:instructions|directive|policy|orders) "
            r"from (?:management|the (?:admin|developers?|company|boss|head office|team))\b|"
            r"\byour new (?:task|role|instructions|goal|purpose)\b|"
            r"\bfrom now on,? (?:you|your|respond|answer|act|only)\b|\bdo not follow "
            r"(?:your|the|any)\b|\binstead of (?:helping|answering|following)\b|\bstop being "
            r"(?:an?|the) (?:assistant|support|bot)\b",
            _I,
        ),
    ],
    "override_multilingual": [
        re.compile(
            r"\b(?:ignora|ignorar|ignorez|ignorer|ignoriere|ignorieren|olvida|olvidar|"
            r"oublie|oubliez|vergiss|vergessen|missachte|dimentica|esqueca|esquece|negeer|vergeet|"
            r"omite|salta|overslaan)\b[^.\n]{0,50}?\b(?:instrucciones|indicaciones|reglas|"
            r"consignes|regles|anweisungen|regeln|instruktionen|vorgaben|istruzioni|regole|"
            r"instrucoes|regras|instructies|regels|aanwijzingen|instructions)\b",
            _I,
        ),
        # Customers write in these too (see data/README.md): pl, cs, sv, da/no, tr, id/ms, ru, uk,
        # vi, Hinglish; matched on the accent-folded text.
        re.compile(
            r"\b(?:zignoruj|ignoruj|zapomnij|ignoruj(?:te)?|zapomen|ignorera|glom|strunta i|"
            r"ignorer|glem|yok say|gormezden gel|unut|abaikan|lupakan|abaikanlah|"
            r"bo qua|quen|bhool jao|bhul jao|ignore karo)\b[^.\n]{0,50}?"
            r"\b(?:polecenia|instrukcje|instrukcji|zasady|reguly|pokyny|instrukce|instruktioner|"
            r"instruktionerna|regler|reglerna|anvisningar|instruksjoner|instruksjonene|talimat\w*|"
            r"kural\w*|instruksi|aturan|perintah|huong dan|quy tac|chi dan|instructions|rules|"
            r"niyam|hidayat)\b",
            _I,
        ),
        # Verb last (Turkish, Hindi/Hinglish): "talimatlari yok say", "rules bhool jao"
        re.compile(
            r"\b(?:talimat\w*|kural\w*|instructions|rules|niyam|hidayat)\b[^.\n]{0,40}?"
            r"\b(?:yok say\w*|gormezden gel\w*|unut\w*|bhool jao|bhul jao|ignore karo)",
            _I,
        ),
        # Scripts with no word spaces (ja, zh, ko) or their own (ru, uk, ar): matched as written.
        re.compile(
            r"(?:игнорируй|игнорируйте|забудь|забудьте|не обращай внимания на|ігноруй|забудь)"
            r"[^.\n]{0,50}?(?:инструкци|правил|указани|інструкці|правил)|"
            r"(?:تجاهل|انس|تجاهلي)[^.\n]{0,40}?(?:التعليمات|القواعد|الأوامر|الإرشادات)|"
            r"(?:指示|ルール|命令|プロンプト|指令)[^。\n]{0,15}(?:無視|忘れ)|"
            r"(?:忽略|无视|忘记|忘掉|不要理会|忽視|無視)[^。\n]{0,20}?(?:指令|指示|规则|規則|说明|提示)|"
            r"(?:지시|규칙|명령|프롬프트)[^.\n]{0,15}(?:무시|잊어)|"
            r"システムプロンプト|系统提示|系統提示|시스템 프롬프트|системн\w* (?:промпт|подсказк|"
            r"инструкци)",
            _I,
        ),
        # "ignore" is also the French and Portuguese imperative
        re.compile(
            r"\bignore\b[^.\n]{0,30}?\b(?:precedentes|anteriores|toutes les|todas as|les "
            r"instructions|as instrucoes|tes consignes|vos consignes)\b",
            _I,
        ),
        re.compile(
            r"\b(?:prompt del sistema|mensaje del sistema|instrucciones del sistema|invite systeme|"
            r"prompt systeme|message systeme|instructions systeme|systemprompt|system-prompt|"
            r"systemanweisung|prompt di sistema|istruzioni di sistema|prompt do sistema|"
            r"instrucoes do sistema|systeemprompt|systeeminstructies|a partir de ahora|"
            r"a partir de maintenant|ab jetzt|ab sofort bist du|d'ora in poi|a partir de agora|"
            r"vanaf nu|modo desarrollador|mode developpeur|entwicklermodus|modalita sviluppatore|"
            r"modo desenvolvedor|ontwikkelaarsmodus)\b",
            _I,
        ),
    ],
    "fake_role_marker": [
        re.compile(
            r"\[\s*(?:system|sistema|systeme|admin|developer|assistant|tool|sys|note to "
            r"(?:the )?(?:ai|assistant))\s*(?:note|message|prompt|override|notice|instruction)?"
            r"\s*[:\]]|<\|?\s*(?:im_start|im_end|system|endoftext|begin_of_text|start_header_id|"
            r"end_header_id|eot_id|user|assistant)\s*\|?>|\[/?(?:system|inst|sys|admin|developer|"
            r"assistant|tool|system message|system note)\]|<<\s*/?sys\s*>>|"
            r"#{2,}\s*(?:instruction|system|response|new instructions?|admin)\b|"
            r"</?(?:system|assistant|developer|tool_result|tool_output|function_results?|"
            r"instructions?|admin|sys)>|\"role\"\s*:\s*\"(?:system|developer|tool)\"|"
            r"\b(?:begin|end|start) (?:of )?(?:system|admin|developer) (?:message|prompt|"
            r"instructions|override)\b",
            _I,
        ),
        re.compile(r"^\s*(?:system|developer|admin|tool|function|sys)\s*(?:message)?\s*:", _IM),
    ],
    "system_prompt_request": [
        re.compile(
            r"\b(?:show|reveal|print|display|repeat|output|tell|give|share|leak|dump|recite|"
            r"what (?:is|are|were)|list|write out|copy|paste|return|expose|spell out)\b"
            r"[^.\n?]{0,40}?\b(?:system prompt|system message|initial (?:prompt|instructions)|"
            r"hidden (?:prompt|instructions|rules)|your (?:instructions|prompt|rules|guidelines|"
            r"configuration|directives|programming|system prompt|original prompt|setup|"
            r"constraints)|developer (?:message|prompt|instructions)|pre-?prompt|internal "
            r"(?:rules|instructions|notes|guidelines|prompt)|(?:the )?(?:text|words|"
            r"instructions|prompt) (?:above|before this|you were given))",
            _I,
        ),
        re.compile(
            r"\bwhat were you (?:told|instructed|programmed)\b|\b(?:beginning|start) of "
            r"(?:this|the|our) (?:conversation|chat|prompt)\b|\brepeat (?:everything|all|the "
            r"text|the words) (?:above|before)\b",
            _I,
        ),
    ],
    "authority_claim": [
        re.compile(
            r"\b(?:i am|i'm|im|this is|speaking as|as) (?:the |a |an |your |one of the |the lead "
            r"|a senior )?(?:developer|dev|admin|administrator|sysadmin|engineer|system owner|"
            r"ceo|cto|owner of this (?:bot|system|platform|assistant)|supervisor|openai|anthropic|"
            r"security team|it department|moderator|creator|programmer)\b",
            _I,
        ),
        re.compile(
            r"\b(?:admin|administrator|developer|debug|maintenance|god|sudo|root|test|dev) "
            r"(?:override|mode|access|privileges|command)\b|\bsudo\b|\bauthori[sz]ation code\b|"
            r"\b(?:authori[sz]ed|approved|cleared) by (?:management|the admin|your (?:supervisor|"
            r"manager|developers?)|the developers?|head office)\b",
            _I,
        ),
    ],
    # Role-play framing on its own ("pretend", "imagine", "hypothetically") is common in benign
    # prompts; the jailbreak vocabulary is not. Two features let the model weigh them apart.
    "roleplay_framing": [
        re.compile(
            r"\bpretend (?:to be|you are|you're|that you)\b|\bact as (?:if you|an? |my |the )|"
            r"\byou are now\b|\byou're now\b|\brole-?play|\blet'?s play (?:a game|pretend)\b|"
            r"\bhypothetical(?:ly)?\b|\bimagine (?:you are|you're|that you|a world)\b|"
            r"\bsimulat(?:e|ion) (?:of )?(?:an?|the)\b|\balter ego\b|\bstay in character\b|"
            r"\bfrom now on,? (?:you are|you're|act|pretend)\b",
            _I,
        ),
    ],
    "jailbreak_vocabulary": [
        re.compile(
            r"\bdo anything now\b|\bjailbr[eo]a?k|\b(?:no|without (?:any )?)(?:restrictions|"
            r"limits|limitations|filters|censorship|rules|ethics|morals|guidelines)\b|"
            r"\bunfiltered\b|\buncensored\b|\bevil (?:ai|bot|assistant|twin|mode|confidant)\b|"
            r"\bopposite mode\b|\b(?:developer|god|unrestricted|dan|chaos) mode\b|"
            r"\b(?:doesn't|does not|don't|do not) (?:care about|follow|have) (?:any )?(?:rules|"
            r"policies|policy|restrictions|guidelines|ethics)\b",
            _I,
        ),
        re.compile(r"\bDAN\b"),  # "Do Anything Now", case-sensitive: "Dan" is a name
    ],
    "other_customer_data": [
        re.compile(
            r"\b(?:another|other|different|all|every|any|someone else'?s?|other people'?s?|"
            r"random) (?:customers?|users?|clients?|accounts?|buyers?|members?|people'?s?)'?s?\b"
            r"(?! service)",
            _I,
        ),
        re.compile(
            r"\b(?:orders?|address(?:es)?|details|data|info(?:rmation)?|history|phone numbers?|"
            r"emails?|records?|account|profile|refunds?)\s+(?:of|for|from|belonging to|on)\s+"
            r"(?:the )?(?:customer|user|account|client)?\s*(?:cus[-\s]?\d|<person>|id \d)",
            _I,
        ),
        re.compile(
            r"\b(?:de|del|du|des|von|van|di|dell'|do|da|vom)\s+(?:la\s+|de\s+|der\s+)?"
            r"(?:cliente|client|kunden?|klant|utente|usuario|usuário|customer)\s+cus[-\s]?\d|"
            r"\bbelongs to (?:my neighbou?r|someone else|another (?:customer|person)|a friend)\b|"
            r"\bwho else (?:ordered|bought|purchased|returned|has)\b|\b(?:the )?(?:customer|person|"
            r"user|caller|people) (?:before|after|ahead of) me\b",
            _I,
        ),
        re.compile(
            r"\b(?:address|phone(?: number)?|e-?mail|name|details|card|orders?)\b[^.\n]{0,20}?\b"
            r"(?:of|for|on) (?:the person|the customer|whoever|someone|the buyer|the recipient|the "
            r"owner|the people|the sender)\b(?! (?:service|support))|\b(?:my neighbou?r'?s|someone "
            r"else'?s|a stranger'?s|another person'?s) (?:order|parcel|account)\b",
            _I,
        ),
        re.compile(
            r"\b(?:list|dump|export|show|give|send|download|extract|print)\b[^.\n]{0,30}?"
            r"\b(?:all|every|the whole|the entire|the full) (?:customers?|users?|accounts?|"
            r"customer (?:list|base|database|records)|database|table|orders in)\b|"
            r"\b(?:customer|user) (?:database|table|list|records)\b",
            _I,
        ),
    ],
    "refund_redirect": [
        re.compile(
            r"\b(?:refund|transfer|send|wire|pay|credit|deposit|move)\b[^.\n]{0,40}?\b(?:to|into)"
            r"\s+(?:this|another|a different|the following|an external|my friend'?s?|a new|"
            r"this other|that)\s+(?:account|iban|wallet|card|bank|paypal)\b|\b(?:bitcoin|btc|"
            r"crypto|usdt|wallet address)\b",
            _I,
        ),
        re.compile(
            r"\b(?:refund|transfer|send|wire|pay)\b[^.\n]{0,12}?[$£€]\s?\d[\d,.]*[^.\n]{0,40}?"
            r"\bto\b[^.\n]{0,25}?(?:account|iban|<iban_code>|<credit_card>|card ending|wallet)",
            _I,
        ),
        re.compile(
            r"\b(?:approve|issue|process|grant|authori[sz]e)\b[^.\n]{0,20}?\brefunds?\b[^.\n]{0,40}?"
            r"\b(?:without (?:checking|verification|asking|approval|any)|regardless|no matter|"
            r"for (?:all|every)|immediately and)\b",
            _I,
        ),
    ],
    "tool_result_spoof": [
        re.compile(
            r"\b(?:tool|function|api|system|database|fraud[_ ]check|verification)[_ ]?(?:result|"
            r"output|response|call|returned|reply)s?\s*[:=]|\bobservation\s*:|<tool_(?:result|"
            r"response|output|call)>|\bfunction_(?:call|results?)\b|\btool_call\b|\[(?:tool|api|"
            r"function) (?:output|result|response)\]",
            _I,
        ),
        re.compile(
            r"\"(?:refund_approved|approved|is_eligible|eligible|fraud_(?:check|score|flag)|"
            r"verified|authori[sz]ed|override|tool_call|function_call|admin|is_admin|"
            r"skip_verification)\"\s*:|\"[a-z_]*(?:approved|authori[sz]ed|eligible|verified|"
            r"override|waived|skip_[a-z_]+|compensation_due)\"\s*:\s*true\b|"
            r"\b[a-z]+_[a-z_]+\s+(?:returned|result|output|responded|says)\s*[:=]",
            _I,
        ),
        re.compile(
            r"\b(?:fraud check|verification|identity check|security check|kyc)\s+(?:has\s+)?"
            r"(?:passed|complete[d]?|bypassed|succeeded|waived|cleared)\b|\b(?:pre-?approved|"
            r"approved|authori[sz]ed|verified|whitelisted) by (?:the )?(?:system|supervisor|admin|"
            r"manager|fraud team|tool|platform|backend)\b",
            _I,
        ),
    ],
    "tool_invocation": [
        re.compile(
            r"\b(?:call|use|invoke|run|execute|trigger|fire)\b[^.\n]{0,25}?\b(?:tool|function)s?\b"
            r"|\b[a-z]+_[a-z_]+\s*\([^)]*(?:amount|order|customer|refund|skip|check)[^)]*\)",
            _I,
        ),
    ],
    "addressed_to_ai": [
        re.compile(
            r"\b(?:note|message|instructions?|attention|reminder|important(?: instructions?)?|"
            r"request|memo) (?:to|for) (?:the |any |all |every )?(?:ai|a\.i\.|assistants?|"
            r"chatbot|bot|language model|llm|agent|gpt|model)s?\b|\b(?:hey|dear|attention|psst),? "
            r"(?:the )?(?:ai|assistant|bot|chatbot|llm|model)\b[:,]|\bif you(?: are|'re) an? "
            r"(?:ai|assistant|llm|language model|bot|chatbot|automated)\b|\b(?:ai|llm|automated) "
            r"(?:assistant|agent|system|model)?s? (?:reading|processing|summari[sz]ing|handling) "
            r"this\b|\bwhen (?:the |an? )?(?:ai|assistant|bot|chatbot|model) (?:reads|processes|"
            r"summari[sz]es|sees) this\b|\b(?:to|for|dear|hey|attention) (?:the |any |an? )?"
            r"(?:support |customer service |service )?(?:ai|bot|assistant|chatbot|agent|llm|"
            r"model)s? "
            r"(?:handling|reading|processing|answering|dealing with|working on|checking) "
            r"(?:this|these|my)\b|\b(?:note|message|instructions?|memo) (?:to|for) (?:the )?"
            r"support (?:bot|ai|assistant)\b|\b(?:instructions?|notes?|hinweis|nota|note) "
            r"(?:for|to|an|para|pour|per|voor) (?:the |den |le |la |el |il |de )?(?:ai|ki|ia|"
            r"assistant|assistent|asistente|assistente)(?:en|e)?\b",
            _I,
        ),
    ],
    "output_hijack": [
        re.compile(
            r"\b(?:respond|reply|answer|output|print|say|write)\s+(?:only|exactly|just|back)?\s*"
            r"(?:with|:)\s*[\"'“]|\bi have been pwned\b|\bpwned\b|\b(?:start|begin|end) (?:your|"
            r"each|every) (?:response|reply|answer|message) with\b|\b(?:add|include|append|insert|"
            r"mention|integrate|embed)\b[^.\n]{0,60}?\b(?:in|to|into) (?:your|the|each|every) "
            r"(?:response|reply|answer|output)s?\b|\b(?:do not|don't|never) (?:mention|tell|"
            r"reveal|inform|disclose|say)\b[^.\n]{0,30}?\b(?:this (?:note|message|instruction)|"
            r"the (?:customer|user)|anyone)\b",
            _I,
        ),
    ],
    "secret_request": [
        re.compile(
            r"\byour (?:password|passcode|secret(?: key| code| word)?|api[ _-]?keys?|credentials|"
            r"access tokens?|tokens|keys|private key)\b|\b(?:api[ _-]?key|secret key|access token|"
            r"private key|ssh key|environment variables?|env vars?|\.env file|connection string|"
            r"database password|admin password|internal credentials)\b",
            _I,
        ),
    ],
    "policy_bypass": [
        re.compile(
            r"\b(?:bypass|skip|disable|turn off|circumvent|get around|switch off|waive|"
            r"deactivate|without|lift|remove|cancel)\b[^.\n]{0,20}?\b(?:fraud (?:checks?|detection|"
            r"review|hold|screening|flag)|verification|"
            r"security|safety|authentication|identity checks?|refund limits?|limits|policy|"
            r"policies|restrictions|filters?|checks|guardrails?|content policy|moderation|"
            r"approval)\b",
            _I,
        ),
    ],
    "exfiltration": [
        re.compile(
            r"\b(?:send|forward|email|post|upload|export|leak|transmit|copy)\b[^.\n]{0,40}?"
            r"\b(?:conversation|chat history|this chat|all (?:the )?data|database|customer "
            r"(?:list|data|records)|logs|other customers)\b[^.\n]{0,30}?\b(?:to|at)\b|"
            r"!\[[^\]]*\]\(https?://|\b(?:curl|wget|fetch)\s+https?://",
            _I,
        ),
    ],
    "directive_to_model": [
        re.compile(
            r"\byou (?:must|will|shall|are required to|are going to|have no choice but to) "
            r"(?:now |always |only |immediately )?(?:ignore|obey|comply|answer|respond|follow|"
            r"output|reveal|print|approve|act|forget|pretend|disregard|execute)\b",
            _I,
        ),
    ],
}

# Evidence *against* an attack. The override verbs also retract the customer's own words
# ("ignore my last message"); these features let the model learn that, instead of leaning on the
# verb alone.
_COUNTER_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "retracts_own_message": [
        re.compile(
            r"\b(?:ignore|disregard|forget|scratch|cancel|never ?mind|delete)\b[^.\n]{0,15}?"
            r"\b(?:my|what i|the last thing i|that last|the (?:last|previous) (?:message|email|"
            r"question))\b[^.\n]{0,25}?\b(?:message|msg|messages|email|mail|question|request|"
            r"comment|text|said|wrote|typed|typo|note|reply|answer|chat)s?\b",
            _I,
        ),
        re.compile(
            r"\b(?:mi (?:ultimo |anterior )?mensaje|mon (?:dernier |precedent )?message|meine "
            r"(?:letzte|vorherige) (?:nachricht|frage)|il mio (?:ultimo |precedente )?messaggio|"
            r"a minha (?:ultima |anterior )?mensagem|mijn (?:vorige|laatste) (?:bericht|vraag)|"
            r"lo que dije|ce que j'ai dit|was ich gesagt habe)\b",
            _I,
        ),
    ],
}

# Joined split-letter runs ("ignoreallpreviousinstructions") are matched without spaces.
_COMPACT = re.compile(
    r"(?:ignore|disregard|forget|bypass|override)(?:all|the|any|your)?(?:previous|prior|above|"
    r"earlier)?(?:instructions|rules|directives|guidelines|prompts?)|systemprompt|"
    r"revealyour|jailbreak|developermode|adminmode"
)

OBFUSCATION_SIGNALS = (
    "encoded_payload",
    "rot13_or_reversed",
    "leetspeak",
    "homoglyphs",
    "invisible_chars",
    "split_letters",
)
PATTERN_FEATURES = tuple(_PATTERNS)
COUNTER_FEATURES = (*_COUNTER_PATTERNS, "not_english")
FEATURE_NAMES: tuple[str, ...] = (*PATTERN_FEATURES, *OBFUSCATION_SIGNALS, *COUNTER_FEATURES)


_ENGLISH_WORDS = frozenset(
    # Only words no nearby language spells the same way ("to", "do", "on", "a", "i", "me" are
    # Polish, Spanish, Italian words too).
    "the an are was my you your and of it for this that with not where what when why how can "
    "could please have has did we our been will would just".split()
)


def _english(text: str) -> bool:
    """Written in English: `looks_english` (function words against those of nearby European
    languages) misses the languages it has no list for (Polish, Turkish, Indonesian) and other
    scripts, where it finds no words of either kind."""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(not ch.isascii() for ch in letters) > 0.3 * len(letters):
        return False
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())
    if len(words) >= 4 and not any(w in _ENGLISH_WORDS for w in words):
        return False
    return looks_english(text)


def lexical_features(normalized: Normalized) -> tuple[list[float], list[str]]:
    """One 0/1 value per FEATURE_NAMES entry, and the names that fired."""
    text = normalized.text
    folded = deaccent(text)
    fired: list[str] = []
    for name, patterns in _PATTERNS.items():
        if name == "override_multilingual":
            # Folding accents also decomposes kana and hangul: those patterns read the text.
            found = any(p.search(folded) or p.search(text) for p in patterns)
        else:
            found = any(p.search(text) for p in patterns)
        if found:
            fired.append(name)
    if "override_instructions" not in fired and any(
        _COMPACT.search(run) for run in normalized.joined_runs
    ):
        fired.append("override_instructions")
    fired.extend(s for s in OBFUSCATION_SIGNALS if s in normalized.signals)
    fired.extend(n for n, ps in _COUNTER_PATTERNS.items() if any(p.search(folded) for p in ps))
    if not _english(text):
        # The English encoder maps all other languages close together; this lets the model
        # keep "written in Spanish" apart from "is an attack".
        fired.append("not_english")
    fired_set = set(fired)
    return [1.0 if name in fired_set else 0.0 for name in FEATURE_NAMES], sorted(fired_set)
