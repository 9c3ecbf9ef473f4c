"""The static checker on real revision files (tests/scenarios/migrations), never importing them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from alembic_standards.config import Config, load_config
from alembic_standards.exceptions import ExceptionRegister
from alembic_standards.findings import Location, Severity, StandardsError
from alembic_standards.migrations import CACHE_DIR_ENV, check_migrations, iter_revision_files

if TYPE_CHECKING:
    from collections.abc import Iterator

SCENARIOS = Path(__file__).parent / "scenarios" / "migrations"
FOLDERS = sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir())


@pytest.fixture(autouse=True, scope="module")
def _shared_cache_outside_the_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The runs here share one result cache, so most scenarios are checked cold and then warm against
    the same expectations; it lives in a temporary directory, not in tests/scenarios."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_DIR_ENV, str(tmp_path_factory.mktemp("checker-cache")))
        yield


def rendered(folder: Path, config: Config | None = None) -> list[str]:
    report = check_migrations([folder], config or Config(root=folder))
    findings = sorted([*report.findings, *report.input_errors], key=lambda f: f.sort_key())
    return [f.render(relative_to=folder) for f in findings]


@pytest.mark.parametrize("name", FOLDERS)
def test_scenario(name: str) -> None:
    """Every finding, exactly: ``file:line:col: RULE`` as listed in the folder's expected.txt."""
    folder = SCENARIOS / name
    expected = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
    got = [line.split(" ", 2)[0] + " " + line.split(" ", 2)[1] for line in rendered(folder)]
    assert got == expected


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("downgrade_rules", "a1_missing.py:19:1: AS701 revision has no downgrade() while upgrade() has 1 operation(s)"),
        ("downgrade_rules", "a2_pass.py:24:1: AS702 downgrade() is only `pass` while upgrade() has 1 operation(s)"),
        (
            "downgrade_rules",
            "a3_docstring.py:24:1: AS702 downgrade() is only a docstring while upgrade() has 1 operation(s)",
        ),
        (
            "downgrade_rules",
            "a4_raise.py:24:1: AS702 downgrade() only raises NotImplementedError while upgrade() has 1 operation(s)",
        ),
        (
            "downgrade_rules",
            "a5_todo.py:24:1: AS702 downgrade() is still the template's TODO placeholder "
            "while upgrade() has 1 operation(s)",
        ),
        (
            "downgrade_rules",
            "a6_incomplete.py:24:5: AS703 downgrade() does not undo op.drop_column() of column users.legacy; "
            "expected op.add_column('users', sa.Column('legacy', ...))",
        ),
        (
            "helpers_and_batch",
            "b2_batch.py:23:9: AS703 downgrade() does not undo op.add_column() of column journal_entries.mood; "
            "expected op.drop_column('journal_entries', 'mood')",
        ),
        (
            "raw_sql",
            # c2's raw DROP TABLE undoes its create_table (the seed rows go with the table); c5's raw
            # ADD COLUMN, CREATE INDEX (ANALYZE beside it changes nothing) and the index its downgrade
            # drops in raw SQL are decided (expected.txt: no AS704 there); c6's stored procedure is not read.
            "c6_sql_downgrade_unread.py:21:5: AS704 cannot decide whether downgrade() undoes 2 steps of the upgrade: "
            "op.create_table() of table 'audit_archive' at line 21 (the downgrade runs raw SQL or dynamic "
            "operations); conn.execute(...) at line 23 (raw SQL); review them by hand",
        ),
        (
            "history",
            # notes(user_id) is indexed by d5, after the merge: a later fix counts, tag_id has none.
            "d3_branch_b.py:25:9: AS201 foreign key notes(tag_id) -> tags.id is not covered by an index created in "
            "this revision or before it; add op.create_index('idx_notes_tag_id', 'notes', ['tag_id'])",
        ),
        (
            "table_renames",
            # The index on posts(author_id) follows posts through two renames to articles: only the
            # column it does not cover is reported.  (s1's key is indexed later, under the new name.)
            "r4_foreign_keys.py:22:5: AS201 foreign key articles(editor_id) -> users.id is not covered by an index "
            "created in this revision or before it; add op.create_index('idx_articles_editor_id', 'articles', "
            "['editor_id'])",
        ),
        (
            "raw_sql_indexes",
            # CREATE INDEX in raw SQL is read as a key: author_id is covered, the full-text index on
            # title covers no column, so editor_id is unindexed (not "cannot decide").
            "x2_posts.py:29:9: AS201 foreign key posts(editor_id) -> users.id is not covered by an index created "
            "in this revision or before it; add op.create_index('idx_posts_editor_id', 'posts', ['editor_id'])",
        ),
        (
            "raw_sql_indexes",
            # Neither x3's ALTER INDEX ... RENAME nor x1's SQL built at run time (before posts existed)
            # can build an index on posts.
            "x3_reviewers.py:23:5: AS201 foreign key posts(reviewer_id) -> users.id is not covered by an index "
            "created in this revision or before it; add op.create_index('idx_posts_reviewer_id', 'posts', "
            "['reviewer_id'])",
        ),
        ("layout", "f3_header.py:1:1: AS801 module docstring lacks message, Revises"),
        (
            "recreated_keys",
            # k1's files(challenge_id) is dropped and created again by k2: reported once, where it
            # stands (expected.txt: no AS201 on k1's line 31); k3 creates one key in two arms.
            "k2_cascade.py:22:5: AS201 foreign key files(challenge_id) -> challenges.id is not covered by an index "
            "created in this revision or before it; add op.create_index('idx_files_challenge_id', 'files', "
            "['challenge_id'])",
        ),
        (
            "sql_through_names",
            # The UPDATE reached through `stmt` (assigned text(...), then stmt.bindparams(...)) is read:
            # it cannot build an index, so the key is AS201, and the SELECT is no step to undo.
            "a2_fk.py:28:5: AS704 cannot decide whether downgrade() undoes op.execute(...) (raw SQL); "
            "review it by hand",
        ),
        (
            "dropped_keys",
            # d1's keys on drafts, scraps and notes.parent_id are gone by d2 (dropped tables, dropped
            # column): no migration can index them (expected.txt: only kept's, and drafts' again in d3).
            "d1_tables.py:47:9: AS201 foreign key kept(parent_id) -> parents.id is not covered by an index created in "
            "this revision or before it; add op.create_index('idx_kept_parent_id', 'kept', ['parent_id'])",
        ),
        (
            "layout",
            # A downgrade drops data, indexes, tables and creates in the upgrade's order: said as such.
            "f1_order.py:29:5: AS804 downgrade(): op.execute() (data) is out of the template's section order "
            "(data, indexes, tables; drops in that order, creations in reverse)",
        ),
        (
            "layout",
            # f4's unique index after the plain one is in order; f5's, after a data step, is not
            # in either of the sections a unique index may stand in.
            "f5_unique_index_after_data.py:23:5: AS804 upgrade(): op.create_index(unique=True) (tables) is out of the "
            "template's section order (tables, indexes, data; creations in that order, drops in reverse)",
        ),
        (
            "multidb",
            "k1_two_engines.py:43:1: AS702 downgrade_engine2() is only `pass` "
            "while upgrade_engine2() has 3 operation(s)",
        ),
        (
            "layout",
            "f1_order.py:23:5: AS804 upgrade(): op.create_table() (tables) is out of the template's section order "
            "(tables, indexes, data; creations in that order, drops in reverse)",
        ),
        ("syntax_error", "h1_broken.py:12: AS800 syntax error: expected ':' (file not checked)"),
        (
            "unnamed_and_long",
            "e1_unnamed.py:29:21: AS501 op.create_index() creates an unnamed index on 'tags' "
            "(convention name: 'idx_tags_name')",
        ),
        (
            "unnamed_and_long",
            "e1_unnamed.py:26:9: AS501 unnamed unique constraint in op.create_table() on 'tags' "
            "(convention name: 'uq_tags_user_id_name')",
        ),
        (
            "raw_sql",
            # c3's CREATE INDEX in raw SQL covers its key; c4's names its column through an f-string.
            "c4_index_computed.py:24:5: AS704 cannot decide whether foreign key audit_log(actor_id) is indexed: raw "
            "SQL in revision c4 may create the index; review it by hand",
        ),
        (
            "unnamed_and_long",
            "e1_unnamed.py:32:21: AS504 name 'idx_tags_user_id_name_created_at_updated_at_and_a_few_more_columns' "
            "is 66 bytes; PostgreSQL keeps 63",
        ),
        (
            "irreversible",
            'g2_empty_reason.py:17:1: AS705 irreversible marker has no reason: write `irreversible = "<why this '
            'revision cannot be rolled back>"`',
        ),
    ],
)
def test_messages(name: str, line: str) -> None:
    assert line in rendered(SCENARIOS / name)


