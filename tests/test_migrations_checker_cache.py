"""The static checker's per-file result cache: same findings, invalidated by edits, never trusted blindly.

Every test checks a copy of real scenario folders (tests/scenarios/migrations) in ``tmp_path`` and
ages the copies' mtimes: the cache deliberately does not store files modified within the last two
seconds (an edit in the same timestamp tick could otherwise go unseen).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alembic_standards import migrations
from alembic_standards.config import Config, load_config
from alembic_standards.findings import Severity
from alembic_standards.migrations import CACHE_DIR_ENV, CACHE_DIR_NAME, MigrationReport, check_migrations
from alembic_standards.migrations.facts import _FileResult

SCENARIOS = Path(__file__).parent / "scenarios" / "migrations"
# Folders that between them produce every kind of per-file result: findings of every family,
# AS201 across a merge history, raw SQL (AS704), irreversible markers (exceptions-register
# entries), an unparseable file (AS800 input error), multi-database revisions.
FOLDERS = (
    "history",
    "raw_sql",
    "irreversible",
    "syntax_error",
    "unnamed_and_long",
    "multidb",
    "helpers_and_batch",
    "table_renames",
)


@pytest.fixture(autouse=True)
def _no_ambient_cache_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)


def age(path: Path, seconds: int = 60) -> None:
    """Set the mtime of ``path`` (a file, or every file under a folder) ``seconds`` into the past."""
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    when = time.time_ns() - seconds * 1_000_000_000
    for file in files:
        os.utime(file, ns=(when, when))


def copy_scenarios(tmp_path: Path, *names: str) -> Path:
    versions = tmp_path / "versions"
    for name in names:
        shutil.copytree(SCENARIOS / name, versions / name, ignore=shutil.ignore_patterns("expected.txt"))
    age(versions)
    return versions


def summary(report: MigrationReport) -> tuple[object, ...]:
    return (report.findings, report.input_errors, report.irreversible, report.revisions)


def cache_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("migrations-*.json"))


def entries(directory: Path) -> dict[str, dict[str, object]]:
    (file,) = cache_files(directory)
    document = json.loads(file.read_text(encoding="utf-8"))
    files: dict[str, dict[str, object]] = document["files"]
    return files


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any file read by the checker fail the test: a warm run must come from the cache."""

    def refuse(path: Path, config: Config) -> _FileResult:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(migrations, "_read_revision", refuse)


def test_warm_run_gives_identical_findings_without_reading_any_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions = copy_scenarios(tmp_path, *FOLDERS)
    cache = tmp_path / "cache"
    config = Config(root=tmp_path)
    uncached = check_migrations([versions], config, cache=False)
    cold = check_migrations([versions], config, cache=cache)
    assert summary(cold) == summary(uncached)
    # Every kind of result is in the cache: findings, AS800, irreversible entries, revisions.
    assert {f.rule_id for f in uncached.findings} >= {"AS201", "AS501", "AS504", "AS702", "AS703", "AS704", "AS705"}
    assert uncached.input_errors and uncached.irreversible
    assert len(entries(cache)) == len(list(versions.rglob("*.py")))

    no_parsing(monkeypatch)
    warm = check_migrations([versions], config, cache=cache)
    assert summary(warm) == summary(uncached)
    assert [f.render(relative_to=versions) for f in warm.findings] == [
        f.render(relative_to=versions) for f in uncached.findings
    ]


def test_history_wide_coverage_is_recomputed_from_cached_files(tmp_path: Path) -> None:
    """d3 (depends_on d2) and d5 (after the merge) add foreign keys on tags(user_id) that d2's index
    covers.  When d2 loses that index, the unchanged, cached d5 gets AS201 (once for both keys: one
    index covers them, and d5 creates the last): the cross-revision check is never cached."""
    versions = copy_scenarios(tmp_path, "history")
    cache = tmp_path / "cache"
    config = Config(root=tmp_path)
    before = check_migrations([versions], config, cache=cache)
    assert not any("tags(user_id)" in f.message for f in before.findings)

    d2 = versions / "history" / "d2_branch_a.py"
    d2.write_text(
        d2.read_text(encoding="utf-8").replace(
            "op.create_index('ix_tags_user_id', 'tags', ['user_id'])", "op.create_index('ix_tags_id', 'tags', ['id'])"
        ),
        encoding="utf-8",
    )
    age(d2, 30)
    d3_entry = entries(cache)[os.path.abspath(versions / "history" / "d3_branch_b.py")]
    after = check_migrations([versions], config, cache=cache)
    assert entries(cache)[os.path.abspath(versions / "history" / "d3_branch_b.py")] == d3_entry  # d3 not re-read
    added = sorted(set(after.findings) - set(before.findings), key=lambda f: f.sort_key())
    message = (
        "AS201 foreign key tags(user_id) -> users.id is not covered by an index created in this revision or before it; "
        "add op.create_index('idx_tags_user_id', 'tags', ['user_id'])"
    )
    assert [f.render(relative_to=versions) for f in added] == [f"history/d5_after_merge.py:23:5: {message}"]
    assert summary(after) == summary(check_migrations([versions], config, cache=False))


