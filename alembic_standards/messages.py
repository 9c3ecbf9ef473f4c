"""One message per rule: the text of a finding, built in one place for every stage.

The same violation must read the same whether the model linter, the migration checker, the live
audit, the pytest checks or the autogenerate hook reports it -- users grep for it, baselines
fingerprint it, and two wordings of one problem look like two problems.  So each rule that more
than one stage reports (or that a stage reports from more than one place) has one function here,
named after the rule's short name, and every stage calls it; only the part that truly depends on
the stage (how to fix it: ``index=True`` in a model, ``op.create_index`` in a migration) is passed
in.

Pure string building: no SQLAlchemy, no Alembic, no configuration, so any module may import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "create_index_call",
    "downgrade_empty",
    "downgrade_incomplete",
    "fk_unindexed",
    "unique_unenforced",
]


def create_index_call(name: str, table: str, columns: Sequence[str]) -> str:
    """The ``op.create_index(...)`` line that adds an index, as a fix to suggest."""
    return f"op.create_index({name!r}, {table!r}, {list(columns)!r})"


def fk_unindexed(table: str, columns: Sequence[str], target: str | None, fix: str, *, scope: str = "") -> str:
    """AS201: ``foreign key posts(user_id) -> users.id is not covered by an index; add index=True on
    the column``.

    ``target`` is the referenced ``table.column`` list (None when unknown); ``scope`` narrows where
    the index is missing (the migration checker: ``" created in this revision or before it"``);
    ``fix`` is the stage's remedy.
    """
    arrow = f" -> {target}" if target else ""
    return f"foreign key {table}({', '.join(columns)}){arrow} is not covered by an index{scope}; add {fix}"


def unique_unenforced(columns: Sequence[str], duplicate: str) -> str:
    """AS505: ``unique key (user_id, title) is not enforced by the database: it accepted two rows
    with user_id=1, title='x'`` (the constraint's name is the finding's location)."""
    return f"unique key ({', '.join(columns)}) is not enforced by the database: it accepted two rows with {duplicate}"


def downgrade_empty(downgrade: str, kind: str, upgrade: str, count: int) -> str:
    """AS702: ``downgrade() is empty while upgrade() has 2 operation(s)``; ``kind`` says how it is
    empty (``is empty``, ``only raises NotImplementedError``...)."""
    return f"{downgrade} {kind} while {upgrade} has {count} operation(s)"


def downgrade_incomplete(downgrade: str, change: str, expected: str) -> str:
    """AS703: ``downgrade() does not undo op.create_table('tags'); expected op.drop_table('tags')``."""
    return f"{downgrade} does not undo {change}; expected {expected}"
