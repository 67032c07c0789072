"""What a typed message asks for: the menu, a flow to start, a guideline, or nothing we know.

Pure: the knowledge base is passed in. The rules, in order:

1. a greeting or a call for help ("hallo", "hi", "menu") shows the menu; a short message naming
   a personal register ("mijn meldingen", "openstaand") opens it;
2. the best matching guideline must score at least `MIN_SCORE`, else we say we do not know
   (we never guess at policy); if any confidential topic (vertrouwenspersoon, meldregeling,
   MIW, intimidation) matches well too, the whole turn is confidential;
3. a statement (not a question) that says something happened or is wanted, and whose best match
   leads to a flow, opens that flow ("fles wijn gekregen van de aannemer" -> gift);
4. anything else gets the guideline as an answer ("mag ik een fles wijn aannemen?"); when a
   respect or safe-workplace guideline matches well (discrimination, intimidation, bullying,
   harassment), the vertrouwenspersoon's contact comes with it at once (`Answer.contact`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.knowledge import Guideline, KnowledgeBase
from bot.domain.text import STOPWORDS, words

MIN_SCORE = 3.0  # calibrated on tests/unit/data/questions.json, see docs/knowledge.md

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
    geldt gelden klopt heb hebben ben zou zouden wil weet
    may can could should must what how where who when which why is are do does am would shall
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
    register = register_named(said)
    if register is not None:
        return OpenFlow(register)
    hits = [(guideline, score) for guideline, score in knowledge.search(text) if score >= MIN_SCORE]
    if not hits:
        return NoMatch()
    best = hits[0][0]
    # Touching a confidential topic at all makes the whole turn confidential.
    confidential = any(guideline.confidential for guideline, _ in hits)
    if best.flow and not is_question(text, said) and _triggered(best, said):
        return OpenFlow(best.flow, confidential=confidential)
    contact = any(guideline.id in CONTACT_AT_ONCE for guideline, _ in hits)
    return Answer(best, confidential=confidential or contact, contact=contact)


def register_named(said: list[str]) -> str | None:
    """The register a short message names ("toon mijn meldingen", "my requests please")."""
    if not said or len(said) > MAX_REGISTER_WORDS:
        return None
    joined = f" {' '.join(said)} "
    for phrase, register in REGISTERS.items():
        if f" {phrase} " in joined:
            return register
    return None


def is_greeting(said: list[str]) -> bool:
    """Only greeting words (and filler), and not many of them; an empty message counts too."""
    meaningful = [w for w in said if w not in STOPWORDS]
    return len(said) <= 5 and all(w in GREETINGS for w in meaningful)


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
