"""Finding the right guideline for a question, in Dutch or English, typos and all."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.domain.intents import Answer, NoMatch, OpenFlow, ShowMenu, for_managers, understand
from bot.domain.knowledge import (
    Example,
    KnowledgeBase,
    KnowledgeError,
    knowledge_base,
    parse_examples,
    parse_guidelines,
)
from bot.domain.ranking import _distance
from dialogs.menu import flows
from tests.support.kinds import KINDS
from tests.support.knowledge_eval import (
    DEV,
    QUESTIONS,
    TEST,
    cross_validate,
    evaluate,
    examples_file,
    labelled,
    summarise,
)

KB = knowledge_base()


def test_top1_accuracy_on_the_labelled_questions_is_at_least_90_percent() -> None:
    outcomes = evaluate()
    misses = [f"{o.text!r}: expected {o.expected}, got {o.got}" for o in outcomes if not o.correct]
    accuracy = 1 - len(misses) / len(outcomes)
    assert accuracy >= 0.90, f"top-1 accuracy {accuracy:.1%}; misses:\n" + "\n".join(misses)


def test_the_labelled_set_is_big_varied_and_covers_every_guideline_and_flow() -> None:
    questions = labelled()
    assert len(questions) >= 80
    kinds = Counter(label.split(":")[0] for _, label in questions)
    assert kinds["guideline"] >= 60 and kinds["flow"] >= 10 and kinds["none"] >= 5
    covered = {label.split(":", 1)[1] for _, label in questions if ":" in label}
    assert {g.id for g in KB.guidelines} <= covered
    assert {"gift", "invitation", "dataleak", "sidejob", "supplier", "tenant"} <= covered
    english_words = {"the", "i", "my", "can", "what", "how", "does", "do"}
    english = [text for text, _ in questions if english_words & set(text.lower().split())]
    assert len(english) >= 30


@pytest.mark.parametrize(
    ("question", "guideline", "flow"),
    [
        ("mag ik een fles wijn van een aannemer aannemen?", "gifts", "gift"),
        ("mag ik de aanhangwagen lenen?", "trailer", "trailer"),
        ("wat zeg ik als een journalist mij belt?", "press", "press"),
        ("mag ik iets over mijn werk posten?", "social_media", "social"),
        ("mijn neef huurt bij ons", "tenant_ties", "tenant"),
        ("may I accept a bottle of wine from a contractor?", "gifts", "gift"),
        ("can I borrow the trailer?", "trailer", "trailer"),
        ("what do I say when a journalist calls?", "press", "press"),
    ],
)
def test_questions_from_the_issue_get_their_guideline(
    question: str, guideline: str, flow: str | None
) -> None:
    result = understand(question, KB)
    assert isinstance(result, Answer)
    assert result.guideline.id == guideline
    assert result.guideline.flow == flow


@pytest.mark.parametrize(
    ("statement", "flow"),
    [
        ("ik wil een datalek melden", "dataleak"),
        ("ik heb een uitnodiging gekregen", "invitation"),
        ("ik heb een cadeau gekregen", "gift"),
        ("fles wijn gekregen van de aannemer", "gift"),
        ("laptop gestolen", "dataleak"),
        ("ik heb een mail naar de verkeerde persoon gestuurd", "dataleak"),
        ("I received a gift from a supplier", "gift"),
        ("I was invited to a concert by a contractor", "invitation"),
        ("my laptop was stolen", "dataleak"),
        ("ik wil de vertrouwenspersoon spreken", "concern"),
        ("mijn zoon schrijft zich in voor een huurwoning bij Woongroen", "housing"),
        ("mijn dochter krijgt een woning van woongroen aangeboden", "housing"),
        ("my son applies for a flat with Woongroen", "housing"),
        ("een journalist belt mij", "press"),
        ("een journalist wil mij interviewen", "press"),
        ("a journalist is calling me", "press"),
    ],
)
def test_a_statement_that_starts_a_flow_opens_it(statement: str, flow: str) -> None:
    result = understand(statement, KB)
    assert isinstance(result, OpenFlow) and result.flow == flow
    if flow == "concern":
        assert result.confidential


def test_asking_about_a_flow_answers_instead_of_opening_it() -> None:
    result = understand("ik heb een cadeau gekregen, mag ik dat houden?", KB)
    assert isinstance(result, Answer) and result.guideline.id == "gifts"


@pytest.mark.parametrize("greeting", ["hallo", "hi", "menu", "help", "Goedemorgen!", "", "hoi bot"])
def test_greetings_show_the_menu(greeting: str) -> None:
    assert understand(greeting, KB) == ShowMenu()


@pytest.mark.parametrize(
    "question",
    ["wat is het weer morgen", "what time does the canteen open", "hoeveel vakantiedagen heb ik"],
)
def test_a_question_the_code_does_not_cover_gets_no_guess(question: str) -> None:
    assert understand(question, KB) == NoMatch()


@pytest.mark.parametrize(
    ("question", "guideline"),
    [
        ("mag ik de aanhanwagen lenen", "trailer"),  # missing letter
        ("jounalist aan de telefoon", "press"),  # missing letter
        ("mag ik een cadeu aannemen", "gifts"),
        ("wat zijn de integriteitsprincipes", "principles"),  # compound of two known words
        ("vertrouwenspesoon bellen?", "vertrouwenspersoon"),
    ],
)
def test_typos_and_compounds_are_forgiven(question: str, guideline: str) -> None:
    result = understand(question, KB)
    assert isinstance(result, Answer) and result.guideline.id == guideline


def test_concern_topics_and_unknown_questions_are_confidential() -> None:
    for question in ("wie is de vertrouwenspersoon?", "ik word gepest", "fraude door bestuurder"):
        assert understand(question, KB).confidential, question
    assert understand("wat is het weer morgen", KB).confidential
    # The best match is housing, but bullying was mentioned: the turn is confidential all the same.
    mixed = understand("ik word gepest door iemand van de afdeling Wonen", KB)
    assert isinstance(mixed, Answer) and mixed.confidential
    assert not understand("mag ik de aanhangwagen lenen?", KB).confidential
    assert not understand("hallo", KB).confidential


def test_every_guideline_has_both_languages_a_section_and_a_known_flow() -> None:
    for guideline in KB.guidelines:
        for language in ("nl", "en"):
            text = guideline.text(language)
            assert text.title and text.points and text.keywords, guideline.id
            assert guideline.section[language], guideline.id
        assert guideline.flow is None or guideline.flow in flows(KINDS), guideline.id
        if guideline.triggers:
            assert guideline.flow, f"{guideline.id}: triggers without a flow to open"


def test_the_topics_the_issue_asks_for_are_in_the_knowledge_base() -> None:
    ids = {g.id for g in KB.guidelines}
    assert {
        "respect",
        "safe_workplace",
        "company_property",
        "trailer",
        "press",
        "social_media",
        "housing",
        "scope",
        "enforcement",
        "vertrouwenspersoon",
        "meldregeling",
        "miw",
    } <= ids


def test_a_malformed_knowledge_file_names_the_entry() -> None:
    with pytest.raises(KnowledgeError, match=r"guidelines\[0\]"):
        parse_guidelines({"guidelines": [{"id": "x", "section": {"nl": "§1"}}]})
    with pytest.raises(KnowledgeError, match="unique"):
        entry = {
            "id": "x",
            "section": {"nl": "§1", "en": "§1"},
            **{lang: {"title": "t", "points": ["p"], "keywords": "k"} for lang in ("nl", "en")},
        }
        parse_guidelines({"guidelines": [entry, entry]})


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("aanhangwagen", "aanhanwagen", 1), ("cadeau", "caedau", 1), ("kat", "kat", 0), ("", "ab", 2)],
)
def test_edit_distance_counts_swaps_as_one(a: str, b: str, distance: int) -> None:
    assert _distance(a, b) == distance


@pytest.mark.parametrize(
    "question",
    [
        "mag ik een grapje maken over iemands afkomst?",  # respect (§1)
        "wat doe ik als ik gediscrimineerd word?",
        "wat moet ik doen bij intimidatie door mijn leidinggevende?",
        "what should I do about sexual harassment at work?",
        "is pesten op het werk toegestaan?",
    ],
)
def test_respect_and_a_safe_workplace_are_confidential_with_the_contact_at_once(
    question: str,
) -> None:
    """§1: discrimination, intimidation, bullying, harassment: nothing kept of who asked, and
    the vertrouwenspersoon's contact comes with the answer."""
    result = understand(question, KB)
    assert isinstance(result, Answer), question
    assert result.guideline.id in ("respect", "safe_workplace")
    assert result.confidential and result.contact


