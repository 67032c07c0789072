"""What a typed message asks for: the menu, a flow to start, a guideline, or nothing we know.

Pure: the knowledge base is passed in. The rules, in order:

1. a greeting or a call for help ("hallo", "hi", "menu", "wat kun je") shows the menu; a short
   message naming a personal register ("mijn meldingen", "openstaand") opens it;
2. guidelines are scored by their own words plus their closest labelled example sentence
   (`KnowledgeBase.assess`); the best must score at least `MIN_SCORE`, and beat the examples of
   greetings and of things the code does not cover, else we say we do not know (we never guess
   at policy); if a confidential topic (vertrouwenspersoon, meldregeling, MIW, intimidation)
   comes close to the best, the whole turn is confidential;
3. a statement (not a question) that says something happened or is wanted, and whose best match
   leads to a flow, opens that flow ("fles wijn gekregen van de aannemer" -> gift), but only
   when the evidence is clear (`_clear`): a form for the wrong flow is worse than none;
4. anything else gets the guideline as an answer ("mag ik een fles wijn aannemen?"); when a
   respect or safe-workplace guideline matches well (discrimination, intimidation, bullying,
   harassment), the vertrouwenspersoon's contact comes with it at once (`Answer.contact`).

Who says it can matter, and `understand` does not know who: "ik wil een overtreding melden" is
a suspicion to report through the meldregeling for an employee, but for a manager it is usually
a violation by someone on their team to record (the code's introduction: the manager proposes,
the director decides). `for_managers` says when such a sentence should open a manager's flow
instead; the dialog checks that the person has a team.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.knowledge import Assessment, Guideline, KnowledgeBase
from bot.domain.text import STOPWORDS, words

MIN_SCORE = 3.0  # calibrated on tests/unit/data/questions.json, see docs/knowledge.md
# The ratios below were chosen on the development part, cross-validated (docs/knowledge.md).
MENU_RATIO = 1.0  # menu examples beat the best guideline: show the menu
NONE_RATIO = 1.0  # off-topic examples beat the best guideline: "I don't know"
NEAR_RATIO = 0.5  # guidelines this close to the best also make the turn confidential
# A statement opens a form only when no guideline of another flow scores above this share of
# the best: with a trigger word ("gekregen"), ...
RIVAL_RATIO = 0.6
# ... without one, when the guideline's own words and the examples agree on the flow ...
AGREED_RIVAL_RATIO = 0.4
# ... or when the closest example opened this flow and examples of other labels stay below
# this share of its score. A wrong form is worse than none: a doubtful statement gets the
# guideline's answer, with its form one tap away.
ECHO_RATIO = 0.6
MIN_NAME = 6  # letters of a trigger that names its topic ("datalek", not "take")

GREETINGS: frozenset[str] = frozenset(
    """
    hallo hoi hey hi hee hello hallootjes hoihoi goedemorgen goedemiddag goedenavond morgen middag
    avond dag daar bot menu help hulp helpen start begin opnieuw terug good morning afternoon
    evening howdy yo thanks bedankt dank dankjewel dankuwel thank
    """.split()
)
QUESTION_STARTS: frozenset[str] = frozenset(
    """
    mag mogen moet moeten kan kun kunnen wat hoe waar wie wanneer welke waarom hoeveel is zijn
    geldt gelden klopt heb hebben ben zou zouden wil weet weten wrm hoezo
    may can could should must what how where who when which why is are do does am would shall
    will whats
    """.split()
)
QUESTION_PHRASES = (
    "mag ik",
    "mag dat",
    "kan dat",
    "is dat",
    "toegestaan",
    "vraag me af",
    "wil weten",
    "may i",
    "can i",
    "is that",
    "allowed",
    "wondering",
    "wat moet ik",
    "wat doe ik",
    "what should i",
    "what do i",
)


# The personal registers by name: a short message that names one opens it, whatever else the
# knowledge base would match ("mijn meldingen" is not a question about the code).
REGISTERS: dict[str, str] = {
    "mijn meldingen": "mine",
    "mijn aanvragen": "mine",
    "mijn verzoeken": "mine",
    "my requests": "mine",
    "my declarations": "mine",
    "openstaand": "pending",
    "openstaande meldingen": "pending",
    "ter beoordeling": "pending",
    "pending": "pending",
    "pending requests": "pending",
    "to approve": "pending",
}
MAX_REGISTER_WORDS = 5

# Guidelines about respect and a safe workplace (§1): a question touching them is confidential
# (their entries say so) and is answered with the vertrouwenspersoon's contact at once.
CONTACT_AT_ONCE: frozenset[str] = frozenset({"respect", "safe_workplace"})


@dataclass(frozen=True)
class ShowMenu:
    """A greeting: show what the bot can do."""

    confidential: bool = False


@dataclass(frozen=True)
class OpenFlow:
    """Start this flow's form right away."""

    flow: str
    confidential: bool = False


