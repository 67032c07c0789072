"""The one card renderer: loads a JSON template and fills it on the parsed JSON tree.

Templates use a small, compatible subset of Adaptive Card Templating, so they open in the
Adaptive Cards Designer unchanged:

- `"${a.b}"` as a whole string is replaced by the value (any JSON type);
- `"text ${a.b} more"` interpolates the value as text;
- `"$when": "${a.b}"` / `"${!a.b}"` keeps an element only when the value is truthy / falsy;
- `"$data": "${items}"` repeats an element once per item; inside, names resolve against the
  item first and then the root (`${$root.x}` always means the root).

Values are never spliced into JSON text, so user input cannot change a card's structure. User
text that lands in a displayed `text`, `title` or `value` is escaped for Adaptive Card Markdown,
so it shows literally and never as a link or formatting. Texts from the locale files (`t.*`)
are ours and are not escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

import orjson

from cards.texts import texts_for

_WHOLE = re.compile(r"^\$\{(!?)([^{}]+)\}$")
_PART = re.compile(r"\$\{([^{}]+)\}")
_ESCAPED_KEYS = frozenset({"text", "title", "value", "altText", "fallbackText"})
_MARKDOWN = re.compile(r"([\\`*_\[\]~<>#|])")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+\.)[ \t]", re.MULTILINE)
# Either of the above anywhere: most texts have neither and are returned as they are.
_NEEDS_ESCAPE = re.compile(r"[\\`*_\[\]~<>#|]|^\s*(?:[-+]|\d+\.)[ \t]", re.MULTILINE)
_MISSING = object()
_RAW_KEYS = frozenset({"choices", "data", "userIds"})  # codes and ids, never shown as Markdown


class TemplateError(LookupError):
    """A template names a value the caller did not supply."""


class Card(dict[str, Any]):
    """A rendered card: JSON values only (str, numbers, bool, None, lists and dicts of them),
    so the activity codec sends it as it is instead of walking it (`bot.teams.codec`). Code
    that adds to a rendered card adds JSON values too."""


# A compiled template node: (scope, root) -> the filled JSON value.
Fill = Callable[[Mapping[str, Any], Mapping[str, Any]], Any]


@cache
def _template(name: str) -> Any:
    text = resources.files("cards").joinpath("templates", f"{name}.json").read_text("utf-8")
    return json.loads(text)


@cache
def _compiled(name: str) -> Fill:
    return _compile(_template(name), key="", container=None)


def template_names() -> list[str]:
    """Names of every card template shipped in `cards/templates`."""
    folder = resources.files("cards").joinpath("templates")
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


def render(name: str, locale: str, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Fill template `name` with `data` and the texts for `locale` (available as `t`)."""
    root: dict[str, Any] = {"t": texts_for(locale)}
    root.update(data or {})
    # The compiled template builds every object and list anew (its constant parts are copied
    # from their JSON text), so the cached template is never changed.
    result = _compiled(name)(root, root)
    if not isinstance(result, dict):
        raise TemplateError(f"template {name} did not render to an object")
    return Card(result)


def card_json(value: Any) -> bytes:
    """A card, or an activity or answer carrying cards, as the compact UTF-8 JSON Teams gets
    (orjson: a tenth of json.dumps' CPU). A key that is not a string is written as one, as
    json.dumps writes it, never refused mid-send."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def escape_markdown(text: str) -> str:
    """Make user text show literally in an Adaptive Card TextBlock. A list marker at a line's
    start ("1. eerst bellen", "- item") is kept as typed and followed by a no-break space, which
    no Markdown reads as a list (a backslash before it would show as typed in Teams)."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    escaped = _MARKDOWN.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2) + "\u00a0", escaped)


def _escape_tree(node: Any, key: str = "", container: Any = None) -> Any:
    """Escape displayed strings inside a structure supplied as a whole (e.g. a FactSet's facts)."""
    kind = type(node)
    if kind is dict:
        return {k: v if k in _RAW_KEYS else _escape_tree(v, k, node) for k, v in node.items()}
    if kind is list:
        return [_escape_tree(item, key, container) for item in node]
    if kind is not str and isinstance(node, dict | list):  # subclasses, the slow way
        return _escape_tree(dict(node) if isinstance(node, dict) else list(node), key, container)
    if isinstance(node, str) and _shown_as_markdown(key, container):
        return escape_markdown(node)
    return node


def _shown_as_markdown(key: str, container: Any) -> bool:
    """Whether a string under `key` of `container` is displayed as Markdown (an input's value
    and label are not)."""
    return key in _ESCAPED_KEYS and not (
        isinstance(container, Mapping) and str(container.get("type", "")).startswith("Input.")
    )


def _trusted(path: str) -> bool:
    return path.strip().startswith(("t.", "$root.t."))


def _path(text: str) -> tuple[bool, tuple[str, ...]]:
    """A `${...}` name as (from the root, its parts); `$root.` and its absence resolved here."""
    parts = tuple(text.strip().split("."))
    if parts[0] == "$root":
        return True, parts[1:]
    return False, parts