def test_other_answers_do_not_offer_the_contact() -> None:
    for question in ("mag ik de aanhangwagen lenen?", "krijg ik voorrang op een huurwoning?"):
        result = understand(question, KB)
        assert isinstance(result, Answer) and not result.contact and not result.confidential


# The fresh labelled set (tests/unit/data/README.md): written by someone who never saw the
# matcher's keywords; the test part is only scored. What the matcher reaches on it is guarded
# so it cannot silently get worse. The issue's targets (top-1 >= 95%, no form opened for the
# wrong flow) are NOT met (docs/knowledge.md): these are the figures reached, not the targets.
TEST_TOP1_REACHED = 0.64
TEST_WRONG_FORMS_REACHED = 5
UNKNOWN_TARGET = 0.05
# The development part is among the shipped examples, so it is judged cross-validated: each
# fifth without its own sentences among the examples.
DEV_CROSS_VALIDATED_TOP1_REACHED = 0.69


def test_the_fresh_test_part_keeps_the_accuracy_reached() -> None:
    summary = summarise(evaluate(TEST))
    assert summary.total >= 250
    assert summary.accuracy >= TEST_TOP1_REACHED, f"top-1 {summary.accuracy:.1%}"
    assert summary.wrong_forms <= TEST_WRONG_FORMS_REACHED, summary
    assert summary.unknown_rate < UNKNOWN_TARGET, summary


