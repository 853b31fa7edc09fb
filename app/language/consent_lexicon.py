"""Words of form in the languages customers write besides English, for the consent cues.

Customers answer proposals in German, Spanish, French, Dutch, Portuguese, Polish and Italian as
often as in English. The English embedding cannot read those replies, so a reply's assent,
negation, question, condition and hedge words are also looked up here. Every entry is accent-
folded (`fold`), because customers type "si", "nao" and "prosze" as often as "sí", "não" and
"proszę". The lists only ever add vetoes, and a word of assent only lifts the "no assent" veto:
the model must still read the reply as a yes.

Hand-written rather than a library: no maintained package lists consent-form words across these
languages, and the lists are small enough to read in review.
"""

from __future__ import annotations

import unicodedata

# Letters NFKD does not decompose.
_UNFOLDED = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "Ø": "O", "đ": "d"})


def fold(text: str) -> str:
    """The text without accents: "sí" -> "si", "proszę" -> "prosze", "zgadzam się" -> "... sie"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNFOLDED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(*groups: str) -> frozenset[str]:
    return frozenset(w for group in groups for w in group.split())


ASSENT = _words(
    "ja jawohl jep jo einverstanden gerne gern passt klar genau natuerlich naturlich perfekt "
    "bestatige bestaetige mach machen durchfuhren",  # de
    "si vale claro dale bueno perfecto confirmo acepto adelante procede proceda hazlo",  # es
    "oui ouais daccord d'accord parfait confirme accepte procedez allez",  # fr
    "ja graag prima akkoord oke goed prima doe bevestig",  # nl
    "sim claro combinado perfeito confirmo aceito bem prosseguir prossiga seguir fazer pode",  # pt
    "tak dobrze zgoda zgadzam jasne pewnie oczywiscie potwierdzam akceptuje okej",  # pl
    "si certo daccordo d'accordo perfetto confermo accetto procedi proceda bene",  # it
)
ASSENT_PHRASES = (
    "ga je gang",
    "ga uw gang",
    "ga maar",
    "allez y",
    "vas y",
    "los geht's",
    "va bene",
    "esta bien",
    "tudo bem",
    "tres bien",
    "muy bien",
    "sehr gut",
    "in ordnung",
    "pode fazer",
    "de acuerdo",
    "me parece bien",
    "ca marche",
)
# Thanks and please: words that sit beside a yes without changing it.
COURTESY = _words(
    "please pls plz thanks thank thx ty you cheers ta much very kindly",
    "bitte danke schon vielen dank",  # de
    "por favor gracias muchas",  # es
    "s'il vous plait merci beaucoup svp",  # fr
    "alsjeblieft alstublieft dank je wel bedankt",  # nl
    "obrigado obrigada valeu",  # pt
    "prosze dziekuje dzieki",  # pl
    "per favore grazie mille",  # it
)
NEGATIONS = _words(
    "nein nicht kein keine keinen keiner nie niemals nichts",  # de
    "no nunca nada ni tampoco jamas",  # es
    "non ne pas jamais rien aucun aucune",  # fr
    "nee niet geen nooit niets",  # nl
    "nao nem nunca nada nenhum nenhuma",  # pt
    "nie nigdy nic zadnych zaden",  # pl
    "non mai niente nessuno",  # it
)
NEGATION_SIGNS = ("👎", "❌", "🚫", "🙅", "⛔", "✖")
# Negative words inside idioms that mean "no problem" (or nothing about consent).
NEGATION_IDIOMS = (
    "kein problem",
    "keine sorge",
    "keine ursache",
    "pas de probleme",
    "pas de souci",
    "pas de soucis",
    "no hay problema",
    "sin problema",
    "de nada",
    "geen probleem",
    "geen punt",
    "sem problema",
    "nao tem problema",
    "bez problemu",
    "nie ma problemu",
    "nessun problema",
)
# Particles that soften rather than set a condition: Dutch "doe maar" and "ga maar" are "go
# ahead", French "mais oui" is "of course", German "nur zu" is "go on".
CONDITION_IDIOMS = ("doe maar", "ga maar", "zeg maar", "mais oui", "nur zu")
# Words that open a question in these languages (at the start of a clause).
QUESTION_OPENERS = _words(
    "wann wie was warum wo welche welcher welches wieviel wieso weshalb",  # de
    "cuando cuanto cuanta cuantos donde cual cuales",  # es
    "quand combien pourquoi comment quel quelle quels",  # fr
    "hoe wanneer waarom wat welke hoeveel waar",  # nl
    "quando quanto quanta onde qual",  # pt
    "kiedy ile jak dlaczego czy gdzie",  # pl
    "quanto quando perche dove quale",  # it
)
# Verbs that open a yes/no question when their subject follows ("ist das", "kan ik", "puis je").
QUESTION_VERBS = _words(
    "ist sind kann konnen kannst wird werde bekomme bekommt gibt muss musst soll habe hat",  # de
    "is kan krijg krijgt wordt moet heb",  # nl
    "est puis pouvez peux dois",  # fr
    "posso puoi puo devo",  # it, pt
)
QUESTION_SUBJECTS = _words(
    "das es ich sie du der die man wir",  # de
    "het ik je u dat dit we",  # nl
    "ce je vous on il",  # fr
    "io lei",  # it
)
# "How much / how many / how long": they ask wherever they stand in the clause ("le
# remboursement arrive sous combien de jours", "a ile to potrwa").
HOW_MUCH = _words(
    "wieviel wieviele combien cuanto cuanta cuantos cuantas quanto quanta quanti quante hoeveel ile"
)
QUESTION_PHRASES = (
    "est ce",
    "weet u",
    "weisst du",
    "wissen sie",
    "sabe",
    "savez vous",
    "me pode",
    "pode me",
    "podria",
    "puede",
    "pueden",
)
CONDITIONS = (
    "aber",
    "nur",
    "wenn",
    "falls",
    "sofern",
    "ausser",
    "auch",
    "lieber",
    "statt",
    "stattdessen",
    "pero",
    "solo",
    "solamente",
    "solo si",
    "siempre que",
    "tambien",
    "excepto",
    "salvo",
    "en vez",
    "en lugar",
    "mais",
    "seulement",
    "uniquement",
    "sauf",
    "aussi",
    "plutot",
    "au lieu",
    "si c'est",
    "s'il est",
    "maar",
    "alleen",
    "behalve",
    "ook",
    "liever",
    "in plaats",
    "als het",
    "mas",
    "apenas",
    "somente",
    "tambem",
    "exceto",
    "em vez",
    "desde que",
    "ale",
    "tylko",
    "tez",
    "takze",
    "oprocz",
    "zamiast",
    "jesli",
    "jezeli",
    "pod warunkiem",
    "pero solo",
    "invece",
    "anche",
    "soltanto",
    "prefiero",
    "prefiro",
    "prefere",
    "prefer",
    "prefers",
    "preferably",
    "preferisco",
    "wole",
    # when, first, before: a time the answer waits for
    "cuando",
    "quand",
    "quando",
    "sobald",
    "wanneer",
    "kiedy",
    "zodra",
)
HEDGES = (
    "vielleicht",
    "spater",
    "moment",
    "warte",
    "noch",
    "quizas",
    "quiza",
    "tal vez",
    "talvez",
    "despues",
    "todavia",
    "espera",
    "espere",
    "momento",
    "no se",
    "peut etre",
    "plus tard",
    "pas encore",
    "attendez",
    "je sais pas",
    "misschien",
    "wacht",
    "nog niet",
    "weet niet",
    "depois",
    "ainda",
    "aguarde",
    "nao sei",
    "moze",
    "pozniej",
    "jeszcze",
    "chwila",
    "czekaj",
    "nie wiem",
    "forse",
    "dopo",
    "aspetta",
    "non so",
    # wait, in the forms a customer types ("attends a lundi", "espera hasta el lunes")
    "attends",
    "attendre",
    "attendons",
    "esperar",
    "esperad",
    "esperen",
    "aguardar",
    "aguarda",
    "warten",
    "wartet",
    "wachten",
    "wacht even",
    "aspettare",
    "aspettate",
    "aspettiamo",
    "poczekajmy",
    "zaczekaj",
    "zaczekajcie",
    # "we'll see"
    "ya veremos",
    "veremos",
    "on verra",
    "mal sehen",
    "mal schauen",
    "vedremo",
    "vamos ver",
    "zobaczymy",
    "we zien wel",
)
# A day that is not today, in these languages: naming one beside a yes sets when ("sí, el
# lunes", "oui mais vendredi"). English days are read by the cues themselves.
LATER_DAYS = _words(
    "montag dienstag mittwoch donnerstag freitag samstag sonntag morgen ubermorgen",  # de
    "lunes martes miercoles jueves viernes sabado domingo manana pasado",  # es
    "lundi mardi mercredi jeudi vendredi samedi dimanche demain prochaine prochain",  # fr
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag overmorgen volgende",  # nl
    "segunda terca quarta quinta sexta amanha proxima proximo",  # pt
    "poniedzialek wtorek sroda czwartek piatek sobota niedziela jutro pojutrze",  # pl
    "lunedi martedi mercoledi giovedi venerdi sabato domenica domani dopodomani prossima",  # it
)
HEDGE_SIGNS = ("🤔", "🤷", "😕", "😐")
# Outcomes other than a refund or a return, named in these languages.
OTHER_OUTCOMES = (
    "ersatz",
    "umtausch",
    "austausch",
    "tausch",
    "gutschein",
    "neues",
    "cambio",
    "cambiar",
    "reemplazo",
    "reposicion",
    "cupon",
    "echange",
    "remplacement",
    "bon d'achat",
    "vervanging",
    "vervangend",
    "omruilen",
    "ruilen",
    "tegoedbon",
    "troca",
    "trocar",
    "substituicao",
    "wymiana",
    "wymienic",
    "sostituzione",
    "buono",
)