@pytest.mark.parametrize("same_size", [False, True], ids=["new-size", "same-size-new-mtime"])
def test_editing_a_file_invalidates_its_entry(tmp_path: Path, same_size: bool) -> None:
    versions = copy_scenarios(tmp_path, "history")
    cache = tmp_path / "cache"
    config = Config(root=tmp_path)
    before = check_migrations([versions], config, cache=cache)
    target = versions / "history" / "d1_base.py"
    key = os.path.abspath(target)
    old_entry = entries(cache)[key]

    text = target.read_text(encoding="utf-8")
    # Same size: the docstring loses its "Revises:" field name, padded back to the same length.
    edited = text.replace("Revises:", "Follows:") if same_size else text.replace('"""', '"""\n', 1)
    assert (len(edited) == len(text)) is same_size
    target.write_text(edited, encoding="utf-8")
    age(target, 30)  # a different mtime, still old enough to be cached again

    after = check_migrations([versions], config, cache=cache)
    assert summary(after) == summary(check_migrations([versions], config, cache=False))
    assert summary(after) != summary(before)
    new_entry = entries(cache)[key]
    assert new_entry["mtime_ns"] == target.stat().st_mtime_ns != old_entry["mtime_ns"]
    assert new_entry["size"] == target.stat().st_size


def test_a_file_modified_just_now_is_not_cached(tmp_path: Path) -> None:
    versions = copy_scenarios(tmp_path, "history")
    fresh = versions / "history" / "d5_after_merge.py"
    fresh.touch()
    cache = tmp_path / "cache"
    check_migrations([versions], Config(root=tmp_path), cache=cache)
    stored = entries(cache)
    assert os.path.abspath(fresh) not in stored
    assert os.path.abspath(versions / "history" / "d1_base.py") in stored


def _corrupt_json(cache: Path) -> None:
    (file,) = cache_files(cache)
    file.write_text(file.read_text(encoding="utf-8")[:-40], encoding="utf-8")


def _binary_garbage(cache: Path) -> None:
    (file,) = cache_files(cache)
    file.write_bytes(b"\x00\xff\xfe garbage \x80")


def _wrong_types(cache: Path) -> None:
    (file,) = cache_files(cache)
    document = json.loads(file.read_text(encoding="utf-8"))
    for number, entry in enumerate(document["files"].values()):
        result = entry["result"]
        if result["revision"] is None:
            continue
        # Each entry broken in a different way: wrong type, wrong shape, unknown rule, bad severity...
        breakage = number % 7
        revision = result["revision"]
        if breakage == 0:
            revision["findings"] = "not a list"
        elif breakage == 1:
            revision["info"] = [1, 2]
        elif breakage == 2 and revision["findings"]:
            revision["findings"][0]["rule"] = "AS999"
        elif breakage == 3 and revision["findings"]:
            revision["findings"][0]["severity"] = "fatal"
        elif breakage == 4 and revision["findings"]:
            revision["findings"][0]["comment"] = "a key this schema does not know"
        elif breakage == 5:
            del revision["names"]
        else:
            revision["keys"] = [{"schema": None, "table": 5, "keys": []}]
    file.write_text(json.dumps(document), encoding="utf-8")


def _positional(value: object) -> object:
    """``value`` with every JSON object turned into the list of its values: the version-1 layout."""
    if isinstance(value, dict):
        return [_positional(v) for v in value.values()]
    if isinstance(value, list):
        return [_positional(v) for v in value]
    return value


def _old_schema(cache: Path) -> None:
    """A document of the previous schema (positional lists) under the current file name."""
    (file,) = cache_files(cache)
    document = json.loads(file.read_text(encoding="utf-8"))
    old = {
        "format": 1,
        "fingerprint": document["fingerprint"],
        "files": {
            key: {"size": e["size"], "mtime_ns": e["mtime_ns"], "result": _positional(e["result"])}
            for key, e in document["files"].items()
        },
    }
    file.write_text(json.dumps(old), encoding="utf-8")


