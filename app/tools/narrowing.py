"""Per-request narrowing of tool input schemas.

A field marked `NarrowTo.ORDER_ID` accepts any well-formed order id in the base schema; for a
request it is rebuilt as an enum of the current customer's own order ids, so a constrained
decoder cannot even spell anyone else's. Amounts are bounded by what is refundable, the client
id is pinned to the token's client. The narrowed pydantic model is both the JSON Schema handed
to the decoder and the validator the executor applies before anything runs.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, Literal, get_args, get_origin

import annotated_types
from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo


class NarrowTo(StrEnum):
    ORDER_ID = "order_ids"
    AWB = "awbs"
    SKU = "skus"
    REGION = "regions"
    CLIENT_ID = "client_id"
    AMOUNT = "max_amount"


@dataclass(frozen=True)
class DecoderLimit:
    """A tighter length bound for arguments a model writes (strings: characters; lists: items).

    The platform accepts long free text (a 2,000-character case summary) and the executor
    validates against that, but a small model that starts repeating itself inside a schema only
    stops where the grammar makes it: a short bound both ends such loops well inside the token
    budget and keeps grammars quick to compile. `per` caps a list at the number of values the
    request allows of that kind (one return line per SKU the customer has).
    """

    max_length: int
    per: NarrowTo | None = None


@dataclass(frozen=True)
class Narrowing:
    """What this request may refer to. `None` leaves a dimension as the base schema has it.
    `for_decoder` also applies each field's `DecoderLimit` (see `for_model_output`)."""

    order_ids: tuple[str, ...] | None = None
    awbs: tuple[str, ...] | None = None
    skus: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    client_id: str | None = None
    max_amount: Decimal | None = None
    for_decoder: bool = False

    def for_model_output(self) -> Narrowing:
        """The same narrowing with the decoder's tighter bounds: what a model may write."""
        return replace(self, for_decoder=True)

    def values_for(self, kind: NarrowTo) -> tuple[str, ...] | Decimal | None:
        if kind is NarrowTo.CLIENT_ID:
            return (self.client_id,) if self.client_id is not None else None
        value: tuple[str, ...] | Decimal | None = getattr(self, kind.value)
        return value


def _marker(info: FieldInfo) -> NarrowTo | None:
    for meta in info.metadata:
        if isinstance(meta, NarrowTo):
            return meta
    return None


def _decoder_limit(info: FieldInfo, narrowing: Narrowing) -> int | None:
    if not narrowing.for_decoder:
        return None
    for meta in info.metadata:
        if isinstance(meta, DecoderLimit):
            limit = meta.max_length
            if meta.per is not None:
                allowed = narrowing.values_for(meta.per)
                if isinstance(allowed, tuple):
                    limit = min(limit, max(1, len(set(allowed))))
            return limit
    return None


def _limited(annotation: Any, info: FieldInfo, limit: int) -> Any:
    """`annotation` with the field's own constraints, its maximum length replaced by `limit`."""
    kept = [
        m
        for m in info.metadata
        if not isinstance(m, annotated_types.MaxLen | DecoderLimit | NarrowTo)
    ]
    return Annotated[(annotation, *kept, annotated_types.MaxLen(limit))]


def _is_optional(annotation: Any) -> bool:
    return type(None) in get_args(annotation)


def _submodel(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    """(model, is_list) for fields typed `Model` or `list[Model]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if get_origin(annotation) is list:
        (inner,) = get_args(annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner, True
    return None


def narrow_model(model: type[BaseModel], narrowing: Narrowing) -> type[BaseModel]:
    """A subclass of `model` whose marked fields only accept this request's values.

    Raises `NothingToNarrowTo` when a required field has no allowed value at all (the tool
    then cannot be offered for this request).
    """
    return _narrow_cached(model, narrowing)


@lru_cache(maxsize=4096)
def _narrow_cached(model: type[BaseModel], narrowing: Narrowing) -> type[BaseModel]:
    overrides: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        kind = _marker(info)
        optional = _is_optional(info.annotation)
        limit = _decoder_limit(info, narrowing)
        if kind is None:
            nested = _submodel(info.annotation)
            annotation: Any = info.annotation
            if nested is not None:
                sub, is_list = nested
                narrowed = narrow_model(sub, narrowing)
                if narrowed is not sub:
                    annotation = list[narrowed] if is_list else narrowed  # type: ignore[valid-type]
            if limit is not None:
                overrides[name] = (_limited(annotation, info, limit), _copy_field(info))
            elif annotation is not info.annotation:
                if info.metadata:
                    # Keep the field's own constraints (e.g. min/max items of a list).
                    annotation = Annotated[(annotation, *info.metadata)]
                overrides[name] = (annotation, _copy_field(info))
            continue
        allowed = narrowing.values_for(kind)
        if allowed is None:
            continue
        if kind is NarrowTo.AMOUNT:
            assert isinstance(allowed, Decimal)
            bounded = Annotated[float, Field(gt=0, le=float(allowed))]
            overrides[name] = (bounded | None if optional else bounded, _copy_field(info))
            continue
        assert isinstance(allowed, tuple)
        values = tuple(sorted(set(allowed)))
        if not values:
            if optional:
                overrides[name] = (type(None), _copy_field(info, default=None))
                continue
            raise NothingToNarrowTo(f"{model.__name__}.{name} has no allowed {kind.value}")
        literal: Any = Literal[values]  # type: ignore[valid-type]
        overrides[name] = (literal | None if optional else literal, _copy_field(info))
    if not overrides:
        return model
    return create_model(  # type: ignore[call-overload,no-any-return]
        model.__name__,
        __base__=model,
        __doc__=model.__doc__,
        **overrides,
    )


def _copy_field(info: FieldInfo, **changes: Any) -> Any:
    kwargs: dict[str, Any] = {"description": info.description}
    if info.default_factory is not None:
        kwargs["default_factory"] = info.default_factory
    elif not info.is_required():
        kwargs["default"] = info.default
    kwargs.update(changes)
    return Field(**kwargs)


class NothingToNarrowTo(ValueError):
    """A required field would have no allowed value for this request."""


def decoder_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with every `$ref` inlined and titles dropped.

    Written by hand because pydantic always emits `$defs`; inlined schemas are what
    OpenAI-style tool definitions and grammar compilers handle most uniformly, and they are
    shorter in a prompt without the titles.
    """
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any, *, names: bool = False) -> Any:
        # `names` marks a `properties` mapping, whose keys are field names, not keywords.
        if isinstance(node, dict):
            if "$ref" in node and not names:
                target = copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]])
                merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
                return resolve(merged)
            return {
                k: resolve(v, names=(k == "properties" and not names))
                for k, v in node.items()
                if names or k != "title"
            }
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    resolved.setdefault("additionalProperties", False)
    return resolved


def allowed(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))
