"""The per-operation records with a hand-written ``__init__`` (issue 15: cheaper than the one the
frozen dataclass generates) still behave as frozen dataclasses: equal, hashable, replaceable.  That
each such ``__init__`` takes exactly the fields is tested for every class in test_dataclass_inits."""

from __future__ import annotations

import dataclasses

import pytest

from alembic_standards.reversal import Change, Effect
from alembic_standards.safety import Step


@pytest.mark.parametrize("cls", [Change, Effect, Step])
def test_records_stay_frozen_and_comparable(cls: type) -> None:
    first = cls("add_column", "create") if cls is not Effect else cls("column", "t", "c")
    second = dataclasses.replace(first)
    assert first == second and hash(first) == hash(second)
    assert vars(first) == {f.name: getattr(first, f.name) for f in dataclasses.fields(cls)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.op = "x"  # type: ignore[attr-defined]