def _getter(text: str) -> Callable[[Mapping[str, Any], Mapping[str, Any]], Any]:
    """Look a name up in the scope (or the root when the scope lacks its first part)."""
    from_root, parts = _path(text)
    first = parts[0] if parts else ""

    def get(scope: Mapping[str, Any], root: Mapping[str, Any]) -> Any:
        base: Any = root if from_root or first not in scope else scope
        for part in parts:
            if (type(base) is dict or isinstance(base, Mapping)) and part in base:
                base = base[part]
            elif isinstance(base, list) and part.isdigit() and int(part) < len(base):
                base = base[int(part)]
            else:
                return _MISSING
        return base

    return get


def _required(text: str) -> Callable[[Mapping[str, Any], Mapping[str, Any]], Any]:
    get = _getter(text)

    def value(scope: Mapping[str, Any], root: Mapping[str, Any]) -> Any:
        found = get(scope, root)
        if found is _MISSING:
            raise TemplateError(f"no value for ${{{text}}}")
        return found

    return value


Keep = Callable[[Mapping[str, Any], Mapping[str, Any]], bool]


def _condition(node: Mapping[str, Any]) -> Keep | None:
    """The element's `$when`, compiled; None when it has none."""
    condition = node.get("$when")
    if condition is None:
        return None
    match = _WHOLE.match(str(condition))
    if not match:
        raise TemplateError(f"unsupported $when: {condition}")
    get = _getter(match.group(2))
    negated = bool(match.group(1))

    def keep(scope: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
        value = get(scope, root)
        truthy = bool(value) and value is not _MISSING
        return not truthy if negated else truthy

    return keep


def _static(node: Any) -> bool:
    if isinstance(node, dict):
        return not ({"$when", "$data"} & node.keys()) and all(_static(v) for v in node.values())
    if isinstance(node, list):
        return all(_static(item) for item in node)
    return not (isinstance(node, str) and "${" in node)


def _constant(node: Any) -> Fill:
    if not isinstance(node, dict | list):
        return lambda scope, root: node
    text = json.dumps(node)  # a fresh copy per render, at the C decoder's speed
    return lambda scope, root: json.loads(text)


def _compile(node: Any, key: str, container: Any) -> Fill:
    """Turn a template node into a function filling it: names are split, conditions parsed,
    escaping decided and constant parts serialised once, not on every render."""
    if _static(node):
        return _constant(node)
    if isinstance(node, dict):
        return _compile_object(node)
    if isinstance(node, list):
        return _compile_list(node, key, container)
    return _compile_string(node, key, container)


def _compile_object(node: dict[str, Any]) -> Fill:
    entries: list[tuple[str, Fill, Keep | None]] = []
    for k, v in node.items():
        if k == "$when":
            continue
        when = _condition(v) if isinstance(v, dict) else None
        entries.append((k, _compile(v, k, node), when))

    def fill(scope: Mapping[str, Any], root: Mapping[str, Any]) -> Any:
        result: dict[str, Any] = {}
        for k, child, when in entries:
            # filled before its condition is looked at, as the interpreter this replaced did:
            # a hidden part naming a value nobody supplies is still a TemplateError in tests
            filled = child(scope, root)
            if when is not None and not when(scope, root):
                continue
            result[k] = filled
        return result

    return fill


def _compile_list(node: list[Any], key: str, container: Any) -> Fill:
    # (fill, its condition, repeated over which items)
    items: list[tuple[Fill, Keep | None, Fill | None]] = []
    for item in node:
        if isinstance(item, dict) and "$data" in item:
            match = _WHOLE.match(str(item["$data"]))
            if not match:
                raise TemplateError(f"unsupported $data: {item['$data']}")
            body = {k: v for k, v in item.items() if k != "$data"}
            items.append((_compile_object(body), _condition(body), _required(match.group(2))))
        elif isinstance(item, dict):
            items.append((_compile(item, key, container), _condition(item), None))
        else:
            items.append((_compile(item, key, container), None, None))

    def fill(scope: Mapping[str, Any], root: Mapping[str, Any]) -> Any:
        out: list[Any] = []
        for child, when, data in items:
            if data is not None:
                for element in data(scope, root) or []:
                    item_scope = element if isinstance(element, Mapping) else {"$item": element}
                    if when is None or when(item_scope, root):
                        out.append(child(item_scope, root))
            elif when is None or when(scope, root):
                out.append(child(scope, root))
        return out

    return fill


def _compile_string(text: str, key: str, container: Any) -> Fill:
    escape = _shown_as_markdown(key, container)
    whole = _WHOLE.match(text)
    if whole and not whole.group(1):
        path = whole.group(2)
        value_of = _required(path)
        if _trusted(path):
            return value_of
        raw = key in _RAW_KEYS

        def whole_value(scope: Mapping[str, Any], root: Mapping[str, Any]) -> Any:
            value = value_of(scope, root)
            if escape and isinstance(value, str):
                return escape_markdown(value)
            if isinstance(value, dict | list) and not raw:
                return _escape_tree(value)
            return value

        return whole_value

    # literal text and names, alternating: [text, name, text, name, ..., text]
    pieces = _PART.split(text)
    literals = pieces[0::2]
    names = [(_required(p), escape and not _trusted(p)) for p in pieces[1::2]]

    def interpolated(scope: Mapping[str, Any], root: Mapping[str, Any]) -> str:
        out = [literals[0]]
        for (value_of, escaped), after in zip(names, literals[1:], strict=True):
            value = value_of(scope, root)
            shown = "" if value is None else str(value)
            out.append(escape_markdown(shown) if escaped else shown)
            out.append(after)
        return "".join(out)

    return interpolated
