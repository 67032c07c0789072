import pytest

from cards import escape_markdown, render, text
from cards.render import TemplateError, card_json
from dialogs.menu import menu_card
from tests.support.kinds import KINDS


def test_dutch_is_the_default_and_english_follows_the_teams_locale() -> None:
    assert menu_card(KINDS, "nl-NL")["body"][0]["text"] == "Integriteitsbot van Woongroen"
    assert menu_card(KINDS, "")["body"][0]["text"] == "Integriteitsbot van Woongroen"
    assert menu_card(KINDS, "en-GB")["body"][0]["text"] == "Woongroen integrity bot"


def test_menu_has_one_execute_button_per_flow_in_order_then_my_requests() -> None:
    card = menu_card(KINDS, "nl-NL", "Sanne de Vries")
    verbs = [
        action["verb"]
        for element in card["body"]
        if element["type"] == "ActionSet"
        for action in element["actions"]
    ]
    flows = (
        "gift",
        "invitation",
        "sidejob",
        "supplier",
        "tenant",
        "housing",
        "press",
        "social",
        "borrow",
        "trailer",
        "raffle",
        "violation",
        "dataleak",
        "concern",
        "question",
    )
    assert verbs == [f"{flow}.open" for flow in flows] + ["mine.open"]
    assert any(e.get("text") == "Hoi Sanne!" for e in card["body"])


def test_greeting_is_left_out_without_a_name() -> None:
    card = menu_card(KINDS, "nl-NL", "")
    assert not any(str(e.get("text", "")).startswith("Hoi") for e in card["body"])


def test_user_text_is_escaped_so_it_cannot_format_or_link() -> None:
    card = render("error", "nl", {"message": "[klik](https://evil.example) **vet**"})
    shown = card["body"][1]["text"]
    assert shown == "\\[klik\\](https://evil.example) \\*\\*vet\\*\\*"


def test_markdown_list_markers_at_line_start_show_as_typed_and_make_no_list() -> None:
    # a backslash before "1." showed in Teams as typed ("\\1. eerst bellen"); a no-break space
    # after the marker keeps it from being read as a list and shows the same
    assert escape_markdown("- een\n1. twee") == "-\u00a0een\n1.\u00a0twee"
    assert escape_markdown("1. eerst bellen") == "1.\u00a0eerst bellen"
    assert escape_markdown("45,50 - 50,00") == "45,50 - 50,00"


def test_a_missing_value_is_an_error_not_an_empty_text() -> None:
    with pytest.raises(TemplateError, match="message"):
        render("error", "nl", {})


def test_plain_texts_fill_placeholders() -> None:
    assert text("nl", "errors.title") == "Dat lukte niet"
    assert text("en", "errors.title") == "That did not work"


def test_dutch_and_english_have_the_same_keys() -> None:
    from cards.texts import texts_for

    def keys(node: object, prefix: str = "") -> set[str]:
        if isinstance(node, dict):
            return {k for key, v in node.items() for k in keys(v, f"{prefix}{key}.")}
        return {prefix.rstrip(".")}

    assert keys(texts_for("nl")) == keys(texts_for("en"))


def test_the_menu_cache_forgets_after_its_time_and_on_request() -> None:
    from bot.cache import TtlCache

    now = [0.0]
    cache: TtlCache[str, int] = TtlCache(60.0, size=2, now=lambda: now[0])
    cache.put("a", 1)
    assert cache.get("a") == 1
    now[0] = 61.0
    assert cache.get("a") is None
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)  # over size: the oldest goes
    assert (cache.get("a"), cache.get("c")) == (None, 3)
    cache.drop("c")
    assert cache.get("c") is None


def test_rendering_never_changes_the_cached_template() -> None:
    import json as _json

    from cards.render import _template

    before = _json.dumps(_template("welcome"), sort_keys=True)
    card = menu_card(KINDS, "nl-NL", "Sanne de Vries")
    card["body"][0]["text"] = "changed by a caller"
    card["body"].append({"type": "TextBlock", "text": "extra"})
    assert _json.dumps(_template("welcome"), sort_keys=True) == before
    assert (
        menu_card(KINDS, "nl-NL", "Sanne de Vries")["body"][0]["text"]
        == "Integriteitsbot van Woongroen"
    )


def test_a_card_is_sent_as_the_json_json_dumps_gives_compact_and_in_utf8() -> None:
    """What goes to Teams reads back as json.dumps would have written it: a key that is not a
    string (e.g. a count put into a card's data) becomes one instead of failing the send."""
    import json

    card = menu_card(KINDS, "nl-NL")
    carried = {"type": "message", "attachments": [{"content": card}], "value": {3: "drie"}}
    sent = card_json(carried)
    compact = json.dumps(carried, ensure_ascii=False, separators=(",", ":")).encode()
    assert sent == compact  # byte for byte what json.dumps gives, compact
    assert "é".encode() in card_json({"t": "café"})  # UTF-8, not \\u escapes
