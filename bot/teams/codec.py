"""The Bot Framework activity codec: msrest's JSON, built directly for the schema's types.

`ActivitySerializer` gives the same JSON as msrest's serializer for outgoing activities, and
`activity_from_json` the same objects as `Activity().deserialize` for incoming ones (both
checked against msrest by property tests), at a fraction of the cost: msrest deserializes an
outgoing activity again, validates it and deep-copies every card before serializing it, and
deserializing the incoming activity was about a sixth of a menu turn's CPU.

Both read the schema msrest reads (each model's `_attribute_map` and `_validation`, which the
generated Bot Framework models declare) and leave anything they do not know to msrest. What a
model's schema says is worked out once per model (a plan: which attribute goes to which key,
converted how), not again for every activity.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from botbuilder.schema import Activity, ConversationReference
from botframework.connector import models as connector_models
from msrest.serialization import Deserializer, Model, Serializer

from cards.render import Card

# The Bot Framework schema's models by name, as msrest's (de)serializers want them.
MODELS = {k: v for k, v in connector_models.__dict__.items() if isinstance(v, type)}
_PLAIN = (str, int, float, bool)

Convert = Callable[[Any], Any]


class _Unsupported(Exception):
    """A value `ActivitySerializer` leaves to msrest."""


class ActivitySerializer(Serializer):
    """msrest's serializer, with a direct path for `Activity` bodies.

    Produces exactly msrest's JSON for the types the Bot Framework schema uses (models, lists,
    dicts, str, numbers, bool, ISO dates, free-form objects) and hands anything else (bytes,
    flattened keys, XML) back to msrest.
    """

    def __init__(self) -> None:
        super().__init__(MODELS)  # type: ignore[no-untyped-call]

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        if data_type == "Activity" and isinstance(data, Model) and not kwargs:
            try:
                return _to_json(data)
            except _Unsupported:
                pass
        return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]

    def _model(self, model: Any) -> dict[str, Any]:
        return _to_json(model)


# -- serializing: model -> JSON ---------------------------------------------------------------

# Per model class: (attribute, key, converter) for every attribute msrest writes, or the
# reason it is left to msrest.
_WRITE_PLANS: dict[type, tuple[tuple[str, str, Convert], ...] | _Unsupported] = {}


def _to_json(model: Any) -> dict[str, Any]:
    plan = _WRITE_PLANS.get(type(model))
    if plan is None:
        plan = _WRITE_PLANS[type(model)] = _write_plan(type(model))
    if isinstance(plan, _Unsupported):
        raise plan
    out: dict[str, Any] = {}
    for attr, key, convert in plan:
        value = getattr(model, attr, None)
        if value is not None:
            out[key] = convert(value)
    return out


def _write_plan(model: type) -> tuple[tuple[str, str, Convert], ...] | _Unsupported:
    readonly = getattr(model, "_validation", {})
    plan = []
    for attr, desc in model._attribute_map.items():  # type: ignore[attr-defined]
        if readonly.get(attr, {}).get("readonly", False):
            continue
        key = desc["key"]
        if attr == "additional_properties" or "." in key or not key:
            return _Unsupported(key)
        plan.append((attr, key, _writer(desc["type"])))
    return tuple(plan)


def _str(value: Any) -> Any:
    return value.value if hasattr(value, "value") else str(value)


def _iso(value: Any) -> Any:
    return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]


def _writer(data_type: str) -> Convert:
    """The converter msrest's serializer applies to a value of `data_type` (a type it does
    not know raises `_Unsupported` when a value of it is written, as msrest would be asked)."""
    if data_type == "str":
        return _str
    if data_type in ("int", "float", "bool"):
        return {"int": int, "float": float, "bool": bool}[data_type]
    if data_type == "iso-8601":
        return _iso
    if data_type == "object":
        return _object
    if data_type.startswith("[") and data_type.endswith("]"):
        item = _writer(data_type[1:-1])
        return lambda value: [None if v is None else item(v) for v in value]
    if data_type.startswith("{") and data_type.endswith("}"):
        entry = _writer(data_type[1:-1])
        return lambda value: {str(k): None if v is None else entry(v) for k, v in value.items()}
    if data_type in MODELS:

        def model(value: Any) -> Any:
            if not isinstance(value, Model):
                raise _Unsupported(data_type)
            return _to_json(value)

        return model

    def unsupported(value: Any) -> Any:
        raise _Unsupported(data_type)

    return unsupported


def _object(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN or value is None:
        return value
    if kind is dict:
        return {str(k): _object(v) for k, v in value.items()}
    if kind is Card:  # rendered from a template: JSON already, and sent as it is
        return value
    if kind is list:
        return [_object(item) for item in value]
    if kind is datetime.datetime:
        return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
    if isinstance(value, Model):
        return _to_json(value)
    raise _Unsupported(kind.__name__)


_SERIALIZER = ActivitySerializer()  # stateless


def model_to_json(model: Model) -> Any:
    """`model.serialize()` (msrest's JSON of any schema model, e.g. the invoke answer), built
    directly like an outgoing activity; anything the codec does not know goes to msrest."""
    try:
        return _to_json(model)
    except _Unsupported:
        return model.serialize()  # type: ignore[no-untyped-call]


# -- deserializing: JSON -> model -------------------------------------------------------------


def reference_from_json(body: dict[str, Any]) -> ConversationReference:
    """`ConversationReference().deserialize(body)`, built directly (a stored reference, read
    for every proactive message); anything the codec does not know goes to msrest."""
    try:
        reference = model_from_json(ConversationReference, body)
    except _Unsupported:
        return ConversationReference().deserialize(body)
    assert isinstance(reference, ConversationReference)
    return reference


def activity_from_json(body: dict[str, Any]) -> Activity:
    """`Activity().deserialize(body)`, with a direct path for what Teams sends.

    Builds the same objects msrest builds (every attribute passed, None when absent, unknown
    keys in `additional_properties`) for the types the Bot Framework schema uses, and hands
    anything else to msrest: a value of an unexpected type, flattened keys, polymorphic models.
    Deserializing the incoming activity was about a sixth of a menu turn's CPU with msrest."""
    try:
        activity = model_from_json(Activity, body)
    except _Unsupported:
        return Activity().deserialize(body)
    assert isinstance(activity, Activity)
    return activity


# Per model class: its known keys and (attribute, key, converter) for each, or the reason it
# is left to msrest.
_ReadPlan = tuple[frozenset[str], tuple[tuple[str, str, Convert], ...]]
_READ_PLANS: dict[type, _ReadPlan | _Unsupported] = {}


def model_from_json(model: type[Model], data: Any) -> Model:
    plan = _READ_PLANS.get(model)
    if plan is None:
        plan = _READ_PLANS[model] = _read_plan(model)
    if isinstance(plan, _Unsupported):
        raise plan
    if type(data) is not dict:
        raise _Unsupported(model.__name__)
    known, fields = plan
    kwargs: dict[str, Any] = {}
    get = data.get
    for attr, key, convert in fields:
        value = get(key)
        kwargs[attr] = None if value is None else convert(value)
    built = model(**kwargs)
    if len(data) > len(known) or not known.issuperset(data):
        extra = {key: value for key, value in data.items() if key not in known}
        if extra:  # msrest keeps unknown keys (e.g. Teams' conversation.tenantId) here
            built.additional_properties = extra
    return built


def _read_plan(model: type[Model]) -> _ReadPlan | _Unsupported:
    if getattr(model, "_subtype_map", None):
        return _Unsupported(model.__name__)
    validation = getattr(model, "_validation", {})
    if any(v.get("readonly") or v.get("constant") for v in validation.values()):
        return _Unsupported(model.__name__)
    fields = []
    for attr, desc in model._attribute_map.items():
        key = desc["key"]
        if attr == "additional_properties" or "." in key or "\\" in key or not key:
            return _Unsupported(key)
        fields.append((attr, key, _reader(desc["type"])))
    return frozenset(key for _, key, _ in fields), tuple(fields)


def _reader(data_type: str) -> Convert:
    """The converter msrest's deserializer applies to a JSON value of `data_type`; a value of
    another JSON type raises `_Unsupported` (msrest coerces or fails on it)."""
    if data_type == "str":

        def string(value: Any) -> Any:
            if type(value) is not str:
                raise _Unsupported("str")
            return value

        return string
    if data_type in ("bool", "int"):
        plain = bool if data_type == "bool" else int

        def exact(value: Any) -> Any:
            if type(value) is not plain:
                raise _Unsupported(data_type)
            return value

        return exact
    if data_type == "float":

        def number(value: Any) -> Any:
            if type(value) not in (int, float):
                raise _Unsupported("float")
            return float(value)

        return number
    if data_type == "iso-8601":
        return _read_iso
    if data_type == "object":
        return _json_object
    if data_type.startswith("[") and data_type.endswith("]"):
        item = _reader(data_type[1:-1])
        return _of_type(
            list, data_type, lambda value: [None if v is None else item(v) for v in value]
        )
    if data_type.startswith("{") and data_type.endswith("}"):
        entry = _reader(data_type[1:-1])
        return _of_type(
            dict,
            data_type,
            lambda value: {k: None if v is None else entry(v) for k, v in value.items()},
        )
    model = MODELS.get(data_type)
    if model is not None:
        return lambda value: model_from_json(model, value)

    def unsupported(value: Any) -> Any:
        raise _Unsupported(data_type)

    return unsupported


def _of_type(expected: type, data_type: str, build: Convert) -> Convert:
    """`build(value)` for a JSON value of exactly type `expected` (any other is msrest's)."""

    def read(value: Any) -> Any:
        if type(value) is not expected:
            raise _Unsupported(data_type)
        return build(value)

    return read


# What Teams sends (e.g. 2026-11-29T10:00:01.005Z): read with the standard library; anything
# else (more than microseconds, lower case, other years) as msrest reads it.
_TEAMS_TIME = re.compile(r"(?:19|20)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)")


def _read_iso(value: Any) -> Any:
    if type(value) is not str:
        raise _Unsupported("iso-8601")
    if _TEAMS_TIME.fullmatch(value):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            pass
    return Deserializer.deserialize_iso(value)  # type: ignore[no-untyped-call]


def _json_object(value: Any) -> Any:
    """msrest's free-form objects: fresh dicts and lists, the JSON's own scalars."""
    kind = type(value)
    if kind is dict:
        return {k: _json_object(v) for k, v in value.items()}
    if kind is list:
        return [_json_object(v) for v in value]
    return value
