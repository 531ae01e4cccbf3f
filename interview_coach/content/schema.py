"""Pydantic's side of the content classes: validating data into them and dumping them to JSON.

The classes themselves (content/models.py, quiz/bank.py) are plain dataclasses, so reading
content from the cache imports no pydantic; this module is imported only when a file is
validated (a cache miss, `content validate`) or content is dumped as JSON.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def constraint_names() -> dict[str, Any]:
    """The names content classes use in their annotations for constraints (see content/models.py)."""
    import annotated_types as at

    from interview_coach.content.models import lower_id

    return {
        "Ge": at.Ge, "Le": at.Le, "MinLen": at.MinLen, "MaxLen": at.MaxLen, "Predicate": at.Predicate,
        "Id": Annotated[str, at.Predicate(lower_id)],
        "Text3": Annotated[str, at.MinLen(3)],
    }


def adapter(model: type[T]) -> TypeAdapter[T]:
    """One validator per class, built on first use (building them all up front costs ~0.3 s)."""
    if model not in _ADAPTERS:
        from interview_coach.content.models import realize

        realize()  # content classes become dataclasses only when first needed as such
        # pydantic reads a dataclass's annotations in its module's namespace: supply the
        # constraint names there first (a name the module defines itself is left alone).
        namespace = vars(sys.modules[model.__module__])
        for name, value in constraint_names().items():
            namespace.setdefault(name, value)
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def validate(model: type[T], data: Any) -> T:
    """`data` (parsed YAML) as an instance of `model`; raises pydantic.ValidationError."""
    return adapter(model).validate_python(data)


def dump(obj: Any) -> Any:
    """A content object as JSON-ready data, keyed as in the content files ("from", "schema")."""
    return adapter(type(obj)).dump_python(obj, mode="json", by_alias=True)