def test_unparseable_file_is_an_input_error_and_the_rest_is_checked() -> None:
    report = check_migrations([SCENARIOS / "syntax_error"], Config())
    assert [f.rule_id for f in report.input_errors] == ["AS800"]
    assert report.input_errors[0].location.line == 12
    assert [f.rule_id for f in report.findings] == ["AS702"]  # h2 was still checked
    assert [r.revision for r in report.revisions] == ["h2"]


def test_module_level_code_is_never_run(tmp_path: Path) -> None:
    """A revision that runs os.system() at import is checked without running it."""
    marker = tmp_path / "imported"
    env = {**os.environ, "ALEMBIC_STANDARDS_MARKER": str(marker)}
    script = (
        "from alembic_standards.migrations import check_migrations\n"
        "from alembic_standards.config import Config\n"
        f"report = check_migrations([{str(SCENARIOS / 'side_effects')!r}], Config())\n"
        "print([str(f.rule_id) for f in report.findings])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['AS702']"
    assert not marker.exists()
    # The test can fail: importing the file does create the marker.
    importing = f"import runpy; runpy.run_path({str(SCENARIOS / 'side_effects' / 'i1_runs_code.py')!r})"
    subprocess.run([sys.executable, "-c", importing], env=env, capture_output=True, text=True, check=False)
    assert marker.exists()


def test_revision_graph() -> None:
    report = check_migrations([SCENARIOS / "history"], Config())
    graph = {r.revision: (r.down_revisions, r.depends_on, r.branch_labels) for r in report.revisions}
    assert graph == {
        "d1": ((), (), ()),
        "d2": (("d1",), (), ("tagging",)),
        "d3": (("d1",), ("d2",), ()),
        "d4": (("d2", "d3"), (), ()),
        "d5": (("d4",), (), ()),
    }


def test_irreversible_markers_feed_the_exceptions_register() -> None:
    config = Config()
    report = check_migrations([SCENARIOS / "irreversible"], config)
    assert [(e.rule, e.revision, e.reason, e.source.line) for e in report.irreversible] == [
        ("AS702", "g1", "The legacy audit rows are archived to S3 before this runs (DB-42).", 17),
        ("AS702", "g3", "was irreversible before someone wrote the downgrade", 18),
    ]
    register = ExceptionRegister.collect(config, (), report.irreversible)
    kept = register.apply(report.findings, config)
    # g1's incomplete downgrade is accepted by its marker; g2's marker has no reason (AS705) so its
    # empty downgrade stays an error; g3's marker no longer matches anything (stale).
    assert sorted((f.rule_id, f.location.revision) for f in kept) == [
        ("AS702", "g2"),
        ("AS705", "g2"),
        ("AS903", "g3"),
    ]


def test_rule_selection_and_severity(tmp_path: Path) -> None:
    folder = SCENARIOS / "history"
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[tool.alembic_standards]\nignore = ["AS802", "AS803", "AS10"]\nseverity = { AS804 = "error" }\n',
        encoding="utf-8",
    )
    config = load_config(pyproject)
    report = check_migrations([folder], config)
    assert {f.rule_id for f in report.findings} == {"AS201", "AS804"}
    assert {f.severity for f in report.findings} == {Severity.ERROR}