@dataclass(frozen=True)
class Answer:
    """Answer with this guideline."""

    guideline: Guideline
    confidential: bool = False
    contact: bool = False  # show the vertrouwenspersoon's contact with the answer


@dataclass(frozen=True)
class NoMatch:
    """Nothing in the code matches well: say so, never guess. Confidential, because we do not
    know what the person told us."""

    confidential: bool = True


Understanding = ShowMenu | OpenFlow | Answer | NoMatch


def understand(text: str, knowledge: KnowledgeBase) -> Understanding:
    """Decide what a typed message asks for (see the module docstring)."""
    said = words(text)
    if is_greeting(said):
        return ShowMenu()
    command = command_named(said)
    if command is not None:
        return command
    register = register_named(said)
    if register is not None:
        return OpenFlow(register)
    seen = knowledge.assess(text)
    top = seen.topics[0][1] if seen.topics else 0.0
    if seen.menu >= MIN_SCORE and seen.menu > top * MENU_RATIO:
        return ShowMenu()
    if top < MIN_SCORE or seen.none > top * NONE_RATIO:
        return NoMatch()
    best = seen.topics[0][0]
    near = [(g, score) for g, score in seen.topics if score >= max(MIN_SCORE, NEAR_RATIO * top)]
    # Touching a confidential topic at all makes the whole turn confidential.
    confidential = any(guideline.confidential for guideline, _ in near) or any(
        knowledge.get(key).confidential and score >= MIN_SCORE for key, score in seen.own.items()
    )
    if best.flow and not is_question(text, said) and _clear(best, seen, said, top, knowledge):
        return OpenFlow(best.flow, confidential=confidential)
    contact = any(guideline.id in CONTACT_AT_ONCE for guideline, _ in near)
    return Answer(best, confidential=confidential or contact, contact=contact)


def _clear(
    best: Guideline, seen: Assessment, said: list[str], top: float, knowledge: KnowledgeBase
) -> bool:
    """Whether a statement is clearly about `best`'s flow (a wrong form is worse than none):
    no other flow comes close, the closest statement among the examples did not ask about
    this topic, and either a trigger word says "I want to do this now" or the guideline's own
    words and the examples agree on the flow with a wider margin."""
    if not best.triggers:
        return False  # by design never a form from typed text (social media: ask first)
    rival = max((score for g, score in seen.topics[1:] if g.flow != best.flow), default=0.0)
    if seen.nearest:
        closest = seen.nearest[0][0]
        if closest.label == f"guideline:{best.id}" and not is_question(
            closest.text, words(closest.text)
        ):
            return False  # the closest example says the same kind of thing and was answered
    if _echoes(best, seen):
        return True
    if _triggered(best, said):
        if rival <= top * RIVAL_RATIO:
            return True
        return _names_only(best, seen, said, top, knowledge)
    by_own = _flow_of_best(seen.own, seen)
    by_examples = _flow_of_best(seen.by_example, seen)
    return by_own == by_examples == best.flow and rival <= top * AGREED_RIVAL_RATIO


def _names_only(
    best: Guideline, seen: Assessment, said: list[str], top: float, knowledge: KnowledgeBase
) -> bool:
    """A trigger that is a word of `best`'s topic and of no other guideline's ("ik wil een
    datalek melden": "datalek" is the data leak's alone, "melden" is shared). Short words
    ("take", "need") are verbs, not names."""
    others = [g for g in knowledge.guidelines if g.id != best.id]
    own = knowledge.topic_words(best.id)
    for trigger in best.triggers:
        word = words(trigger)
        if len(word) == 1 and len(word[0]) >= MIN_NAME and word[0] in said and word[0] in own:
            if not any(word[0] in knowledge.topic_words(g.id) for g in others):
                return True
    return False


def _echoes(best: Guideline, seen: Assessment) -> bool:
    """The closest example opened this flow and stands well clear of every example of another
    label ("ik wil een datalek melden" is nearly an example, "ik wil een misstand melden" not)."""
    if not seen.nearest or seen.nearest[0][0].label != f"flow:{best.flow}":
        return False
    if _flow_of_best(seen.own, seen) not in (None, best.flow):
        return False  # the guideline's own words point at another flow
    first = seen.nearest[0][1]
    other = next((s for e, s in seen.nearest if e.label != seen.nearest[0][0].label), 0.0)
    return other <= first * ECHO_RATIO


def _flow_of_best(scores: Mapping[str, float], seen: Assessment) -> str | None:
    flows = {g.id: g.flow for g, _ in seen.topics}
    ranked = sorted(((v, k) for k, v in scores.items() if k in flows), reverse=True)
    return flows[ranked[0][1]] if ranked else None