def test_the_development_part_cross_validated_keeps_the_accuracy_and_opens_no_wrong_form() -> None:
    summary = summarise(cross_validate(DEV, folds=5))
    assert summary.accuracy >= DEV_CROSS_VALIDATED_TOP1_REACHED, f"top-1 {summary.accuracy:.1%}"
    assert summary.wrong_forms == 0, summary
    assert summary.unknown_rate < UNKNOWN_TARGET, summary


def test_the_examples_are_the_old_set_and_the_development_part_never_the_test_part() -> None:
    """The shipped examples are exactly what `--write-examples` makes, and the matcher never
    learns from a sentence it is scored on."""
    examples = {(e.text, e.label) for e in KB.examples}
    scored = {text for text, _ in labelled(TEST)}
    assert examples == {
        (text, want) for text, want in labelled(QUESTIONS) + labelled(DEV) if text not in scored
    }
    assert not scored & {e.text for e in KB.examples}
    shipped = Path(__file__).resolve().parents[2] / "bot" / "domain" / "examples.json"
    assert shipped.read_text("utf-8") == examples_file()


def test_an_example_sentence_is_understood_as_it_was_labelled() -> None:
    """The examples teach: a paraphrase close to one is answered like it, even when it avoids
    the guideline's own words (a gift described by what happened)."""
    result = understand("de loodgieter kwam gisteren langs met een doos bonbons", KB)
    assert isinstance(result, OpenFlow) and result.flow == "gift"


@pytest.mark.parametrize(
    ("statement", "guideline"),
    [
        ("mijn buurman is huurder en gaf me een fles wijn", "gifts"),  # gift or tenant?
        ("mijn oom huurt bij ons en nodigde me uit voor een etentje", "tenant_ties"),
    ],
)
def test_a_statement_about_two_flows_opens_no_form(statement: str, guideline: str) -> None:
    """A wrong form is worse than none: when another flow comes close, the statement gets the
    best topic's answer, with its form one tap away, instead of a form."""
    result = understand(statement, KB)
    assert isinstance(result, Answer) and result.guideline.id == guideline


@pytest.mark.parametrize(
    "message", ["laat me de opties zien", "wat kun je allemaal", "what can you do", "my options?"]
)
def test_asking_what_the_bot_can_do_shows_the_menu(message: str) -> None:
    assert understand(message, KB) == ShowMenu()


def test_a_malformed_examples_file_is_refused() -> None:
    with pytest.raises(KnowledgeError, match="examples"):
        parse_examples({"examples": [{"label": "menu"}]})
    with pytest.raises(KnowledgeError, match="unknown label"):
        KnowledgeBase(KB.guidelines, [Example("hallo", "guideline:nope")])


def test_the_fresh_set_is_labelled_with_known_labels_only() -> None:
    known = {f"guideline:{g.id}" for g in KB.guidelines} | {f"flow:{f}" for f in flows(KINDS)}
    known |= {"menu", "none"}
    for path in (DEV, TEST):
        assert {want for _, want in labelled(path)} <= known, path


@pytest.mark.parametrize(
    ("sentence", "for_a_manager"),
    [
        ("ik wil een overtreding melden", "violation"),  # the issue's own sentence
        ("ik wil een overtreding van een medewerker melden", "violation"),
        ("i want to report a violation", "violation"),
        ("ik wil een misstand melden", None),  # a suspicion: the meldregeling, for anyone
        ("ik wil een integriteitsschending melden", None),
        ("ik wil melden dat een collega de code overtreedt", None),
        ("ik wil melden wat ik zag", None),  # "zag" is a verb, not the topic's name
        ("mag ik een overtreding melden?", None),  # a question gets the answer
        ("wat gebeurt er als iemand de gedragscode overtreedt?", None),
    ],
)
def test_reporting_a_violation_is_a_managers_flow_only_when_the_sentence_names_it(
    sentence: str, for_a_manager: str | None
) -> None:
    understood = understand(sentence, KB)
    assert for_managers(sentence, understood, KB) == for_a_manager
    if for_a_manager is not None:
        # Anyone who manages nobody keeps the meldregeling: `understand` is unchanged.
        assert isinstance(understood, Answer | OpenFlow) and understood.confidential