def test_default_paths_come_from_the_configuration() -> None:
    config = Config(migrations=(SCENARIOS / "layout",))
    assert {r.revision for r in check_migrations([], config).revisions} == {"f1", "f2", "f3", "f4", "f5"}


def test_paths_files_and_directories_recursively(tmp_path: Path) -> None:
    nested = tmp_path / "versions" / "2026"
    nested.mkdir(parents=True)
    shutil.copy(SCENARIOS / "clean" / "0001_users.py", nested / "0001_users.py")
    (nested / "__pycache__").mkdir()
    (nested / "__pycache__" / "junk.py").write_text("syntax error here", encoding="utf-8")
    single = SCENARIOS / "clean" / "0002_reminders.py"
    files = iter_revision_files([tmp_path / "versions", single, single])
    assert files == [nested / "0001_users.py", single]
    with pytest.raises(StandardsError, match="no such file or directory") as info:
        iter_revision_files([tmp_path / "nope"])
    assert info.value.path == tmp_path / "nope"


def test_non_revision_modules_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "helpers.py").write_text("def helper() -> None:\n    pass\n", encoding="utf-8")
    report = check_migrations([tmp_path], Config())
    assert report.findings == [] and report.revisions == []


def test_deleting_a_downgrade_body_fails_with_file_and_line(tmp_path: Path) -> None:
    """The issue's "done when": a clean revision whose downgrade body is deleted fails the check."""
    target = tmp_path / "0001_users.py"
    text = (SCENARIOS / "clean" / "0001_users.py").read_text(encoding="utf-8")
    target.write_text(text, encoding="utf-8")
    assert check_migrations([tmp_path], Config()).findings == []
    head, _, _ = text.partition('    """Rollback migration changes"""\n')
    target.write_text(head + "    pass\n", encoding="utf-8")
    findings = check_migrations([tmp_path], Config()).findings
    assert [f.render(relative_to=tmp_path) for f in findings] == [
        "0001_users.py:42:1: AS702 downgrade() is only `pass` while upgrade() has 3 operation(s)",
        '0001_users.py:42:1: AS803 downgrade() has no docstring ("""Rollback migration changes""")',
    ]
    assert findings[0].location == Location(path=target, line=42, col=1, revision="0001")