# The bot's commands in Teams' command menu (infra/appPackage: manifest.json in Dutch, en.json
# in English): choosing one sends its title as the message, which opens that flow as such,
# whatever the knowledge base would make of the single word. `tests/unit/test_app_package.py`
# checks that every title of the app package is here.
COMMANDS: dict[str, str] = {
    "cadeau": "gift",
    "gift": "gift",
    "uitnodiging": "invitation",
    "invitation": "invitation",
    "nevenfunctie": "sidejob",
    "side job": "sidejob",
    "leverancier": "supplier",
    "supplier": "supplier",
    "huurder": "tenant",
    "tenant": "tenant",
    "datalek": "dataleak",
    "data leak": "dataleak",
    "aanhangwagen": "trailer",
    "trailer": "trailer",
    "journalist": "press",
    "press": "press",
    "vertrouwenspersoon": "concern",
    "confidential adviser": "concern",
    "vraag": "question",
    "question": "question",
}
CONFIDENTIAL_FLOWS = frozenset({"concern"})  # nothing is kept of who opened it


def command_named(said: list[str]) -> OpenFlow | None:
    """The flow of a command chosen from the command menu (its exact title, any case)."""
    flow = COMMANDS.get(" ".join(said))
    return OpenFlow(flow, confidential=flow in CONFIDENTIAL_FLOWS) if flow else None


def register_named(said: list[str]) -> str | None:
    """The register a short message names ("toon mijn meldingen", "my requests please")."""
    if not said or len(said) > MAX_REGISTER_WORDS:
        return None
    joined = f" {' '.join(said)} "
    for phrase, register in REGISTERS.items():
        if f" {phrase} " in joined:
            return register
    return None


# A short message asking what the bot can do ("laat me de opties zien", "what are my options").
MENU_WORDS: frozenset[str] = frozenset("opties optie mogelijkheden options".split())
MENU_PHRASES = ("wat kun je", "wat kan je", "kun je me mee helpen", "what can you do")
MAX_MENU_WORDS = 8


def is_greeting(said: list[str]) -> bool:
    """Only greeting words (and filler), and not many of them; an empty message counts too;
    or a short message asking what the bot can do."""
    meaningful = [w for w in said if w not in STOPWORDS]
    if len(said) <= 5 and all(w in GREETINGS for w in meaningful):
        return True
    if len(said) > MAX_MENU_WORDS:
        return False
    joined = f" {' '.join(said)} "
    return bool(MENU_WORDS & set(said)) or any(f" {p} " in joined for p in MENU_PHRASES)


def is_question(text: str, said: list[str]) -> bool:
    """A question mark, or a sentence that opens like a question ("mag ik", "can I")."""
    if "?" in text:
        return True
    if said and said[0] in QUESTION_STARTS:
        return True
    joined = f" {' '.join(said)} "
    return any(f" {phrase} " in joined for phrase in QUESTION_PHRASES)


def _triggered(guideline: Guideline, said: list[str]) -> bool:
    """Exact words on purpose: "reporter" must not count as "report"."""
    present = set(said)
    return any(set(words(trigger)) <= present for trigger in guideline.triggers)


# Flows only a manager uses (dialogs/violations.py checks that the person has a team), offered
# to a manager instead of the meldregeling when the sentence names them.
MANAGER_FLOWS: frozenset[str] = frozenset({"violation"})
REPORTING_FLOW = "concern"  # the meldregeling and the vertrouwenspersoon


def for_managers(text: str, understanding: Understanding, knowledge: KnowledgeBase) -> str | None:
    """The manager's flow to open instead of the meldregeling, or None: the sentence is a
    statement (not a question) understood as reporting (the meldregeling, the concern flow), a
    manager's flow's guideline comes close to the best, and one of its trigger words that is a
    word of its own topic is said ("overtreding", "violation"; not a verb like "zag"). Everyone
    else keeps the meldregeling: a suspicion about anyone is theirs to report there."""
    flow: str | None
    if isinstance(understanding, OpenFlow):
        flow = understanding.flow
    elif isinstance(understanding, Answer):
        flow = understanding.guideline.flow
    else:
        return None
    said = words(text)
    if flow != REPORTING_FLOW or is_question(text, said):
        return None
    seen = knowledge.assess(text)
    if not seen.topics:
        return None
    top = seen.topics[0][1]
    present = set(said)
    for guideline, score in seen.topics:
        if guideline.flow not in MANAGER_FLOWS or score < max(MIN_SCORE, NEAR_RATIO * top):
            continue
        own = knowledge.topic_words(guideline.id)
        for trigger in guideline.triggers:
            word = words(trigger)
            if len(word) == 1 and word[0] in present and word[0] in own:
                return guideline.flow
    return None
