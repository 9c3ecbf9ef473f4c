"""False positives found on real projects (issue #10, section 3), each a scenario file.

tests/scenarios/migrations/false_positives holds one revision per case; every finding the checker
gives on them is listed here in full, so a case that regresses (or a hint that turns wrong again)
fails this test.  Before the fixes the folder gave: AS703 on n1 (rename followed), AS703 with the
crashing hint ``op.drop_constraint(None, 'item')`` on n2/n3, AS703 on n4 (guarded drop + re-create),
AS804 on n5's ``alter_column`` after its backfill, nothing on n6 (ORM data change, downgrade
``pass``), seventeen AS704 on n7, AS704 on n8 (``drop_column`` naming its column with a ``Column``
object) and on n9 (a read-only ``SELECT`` in a lookup helper), AS704 on n11 (GeoAlchemy2's
``add_geospatial_column``/``create_geospatial_index`` and their drops) and AS804 on n12 (a downgrade that
re-adds a column, then restores its values); n8, n9, n11 and n12 must give nothing.  n13 (issue 15's
sweep of Superset) gave AS701 twice, for helpers named ``upgrade_note(message)`` and ``upgrade_tags()``
taken for databases of the multidb template; it must give nothing.  n14 (Airflow) gave the unnamed
primary key twice (its columns' ``primary_key=True`` and its ``sa.PrimaryKeyConstraint``), no convention
name for a ``ForeignKeyConstraint(columns=..., refcolumns=...)``, and, once keyword arguments were read,
AS201 for a foreign key indexed under the table's new name right after ``rename_table``.  n15 (MLflow,
Superset) took a helper defined inside ``upgrade()`` for a function not in the file, and a project's own
``create_index(table, name, columns)`` for Alembic's: AS501 for an unnamed index and AS804 for the
operation after it.  n16 (Superset's create_table() wrapper): its constraints are still judged, and
named in ``create_table()``, not ``op.create_table()``.  n17 (Prefect, Langflow) gave AS703 for an index
and a foreign key on a column the downgrade drops (they go with it), and for dropping the
``_alembic_tmp_`` table a failed batch run left; it must give nothing, as must n3's unique constraint on
a column its downgrade drops.  n18 (MindsDB) gave AS703 twice for a foreign key and a column dropped
before their table, which the downgrade creates whole; it must give nothing.  n19 (Open WebUI) gave AS804
twice for an offline-mode branch that returns early, each path being in order; it must give nothing.
n20 (Warehouse) gave AS804 for ``SET NOT NULL`` after the backfill that fills the column, written with
SQLAlchemy Core (``logins.update()``) rather than SQL text; it must give only the undecidable backfill.
n21 (CTFd) gave AS201 for a foreign key created only when the engine's URL starts with ``mysql``; a
branch for another database builds no PostgreSQL key, so it must give nothing.  n22 (Mealie, CTFd,
Redash) gave AS704 for an ``UPDATE`` that fills a column the upgrade adds and the downgrade drops (the
values go with the column); only its second ``UPDATE``, which also sets an existing column, stays.
n27 (Lemur) listed a line twice in AS704 and reported an AS501 twice: a helper reached once straight and
once inside a loop was counted once per context; and a column named by a variable read "column None".
n28 (Lemur, Prefect) gave AS804 for a downgrade that is the exact reverse of its upgrade: an
``alter_column`` after the index it had replaced was re-created; it must give only the raw UPDATE's AS704.
n29 (Indico, 63 findings) gave AS703 for every constraint and index named through env.py's
``target_metadata`` convention (the downgrade drops or re-creates it by the name the convention gives),
and for a CHECK dropped with the column its condition names; it must give no AS703.
"""

from __future__ import annotations

from pathlib import Path

from alembic_standards.config import Config
from alembic_standards.migrations import check_migrations

FOLDER = Path(__file__).parent / "scenarios" / "migrations" / "false_positives"


