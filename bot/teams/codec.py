"""The Bot Framework activity codec: msrest's JSON, built directly for the schema's types.

`ActivitySerializer` gives the same JSON as msrest's serializer for outgoing activities, and
`activity_from_json` the same objects as `Activity().deserialize` for incoming ones (both
checked against msrest by property tests), at a fraction of the cost: msrest deserializes an
outgoing activity again, validates it and deep-copies every card before serializing it, and
deserializing the incoming activity was about a sixth of a menu turn's CPU.

Both read the schema msrest reads (each model's `_attribute_map` and `_validation`, which the
generated Bot Framework models declare) and leave anything they do not know to msrest.
"""

from __future__ import annotations

import datetime
from typing import Any

from botbuilder.schema import Activity, ConversationReference
from botframework.connector import models as connector_models
from msrest.serialization import Deserializer, Model, Serializer

from cards.render import Card

# The Bot Framework schema's models by name, as msrest's (de)serializers want them.
MODELS = {k: v for k, v in connector_models.__dict__.items() if isinstance(v, type)}
_PLAIN = (str, int, float, bool)


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
                return self._model(data)
            except _Unsupported:
                pass
        return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]

    def _model(self, model: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        readonly = getattr(model, "_validation", {})
        for attr, desc in model._attribute_map.items():
            if readonly.get(attr, {}).get("readonly", False):
                continue
            key = desc["key"]
            if attr == "additional_properties" or "." in key or not key:
                raise _Unsupported(key)
            value = getattr(model, attr, None)
            if value is not None:
                out[key] = self._typed(value, desc["type"])
        return out

    def _typed(self, value: Any, data_type: str) -> Any:
        if value is None:
            return None
        if data_type == "str":
            return value.value if hasattr(value, "value") else str(value)
        if data_type in ("int", "float", "bool"):
            return {"int": int, "float": float, "bool": bool}[data_type](value)
        if data_type == "iso-8601":
            return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
        if data_type == "object":
            return self._object(value)
        if data_type.startswith("[") and data_type.endswith("]"):
            return [self._typed(item, data_type[1:-1]) for item in value]
        if data_type.startswith("{") and data_type.endswith("}"):
            return {str(k): self._typed(v, data_type[1:-1]) for k, v in value.items()}
        if data_type in MODELS and isinstance(value, Model):
            return self._model(value)
        raise _Unsupported(data_type)

    def _object(self, value: Any) -> Any:
        kind = type(value)
        if kind in _PLAIN or value is None:
            return value
        if kind is dict:
            return {str(k): self._object(v) for k, v in value.items()}
        if kind is Card:  # rendered from a template: JSON already, and sent as it is
            return value
        if kind is list:
            return [self._object(item) for item in value]
        if kind is datetime.datetime:
            return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
        if isinstance(value, Model):
            return self._model(value)
        raise _Unsupported(kind.__name__)


_SERIALIZER = ActivitySerializer()  # stateless


def model_to_json(model: Model) -> Any:
    """`model.serialize()` (msrest's JSON of any schema model, e.g. the invoke answer), built
    directly like an outgoing activity; anything the codec does not know goes to msrest."""
    try:
        return _SERIALIZER._model(model)
    except _Unsupported:
        return model.serialize()  # type: ignore[no-untyped-call]


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


def model_from_json(model: type[Model], data: Any) -> Model:
    if type(data) is not dict or getattr(model, "_subtype_map", None):
        raise _Unsupported(model.__name__)
    validation = getattr(model, "_validation", {})
    if any(v.get("readonly") or v.get("constant") for v in validation.values()):
        raise _Unsupported(model.__name__)
    kwargs: dict[str, Any] = {}
    known = set()
    for attr, desc in model._attribute_map.items():
        key = desc["key"]
        if attr == "additional_properties" or "." in key or "\\" in key or not key:
            raise _Unsupported(key)
        known.add(key)
        value = data.get(key)
        kwargs[attr] = None if value is None else _json_value(value, desc["type"])
    built = model(**kwargs)
    extra = {key: value for key, value in data.items() if key not in known}
    if extra:  # msrest keeps unknown keys (e.g. Teams' conversation.tenantId) here
        built.additional_properties = extra
    return built


def _json_value(value: Any, data_type: str) -> Any:
    kind = type(value)
    if data_type == "str":
        if kind is not str:
            raise _Unsupported("str")
        return value
    if (data_type == "bool" and kind is bool) or (data_type == "int" and kind is int):
        return value
    if data_type == "float" and kind in (int, float):
        return float(value)
    if data_type == "iso-8601" and kind is str:
        return Deserializer.deserialize_iso(value)  # type: ignore[no-untyped-call]
    if data_type == "object":
        return _json_object(value)
    if data_type.startswith("[") and data_type.endswith("]") and kind is list:
        return [None if v is None else _json_value(v, data_type[1:-1]) for v in value]
    if data_type.startswith("{") and data_type.endswith("}") and kind is dict:
        return {k: None if v is None else _json_value(v, data_type[1:-1]) for k, v in value.items()}
    model = MODELS.get(data_type)
    if model is not None:
        return model_from_json(model, value)
    raise _Unsupported(data_type)


def _json_object(value: Any) -> Any:
    """msrest's free-form objects: fresh dicts and lists, the JSON's own scalars."""
    kind = type(value)
    if kind is dict:
        return {k: _json_object(v) for k, v in value.items()}
    if kind is list:
        return [_json_object(v) for v in value]
    return value
