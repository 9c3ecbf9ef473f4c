"""Hand-written ``__init__`` methods of dataclasses take exactly the dataclass's fields.

Why: a frozen dataclass's generated ``__init__`` calls ``object.__setattr__`` once per field, and
the checker builds several such objects for every operation of every revision (issue 15).  A few
hot classes (``Change``, ``Effect``, ``Step``, ``Location``, ``Finding``...) therefore store their
fields in one step from an ``__init__`` of their own.  Nothing but this test keeps such an
``__init__`` in step with the fields: a field added to the class and forgotten in ``__init__``
(or a default that differs) fails here, naming the class.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from typing import Any

import pytest

import alembic_standards
from alembic_standards.findings import RuleId

# Modules that need an optional dependency or a configured project to import.
_SKIPPED_MODULES = {"alembic_standards.testing"}


def _hand_written_inits() -> list[type[Any]]:
    found: dict[str, type[Any]] = {}
    for module_info in pkgutil.walk_packages(alembic_standards.__path__, "alembic_standards."):
        if module_info.name in _SKIPPED_MODULES or module_info.name.startswith(tuple(_SKIPPED_MODULES)):
            continue
        try:
            module = importlib.import_module(module_info.name)
        except ImportError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not dataclasses.is_dataclass(cls) or not cls.__module__.startswith("alembic_standards"):
                continue
            init = cls.__dict__.get("__init__")
            # The generated __init__ is compiled from a string; a hand-written one from the module.
            if init is not None and init.__code__.co_filename != "<string>":
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


HAND_WRITTEN = _hand_written_inits()


def test_the_hot_classes_are_found() -> None:
    names = {cls.__name__ for cls in HAND_WRITTEN}
    # The scan itself must work: these are known to have their own __init__ (issue 15).
    assert {"Change", "Effect"} <= names, names


# Arguments an __init__ converts or validates (a bare "AS201" becomes RuleId.AS201): a real value.
_REAL_VALUES: dict[str, Any] = {"rule_id": RuleId.AS201}


def _arguments(cls: type[Any]) -> dict[str, Any]:
    """A distinct object per field (each must come back from its own attribute)."""
    return {f.name: _REAL_VALUES.get(f.name, object()) for f in dataclasses.fields(cls) if f.init}


@pytest.mark.parametrize("cls", HAND_WRITTEN, ids=lambda cls: cls.__qualname__)
def test_init_takes_exactly_the_fields(cls: type[Any]) -> None:
    fields = [f for f in dataclasses.fields(cls) if f.init]
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]  # without self
    assert [p.name for p in parameters] == [f.name for f in fields], cls
    required = {f.name: v for f, v in zip(fields, _arguments(cls).values(), strict=True) if not _has_default(f)}
    for parameter, field in zip(parameters, fields, strict=True):
        if field.default is not dataclasses.MISSING:
            assert parameter.default == field.default, f"{cls.__qualname__}.{field.name}"
        elif field.default_factory is not dataclasses.MISSING:
            # `None` standing for "a fresh default": what the instance holds is what the factory makes.
            made = getattr(cls(**required), field.name)
            assert made == field.default_factory(), f"{cls.__qualname__}.{field.name}"
        else:
            assert parameter.default is inspect.Parameter.empty, f"{cls.__qualname__}.{field.name}"


def _has_default(field: dataclasses.Field[Any]) -> bool:
    return field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING


@pytest.mark.parametrize("cls", HAND_WRITTEN, ids=lambda cls: cls.__qualname__)
def test_init_stores_every_argument(cls: type[Any]) -> None:
    values = _arguments(cls)
    instance = cls(**values)
    for name, value in values.items():
        assert getattr(instance, name) is value, f"{cls.__qualname__}.{name}"
    # Frozen classes stay frozen (a frozen dataclass has its own __setattr__).
    if "__setattr__" in cls.__dict__ and values:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(instance, next(iter(values)), None)