def test_false_positive_scenarios_exactly() -> None:
    report = check_migrations([FOLDER], Config(root=FOLDER), cache=False)
    found = sorted([*report.findings, *report.input_errors], key=lambda f: f.sort_key())
    assert [f.render(relative_to=FOLDER) for f in found] == [
        # n10: an f-string UPDATE cannot create an index, so the unindexed FK is AS201 (not "cannot
        # decide"); the select in the loop reads, only the UPDATE is a step to undo.
        "n10_fstring_backfill.py:25:5: AS201 foreign key workouts(owner_id) -> users.id is not covered by an index "
        "created in this revision or before it; add op.create_index('idx_workouts_owner_id', 'workouts', "
        "['owner_id'])",
        "n10_fstring_backfill.py:30:9: AS704 cannot decide whether downgrade() undoes op.execute(...) (raw SQL); "
        "review it by hand",
        # n14: the primary key is one finding (its sa.PrimaryKeyConstraint), the keyword-form foreign key
        # gets its convention name, and the index created after the rename covers it (no AS201).
        "n14_copy_rename_index.py:26:9: AS501 unnamed primary key in op.create_table() on 'new_tags' "
        "(convention name: 'pk_new_tags')",
        "n14_copy_rename_index.py:27:9: AS501 unnamed foreign key in op.create_table() on 'new_tags' "
        "(convention name: 'fk_new_tags_user_id')",
        # n15: the helper defined inside upgrade() is followed; the project's create_index() is not
        # Alembic's: not named, not placed in a section, only undecidable.
        "n15_nested_and_imported_helpers.py:34:5: AS704 cannot decide whether downgrade() undoes "
        "create_index(...) (calls create_index(), which is not defined in this file); review it by hand",
        # n16: the schema objects handed to the project's create_table() wrapper are still judged,
        # named as handed to that function, not to Alembic's.
        "n16_create_table_wrapper.py:28:5: AS704 cannot decide whether downgrade() undoes "
        "create_table(...) (calls create_table(), which is not defined in this file); review it by hand",
        "n16_create_table_wrapper.py:30:9: AS501 the primary key has no name: declare "
        "sa.PrimaryKeyConstraint(..., name=...)",
        "n16_create_table_wrapper.py:32:9: AS501 unnamed unique constraint in create_table()",
        # n20: the Core backfill names its table (UPDATE logins), so NOT NULL after it is in order; the
        # step is named as the revision calls it (connection.execute, not op.execute).
        "n20_core_backfill_then_not_null.py:24:5: AS704 cannot decide whether downgrade() undoes "
        "connection.execute(...) (raw SQL); review it by hand",
        # n22: the first UPDATE fills only the column the downgrade drops; the second also sets `name`.
        "n22_backfill_of_a_new_column.py:23:5: AS704 cannot decide whether downgrade() undoes op.execute(...) "
        "(raw SQL); review it by hand",
        # n25: unique=True on the column that is the whole key creates nothing (PostgreSQL folds it
        # into the key); on a column of a composite key it is a constraint of its own.
        "n25_unique_on_the_primary_key.py:28:9: AS501 unique=True on column 'id' creates an unnamed unique "
        "constraint on 'channel' (convention name: 'uq_channel_id')",
        # n27: a helper reached straight and in a loop is one step (one line in AS704, one AS501), and
        # a column named by a variable is not "column None".
        "n27_helper_straight_and_in_a_loop.py:36:5: AS704 cannot decide whether downgrade() undoes 3 steps of "
        "the upgrade: op.execute(...) at lines 36, 41 (raw SQL); op.add_column(...) at line 45 (its names are "
        "computed at run time); review them by hand",
        "n27_helper_straight_and_in_a_loop.py:45:59: AS501 unnamed foreign key on a column whose name is "
        "computed at run time on 'gadget'",
        # n28: no AS804 -- the downgrade is the exact reverse of its upgrade; only the raw UPDATE stays.
        "n28_exact_reverse_around_an_index.py:26:5: AS704 cannot decide whether downgrade() undoes "
        "op.execute(...) (raw SQL); review it by hand",
        # n29: no AS703 -- every name the downgrade drops or creates is the one the convention gives.
        "n29_names_from_the_runtime_convention.py:28:5: AS201 foreign key comments(revision_id) -> revisions.id is "
        "not covered by an index created in this revision or before it; add op.create_index("
        "'idx_comments_revision_id', 'comments', ['revision_id'])",
        "n29_names_from_the_runtime_convention.py:28:27: AS501 op.create_foreign_key() creates an unnamed "
        "constraint on 'comments' (convention name: 'fk_comments_revision_id')",
        "n29_names_from_the_runtime_convention.py:31:27: AS501 op.create_primary_key() creates an unnamed "
        "constraint on 'bookable_hours' (convention name: 'pk_bookable_hours')",
        "n29_names_from_the_runtime_convention.py:36:21: AS501 op.create_index() creates an unnamed index on "
        "'users' (convention name: 'idx_users_merged_into_id')",
        "n29_names_from_the_runtime_convention.py:44:27: AS501 op.create_primary_key() creates an unnamed "
        "constraint on 'bookable_hours' (convention name: 'pk_bookable_hours')",
        "n29_names_from_the_runtime_convention.py:46:27: AS501 op.create_foreign_key() creates an unnamed "
        "constraint on 'comments' (convention name: 'fk_comments_revision_id')",
        "n2_pg_default_name.py:21:27: AS501 op.create_foreign_key() creates an unnamed constraint on 'item' "
        "(convention name: 'fk_item_owner_id')",
        # (n3's unique constraint on (owner_id, sku) goes with the dropped column sku: not reported.)
        "n3_unnamed_fk_left_behind.py:22:33: AS501 op.create_unique_constraint() creates an unnamed "
        "constraint on 'item' (convention name: 'uq_item_owner_id_sku')",
        "n3_unnamed_fk_left_behind.py:23:5: AS703 downgrade() does not undo op.create_foreign_key() of "
        "unnamed constraint on 'item'; expected op.drop_constraint('item_owner_id_fkey', 'item', "
        "type_='foreignkey') (the name PostgreSQL gives it; better, name the constraint in the upgrade and "
        "drop it by that name)",
        "n3_unnamed_fk_left_behind.py:23:27: AS501 op.create_foreign_key() creates an unnamed constraint on "
        "'item' (convention name: 'fk_item_owner_id')",
        # (n5's backfill fills the column its downgrade drops: nothing else to undo, no AS704.)
        "n5_backfill_then_not_null.py:28:5: AS804 upgrade(): op.create_table() (tables) is out of the "
        "template's section order (tables, indexes, data; creations in that order, drops in reverse)",
        "n6_orm_session.py:36:1: AS702 downgrade() is only `pass` while upgrade() has 1 operation(s)",
        "n7_many_statements.py:21:5: AS704 cannot decide whether downgrade() undoes 17 steps of the upgrade: "
        "op.execute(...) at lines 21, 22, 23, 24, 25 and 12 more (raw SQL); review them by hand",
    ]


