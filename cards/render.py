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
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from cards.texts import texts_for

_WHOLE = re.compile(r"^\$\{(!?)([^{}]+)\}$")
_PART = re.compile(r"\$\{([^{}]+)\}")
_ESCAPED_KEYS = frozenset({"text", "title", "value", "altText", "fallbackText"})
_MARKDOWN = re.compile(r"([\\`*_\[\]~<>#|])")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+\.)[ \t]", re.MULTILINE)
_MISSING = object()
_RAW_KEYS = frozenset({"choices", "data", "userIds"})  # codes and ids, never shown as Markdown


class TemplateError(LookupError):
    """A template names a value the caller did not supply."""


@cache
def _template(name: str) -> Any:
    text = resources.files("cards").joinpath("templates", f"{name}.json").read_text("utf-8")
    return json.loads(text)


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
    # _fill builds every object and list anew, so the cached template is never changed.
    result = _fill(_template(name), root, root, key="", container=None)
    if not isinstance(result, dict):
        raise TemplateError(f"template {name} did not render to an object")
    return result


def escape_markdown(text: str) -> str:
    """Make user text show literally in an Adaptive Card TextBlock. A list marker at a line's
    start ("1. eerst bellen", "- item") is kept as typed and followed by a no-break space, which
    no Markdown reads as a list (a backslash before it would show as typed in Teams)."""
    escaped = _MARKDOWN.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2) + "\u00a0", escaped)


def _lookup(path: str, scope: Mapping[str, Any], root: Mapping[str, Any]) -> Any:
    parts = path.strip().split(".")
    if parts[0] == "$root":
        base: Any = root
        parts = parts[1:]
    else:
        base = scope if parts[0] in scope else root
    for part in parts:
        if isinstance(base, Mapping) and part in base:
            base = base[part]
        elif isinstance(base, list) and part.isdigit() and int(part) < len(base):
            base = base[int(part)]
        else:
            return _MISSING
    return base


def _value(path: str, scope: Mapping[str, Any], root: Mapping[str, Any]) -> Any:
    value = _lookup(path, scope, root)
    if value is _MISSING:
        raise TemplateError(f"no value for ${{{path}}}")
    return value


def _escape_tree(node: Any, key: str = "", container: Any = None) -> Any:
    """Escape displayed strings inside a structure supplied as a whole (e.g. a FactSet's facts)."""
    if isinstance(node, dict):
        return {k: v if k in _RAW_KEYS else _escape_tree(v, k, node) for k, v in node.items()}
    if isinstance(node, list):
        return [_escape_tree(item, key, container) for item in node]
    if (
        isinstance(node, str)
        and key in _ESCAPED_KEYS
        and not (
            isinstance(container, Mapping) and str(container.get("type", "")).startswith("Input.")
        )
    ):
        return escape_markdown(node)
    return node


def _trusted(path: str) -> bool:
    return path.strip().startswith(("t.", "$root.t."))


def _fill(
    node: Any, scope: Mapping[str, Any], root: Mapping[str, Any], key: str, container: Any
) -> Any:
    if isinstance(node, dict):
        return _fill_object(node, scope, root)
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            if isinstance(item, dict) and "$data" in item:
                out.extend(_repeat(item, scope, root))
            elif isinstance(item, dict) and not _keep(item, scope, root):
                continue
            else:
                out.append(_fill(item, scope, root, key, container))
        return out
    if isinstance(node, str) and "${" in node:
        return _fill_string(node, scope, root, key, container)
    return node


def _fill_object(node: dict[str, Any], scope: Mapping[str, Any], root: Mapping[str, Any]) -> Any:
    result: dict[str, Any] = {}
    for k, v in node.items():
        if k == "$when":
            continue
        filled = _fill(v, scope, root, k, node)
        if isinstance(v, dict) and "$when" in v and not _keep(v, scope, root):
            continue
        result[k] = filled
    return result


def _keep(node: Mapping[str, Any], scope: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    condition = node.get("$when")
    if condition is None:
        return True
    match = _WHOLE.match(str(condition))
    if not match:
        raise TemplateError(f"unsupported $when: {condition}")
    value = _lookup(match.group(2), scope, root)
    truthy = bool(value) and value is not _MISSING
    return not truthy if match.group(1) else truthy


def _repeat(node: dict[str, Any], scope: Mapping[str, Any], root: Mapping[str, Any]) -> list[Any]:
    match = _WHOLE.match(str(node["$data"]))
    if not match:
        raise TemplateError(f"unsupported $data: {node['$data']}")
    items = _value(match.group(2), scope, root)
    body = {k: v for k, v in node.items() if k != "$data"}
    out = []
    for item in items or []:
        item_scope = item if isinstance(item, Mapping) else {"$item": item}
        if _keep(body, item_scope, root):
            out.append(_fill_object(body, item_scope, root))
    return out


def _fill_string(
    text: str, scope: Mapping[str, Any], root: Mapping[str, Any], key: str, container: Any
) -> Any:
    escape = key in _ESCAPED_KEYS and not (
        isinstance(container, Mapping) and str(container.get("type", "")).startswith("Input.")
    )
    whole = _WHOLE.match(text)
    if whole and not whole.group(1):
        value = _value(whole.group(2), scope, root)
        if _trusted(whole.group(2)):
            return value
        if escape and isinstance(value, str):
            return escape_markdown(value)
        if isinstance(value, dict | list) and key not in _RAW_KEYS:
            return _escape_tree(value)
        return value

    def substitute(match: re.Match[str]) -> str:
        path = match.group(1)
        value = _value(path, scope, root)
        shown = "" if value is None else str(value)
        return escape_markdown(shown) if escape and not _trusted(path) else shown

    return _PART.sub(substitute, text)