def test_old_encodings_and_unreadable_bytes(tmp_path: Path) -> None:
    latin = (SCENARIOS / "history" / "d2_branch_a.py").read_text(encoding="utf-8")
    latin = "# -*- coding: latin-1 -*-\n" + latin.replace('"""tags on branch a', '"""tags on branch a (caf\xe9)')
    (tmp_path / "d2_latin1.py").write_bytes(latin.encode("latin-1"))
    (tmp_path / "bad_utf8.py").write_bytes(b'"""x"""\nrevision = "\xff"\n')
    (tmp_path / "nul.py").write_bytes(b'revision = "n"\x00\n')
    report = check_migrations([tmp_path], Config())
    assert [r.revision for r in report.revisions] == ["d2"]
    assert [f.render(relative_to=tmp_path).split(":")[0:2] for f in report.input_errors] == [
        ["bad_utf8.py", " AS800 cannot decode file"],
        ["nul.py", " AS800 syntax error"],
    ]


def test_match_statement_branches_are_read(tmp_path: Path) -> None:
    text = (SCENARIOS / "downgrade_rules" / "a7_empty_upgrade.py").read_text(encoding="utf-8")
    text = text.replace(
        '    """Apply migration changes"""\n',
        '    """Apply migration changes"""\n'
        "    match op.get_bind().dialect.name:\n"
        '        case "postgresql":\n'
        '            op.create_index("idx_users_email", "users", ["email"], postgresql_using="hash")\n'
        "        case _:\n"
        '            op.create_index("idx_users_email", "users", ["email"])\n',
        1,
    )
    (tmp_path / "a7.py").write_text(text, encoding="utf-8")
    findings = check_migrations([tmp_path], Config()).findings
    # Both arms are read: two operations to undo.
    assert [f.render(relative_to=tmp_path) for f in findings] == [
        "a7.py:25:1: AS702 downgrade() is only a docstring while upgrade() has 2 operation(s)"
    ]