def test_no_hint_ever_suggests_dropping_a_constraint_named_none() -> None:
    report = check_migrations([FOLDER], Config(root=FOLDER), cache=False)
    assert not [f for f in report.findings if "drop_constraint(None" in f.message]


def test_a_path_that_returns_early_is_still_judged(tmp_path: Path) -> None:
    """n19's paths are judged one by one, not waived: a branch out of order is still reported."""
    text = (FOLDER / "n19_offline_mode_early_return.py").read_text(encoding="utf-8")
    swapped = text.replace(
        '        op.add_column("labels", sa.Column("folder_id", sa.Uuid(), nullable=True))\n'
        '        op.create_index("idx_labels_folder_id", "labels", ["folder_id"])\n        return\n',
        '        op.create_index("idx_labels_folder_id", "labels", ["folder_id"])\n'
        '        op.add_column("labels", sa.Column("folder_id", sa.Uuid(), nullable=True))\n        return\n',
    )
    assert swapped != text
    (tmp_path / "n19.py").write_text(swapped, encoding="utf-8")
    report = check_migrations([tmp_path], Config(root=tmp_path), cache=False)
    assert [f.render(relative_to=tmp_path) for f in report.findings] == [
        "n19.py:23:9: AS804 upgrade(): op.add_column() (tables) is out of the template's section order "
        "(tables, indexes, data; creations in that order, drops in reverse)"
    ]
