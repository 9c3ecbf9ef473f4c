"""The hand-written ``__init__`` of the per-operation records (issue 15: cheaper than the one the
frozen dataclass generates) must take exactly the dataclass's fields, in order, with its defaults."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from alembic_standards.reversal import Change, Effect
from alembic_standards.safety import Step


@pytest.mark.parametrize("cls", [Change, Effect, Step])
def test_init_matches_the_fields(cls: type) -> None:
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in parameters] == [f.name for f in fields]
    for parameter, field in zip(parameters, fields, strict=True):
        expected = inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default
        assert parameter.default == expected, field.name
        assert parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD


@pytest.mark.parametrize("cls", [Change, Effect, Step])
def test_records_stay_frozen_and_comparable(cls: type) -> None:
    first = cls("add_column", "create") if cls is not Effect else cls("column", "t", "c")
    second = dataclasses.replace(first)
    assert first == second and hash(first) == hash(second)
    assert vars(first) == {f.name: getattr(first, f.name) for f in dataclasses.fields(cls)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.op = "x"  # type: ignore[attr-defined]