def _old_entries(cache: Path) -> None:
    """Current document header, but every entry's result in the positional (version-1) layout."""
    (file,) = cache_files(cache)
    document = json.loads(file.read_text(encoding="utf-8"))
    for entry in document["files"].values():
        result = entry["result"]
        result["errors"] = _positional(result["errors"])
        if result["revision"] is not None:
            result["revision"]["info"] = _positional(result["revision"]["info"])
    file.write_text(json.dumps(document), encoding="utf-8")


def _wrong_document(cache: Path) -> None:
    (file,) = cache_files(cache)
    file.write_text(json.dumps(["files", {"a": 1}]), encoding="utf-8")


def _wrong_entries(cache: Path) -> None:
    (file,) = cache_files(cache)
    document = json.loads(file.read_text(encoding="utf-8"))
    document["files"] = dict.fromkeys(document["files"], "x")
    file.write_text(json.dumps(document), encoding="utf-8")


def _deep_nesting(cache: Path) -> None:
    (file,) = cache_files(cache)
    file.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


def _foreign_schema(cache: Path) -> None:
    """Another writer's JSON: the same top-level keys under another schema name."""
    (file,) = cache_files(cache)
    document = json.loads(file.read_text(encoding="utf-8"))
    document["schema"] = "some-other-tool/cache"
    file.write_text(json.dumps(document), encoding="utf-8")


def _newer_version(cache: Path) -> None:
    """A document a later release wrote (its entries may mean something else)."""
    (file,) = cache_files(cache)
    document = json.loads(file.read_text(encoding="utf-8"))
    document["version"] += 1
    file.write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize(
    "corrupt",
    [
        _corrupt_json,
        _binary_garbage,
        _wrong_types,
        _wrong_document,
        _wrong_entries,
        _deep_nesting,
        _old_schema,
        _old_entries,
        _foreign_schema,
        _newer_version,
    ],
)
def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path: Path, corrupt: object) -> None:
    versions = copy_scenarios(tmp_path, "history", "irreversible", "syntax_error")
    cache = tmp_path / "cache"
    config = Config(root=tmp_path)
    expected = summary(check_migrations([versions], config, cache=False))
    check_migrations([versions], config, cache=cache)
    assert callable(corrupt)
    corrupt(cache)
    assert summary(check_migrations([versions], config, cache=cache)) == expected
    # Rebuilt: valid again, and a warm run agrees.
    assert len(entries(cache)) == len(list(versions.rglob("*.py")))
    assert summary(check_migrations([versions], config, cache=cache)) == expected


@pytest.mark.parametrize("foreign", [_old_schema, _old_entries, _foreign_schema, _newer_version])
def test_an_entry_of_another_schema_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, foreign: object
) -> None:
    """Not understood is a miss: every file whose entry is of another schema is parsed again."""
    versions = copy_scenarios(tmp_path, "history", "irreversible")
    cache = tmp_path / "cache"
    config = Config(root=tmp_path)
    expected = summary(check_migrations([versions], config, cache=cache))
    assert callable(foreign)
    foreign(cache)
    read: list[Path] = []
    original = migrations._read_revision

    def counting(path: Path, config: Config) -> _FileResult:
        read.append(path)
        return original(path, config)

    monkeypatch.setattr(migrations, "_read_revision", counting)
    assert summary(check_migrations([versions], config, cache=cache)) == expected
    assert sorted(read) == sorted(versions.rglob("*.py"))


def test_an_unusable_cache_directory_is_not_an_error(tmp_path: Path) -> None:
    versions = copy_scenarios(tmp_path, "history")
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be", encoding="utf-8")
    config = Config(root=tmp_path)
    report = check_migrations([versions], config, cache=blocker)
    assert summary(report) == summary(check_migrations([versions], config, cache=False))
    assert blocker.read_text(encoding="utf-8") == "a file where the cache directory should be"


def test_the_cache_holds_only_json_and_never_runs_code(tmp_path: Path) -> None:
    """A cache file is data: a pickle payload planted in its place is not unpickled, and a revision
    that runs code at import is still never run, cold or warm."""
    versions = copy_scenarios(tmp_path, "side_effects", "history")
    cache = tmp_path / "cache"
    marker = tmp_path / "executed"
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from alembic_standards.config import Config\n"
        "from alembic_standards.migrations import check_migrations\n"
        "report = check_migrations([Path(sys.argv[1])], Config(root=Path(sys.argv[1])), cache=Path(sys.argv[2]))\n"
        "print(sorted({f.rule_id for f in report.findings}))\n"
    )
    env = {**os.environ, "ALEMBIC_STANDARDS_MARKER": str(marker)}

    def run() -> str:
        argv = [sys.executable, "-c", script, str(versions), str(cache)]
        return subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout

    first = run()
    assert sorted(p.name for p in cache.iterdir()) == [".gitignore", "CACHEDIR.TAG", cache_files(cache)[0].name]
    (file,) = cache_files(cache)
    document = json.loads(file.read_text(encoding="utf-8"))  # plain JSON
    assert document["schema"] == "alembic-standards/migrations-cache" and document["version"] == 4
    assert len(document["files"]) == len(list(versions.rglob("*.py")))
    assert run() == first
    assert not marker.exists()

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (Path(marker).touch, ())  # type: ignore[return-value]

    file.write_bytes(pickle.dumps(Payload()))
    assert run() == first
    assert not marker.exists()
    json.loads(file.read_text(encoding="utf-8"))  # replaced by valid JSON again
    # The test can fail: unpickling the planted file does create the marker.
    pickle.loads(pickle.dumps(Payload()))
    assert marker.exists()


def test_disabled_cache_reads_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    versions = copy_scenarios(tmp_path, "history")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.alembic_standards]\nmigrations = ['versions']\n", encoding="utf-8")
    config = load_config(pyproject)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    report = check_migrations([versions], config, cache=False)
    assert report.revisions
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before

    # Nor does it read one: a warm cache in the default place is not consulted.
    check_migrations([versions], config)
    assert (tmp_path / CACHE_DIR_NAME).is_dir()
    no_parsing(monkeypatch)
    with pytest.raises(AssertionError, match="was read again"):
        check_migrations([versions], config, cache=False)


def test_default_place_is_next_to_the_pyproject_and_ignored_by_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    copy_scenarios(project, "history")
    pyproject = project / "pyproject.toml"
    pyproject.write_text("[tool.alembic_standards]\nmigrations = ['versions']\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(pyproject)
    check_migrations([], config)
    directory = project / CACHE_DIR_NAME
    assert (directory / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (directory / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: 8a477f597d28d172")
    assert len(entries(directory)) == 5
    assert list(elsewhere.iterdir()) == []
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    status = subprocess.run(
        ["git", "-C", str(project), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert CACHE_DIR_NAME not in status and "versions/history/d1_base.py" in status

    # The environment variable moves it (CI caches one directory).
    moved = tmp_path / "ci-cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(moved))
    check_migrations([], config)
    assert len(entries(moved)) == 5


def test_configuration_that_changes_findings_uses_its_own_cache(tmp_path: Path) -> None:
    versions = copy_scenarios(tmp_path, "history")
    cache = tmp_path / "cache"
    default = check_migrations([versions], Config(root=tmp_path), cache=cache)
    assert {f.severity for f in default.findings if f.rule_id == "AS804"} == {Severity.WARNING}
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        "[tool.alembic_standards]\n"
        'severity = { AS804 = "error" }\n'
        'naming_convention = { ix = "ix_%(table_name)s_%(column_0_N_name)s" }\n',
        encoding="utf-8",
    )
    regraded = check_migrations([versions], load_config(pyproject), cache=cache)
    assert summary(regraded) == summary(check_migrations([versions], load_config(pyproject), cache=False))
    assert {f.severity for f in regraded.findings if f.rule_id == "AS804"} == {Severity.ERROR}
    assert any("'ix_notes_tag_id'" in f.message for f in regraded.findings)
    assert len(cache_files(cache)) == 2
    # Both stay warm side by side.
    assert summary(check_migrations([versions], Config(root=tmp_path), cache=cache)) == summary(default)


def test_files_are_keyed_by_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative path reaches the same entry, and findings name the path as it was given."""
    versions = copy_scenarios(tmp_path, "history")
    cache = tmp_path / "cache"
    check_migrations([versions], Config(root=tmp_path), cache=cache)
    monkeypatch.chdir(tmp_path)
    no_parsing(monkeypatch)
    report = check_migrations([Path("versions")], Config(root=tmp_path), cache=cache)
    assert report.findings and all(f.location.path is not None for f in report.findings)
    assert {str(f.location.path).split(os.sep)[0] for f in report.findings} == {"versions"}
