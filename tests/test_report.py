"""Every output format, exactly, for a small fixed set of findings; SARIF against the 2.1.0 schema."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from alembic_standards.findings import Finding, Location, Severity
from alembic_standards.report import (
    format_findings,
    format_github,
    format_json,
    format_sarif,
    format_text,
    summary,
    use_color,
)
from alembic_standards.rules import RULES

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def findings(root: Path) -> list[Finding]:
    # Deliberately out of order: every format sorts by path, line, col, object, rule.
    return [
        Finding(
            "AS502",
            Severity.ERROR,
            "primary key 'users_pkey' on (id) has a name invented by the database",
            Location(schema="public", table="users", constraint="users_pkey"),
        ),
        Finding(
            "AS701",
            Severity.ERROR,
            "downgrade() does not drop table 'tags', created by upgrade()",
            Location(path=root / "migrations" / "versions" / "0002_tags.py", line=31, col=5, revision="0002"),
        ),
        Finding(
            "AS203",
            Severity.WARNING,
            "tags.user_id: nullability not stated, 100% sure: add nullable=,\nplease",
            Location(path=root / "app" / "models.py", line=12, col=5, table="tags", column="user_id"),
        ),
        Finding("AS904", Severity.INFO, "expression index not judged", Location(table="users", column="email")),
    ]


def test_text_format_is_path_line_col_id_message(findings: list[Finding], root: Path) -> None:
    assert format_text(findings, root=root) == (
        "public.users.users_pkey: AS502 primary key 'users_pkey' on (id) has a name invented by the database\n"
        "users.email: AS904 expression index not judged\n"
        "app/models.py:12:5: AS203 tags.user_id: nullability not stated, 100% sure: add nullable=,\nplease\n"
        "migrations/versions/0002_tags.py:31:5: AS701 downgrade() does not drop table 'tags', created by upgrade()\n"
    )


def test_text_colour_only_when_asked(findings: list[Finding], root: Path) -> None:
    coloured = format_text(findings[1:2], root=root, color=True)
    assert coloured == (
        "\x1b[1mmigrations/versions/0002_tags.py:31:5\x1b[0m: \x1b[1;31mAS701\x1b[0m "
        "downgrade() does not drop table 'tags', created by upgrade()\n"
    )
    assert "\x1b" not in format_text(findings, root=root, color=False)


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize(
    ("tty", "no_color", "expected"),
    [(True, None, True), (False, None, False), (True, "1", False)],
)
def test_use_color_needs_a_tty_and_honours_no_color(
    monkeypatch: pytest.MonkeyPatch, tty: bool, no_color: str | None, expected: bool
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    if no_color is not None:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert use_color(_Stream(tty)) is expected


def test_summary_counts_by_severity(findings: list[Finding]) -> None:
    assert summary(findings) == "Found 4 findings (2 errors, 1 warning, 1 info)."
    assert summary(findings[:1]) == "Found 1 finding (1 error)."
    assert summary([]) == "All checks passed."
    assert summary([findings[3], findings[3]]) == "Found 2 findings (2 info)."


def test_json_format_has_a_stable_schema(findings: list[Finding], root: Path) -> None:
    records = json.loads(format_json(findings, root=root))
    assert records == [
        {
            "rule": "AS502",
            "severity": "error",
            "message": "primary key 'users_pkey' on (id) has a name invented by the database",
            "path": None,
            "line": None,
            "col": None,
            "schema": "public",
            "table": "users",
            "column": None,
            "constraint": "users_pkey",
            "revision": None,
        },
        {
            "rule": "AS904",
            "severity": "info",
            "message": "expression index not judged",
            "path": None,
            "line": None,
            "col": None,
            "schema": None,
            "table": "users",
            "column": "email",
            "constraint": None,
            "revision": None,
        },
        {
            "rule": "AS203",
            "severity": "warning",
            "message": "tags.user_id: nullability not stated, 100% sure: add nullable=,\nplease",
            "path": "app/models.py",
            "line": 12,
            "col": 5,
            "schema": None,
            "table": "tags",
            "column": "user_id",
            "constraint": None,
            "revision": None,
        },
        {
            "rule": "AS701",
            "severity": "error",
            "message": "downgrade() does not drop table 'tags', created by upgrade()",
            "path": "migrations/versions/0002_tags.py",
            "line": 31,
            "col": 5,
            "schema": None,
            "table": None,
            "column": None,
            "constraint": None,
            "revision": "0002",
        },
    ]
    assert format_json([]) == "[]\n"


def test_github_annotations_escape_per_workflow_command_rules(findings: list[Finding], root: Path) -> None:
    assert format_github(findings, root=root) == (
        "::error title=AS502::public.users.users_pkey: primary key 'users_pkey' on (id) has a name invented by"
        " the database\n"
        "::notice title=AS904::users.email: expression index not judged\n"
        "::warning file=app/models.py,line=12,col=5,title=AS203::tags.user_id: nullability not stated,"
        " 100%25 sure: add nullable=,%0Aplease\n"
        "::error file=migrations/versions/0002_tags.py,line=31,col=5,title=AS701::downgrade() does not drop"
        " table 'tags', created by upgrade()\n"
    )


def test_github_property_values_escape_colon_and_comma(tmp_path: Path) -> None:
    finding = Finding("AS800", Severity.ERROR, "bad", Location(path=tmp_path / "a,b:c%.py", line=1))
    assert format_github([finding], root=tmp_path) == "::error file=a%2Cb%3Ac%25.py,line=1,title=AS800::bad\n"


def _sarif(findings: list[Finding], root: Path) -> dict[str, object]:
    return json.loads(format_sarif(findings, root=root, version="1.2.3"))  # type: ignore[no-any-return]


def test_sarif_results_locations(findings: list[Finding], root: Path) -> None:
    log = _sarif(findings, root)
    run = log["runs"][0]  # type: ignore[index]
    assert log["version"] == "2.1.0"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}}
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == list(RULES)
    assert run["tool"]["driver"]["version"] == "1.2.3"
    as201 = run["tool"]["driver"]["rules"][rule_ids.index("AS201")]
    assert as201["helpUri"].endswith("/docs/rules/AS201.md")
    assert as201["defaultConfiguration"] == {"level": "error"}
    results = run["results"]
    assert [(r["ruleId"], r["level"], r["ruleIndex"]) for r in results] == [
        ("AS502", "error", rule_ids.index("AS502")),
        ("AS904", "note", rule_ids.index("AS904")),
        ("AS203", "warning", rule_ids.index("AS203")),
        ("AS701", "error", rule_ids.index("AS701")),
    ]
    # No file known: logical location only.
    assert results[0]["locations"] == [
        {
            "logicalLocations": [
                {"name": "users_pkey", "fullyQualifiedName": "public.users.users_pkey", "kind": "constraint"}
            ]
        }
    ]
    # A file and an object: both.
    assert results[2]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "app/models.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 12, "startColumn": 5},
            },
            "logicalLocations": [{"name": "user_id", "fullyQualifiedName": "tags.user_id", "kind": "column"}],
        }
    ]
    assert results[3]["locations"][0]["logicalLocations"] == [
        {"name": "0002", "fullyQualifiedName": "revision 0002", "kind": "module"}
    ]


def test_sarif_path_outside_root_is_an_absolute_file_uri(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "m.py"
    finding = Finding("AS800", Severity.ERROR, "bad", Location(path=outside, line=3))
    log = _sarif([finding], tmp_path / "project")
    location = log["runs"][0]["results"][0]["locations"][0]  # type: ignore[index]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": outside.as_uri()}


@pytest.mark.parametrize("count", [0, 4])
def test_sarif_validates_against_the_2_1_0_schema(findings: list[Finding], root: Path, count: int) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    log = _sarif(findings[:count], root)
    errors = sorted(validator.iter_errors(log), key=str)
    assert errors == []


def test_the_schema_check_can_fail(root: Path) -> None:
    """Guard against a vacuous validation: a broken log is rejected by the same validator."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    log = _sarif([], root)
    log["version"] = "2.0.0"
    log["runs"][0]["results"] = [{"ruleId": "AS101"}]  # type: ignore[index]  # no message
    assert len(list(jsonschema.Draft4Validator(schema).iter_errors(log))) >= 2


def test_format_dispatch_and_unknown_format(findings: list[Finding], root: Path) -> None:
    assert format_findings("text", findings, root=root) == format_text(findings, root=root)
    assert format_findings("github", findings, root=root) == format_github(findings, root=root)
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        format_findings("xml", findings)


# ------------------------------------------------------------------------------ paths, resolved once
def _odd_paths(root: Path) -> list[Path]:
    """A symlinked file and directory, a path outside root, a relative path, '..' and '.' parts."""
    (root / "real").mkdir()
    (root / "real" / "a.py").write_text("", encoding="utf-8")
    (root / "linked_dir").symlink_to(root / "real")
    outside = root.parent / f"{root.name}-outside"
    outside.mkdir()
    (outside / "b.py").write_text("", encoding="utf-8")
    (root / "real" / "to_outside.py").symlink_to(outside / "b.py")
    (root / "real" / "to_inside.py").symlink_to(root / "real" / "a.py")
    return [
        root / "real" / "a.py",
        root / "linked_dir" / "a.py",
        root / "real" / "to_outside.py",
        root / "real" / "to_inside.py",
        outside / "b.py",
        root / "real" / ".." / "real" / "a.py",
        root / "real" / "..",
        root / "missing" / "c.py",
        Path("relative") / "d.py",
    ]


def test_report_paths_match_location_render(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-file path cache shows every path exactly as Location.render does."""
    monkeypatch.chdir(root)
    paths = _odd_paths(root)
    findings = [Finding("AS703", Severity.WARNING, "m", Location(path=p, line=1, col=2)) for p in paths]
    expected = sorted(f"{f.location.render(root)}: AS703 m\n" for f in findings)
    assert sorted(format_text(findings, root=root).splitlines(keepends=True)) == expected
    records = json.loads(format_json(findings, root=root))
    assert sorted(r["path"] for r in records) == sorted(
        Path(f.location.render(root).rsplit(":", 2)[0]).as_posix() for f in findings
    )


def test_paths_are_resolved_once_per_directory(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """2,000 findings in 200 files of 2 directories: Path.resolve runs a handful of times, not
    twice per finding (issue #15: rendering dominated a cold check of 1,000 revisions)."""
    files = [root / f"dir{d}" / f"{n:03d}.py" for d in range(2) for n in range(100)]
    findings = [
        Finding("AS703", Severity.WARNING, "m", Location(path=f, line=n, col=1)) for f in files for n in range(10)
    ]
    calls = 0
    resolve = Path.resolve

    def counting(self: Path, strict: bool = False) -> Path:
        nonlocal calls
        calls += 1
        return resolve(self, strict=strict)

    monkeypatch.setattr(Path, "resolve", counting)
    for fmt in ("text", "json", "sarif", "github"):
        calls = 0
        out = format_findings(fmt, findings, root=root)
        assert "dir1/099.py" in out
        assert calls <= 4, (fmt, calls)  # root (twice for SARIF's base URI) + one per directory


def test_paths_are_shown_as_path_resolve_relative_to_root_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The string fast path of ``_Paths`` (a plain file in a directory inside root) gives what
    ``Path.resolve().relative_to(root)`` gives, and everything else (links, files outside root,
    missing files, ``..``) is shown as before."""
    from alembic_standards.report import _Paths

    root = tmp_path / "project"
    (root / "versions" / "sub").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    for file in (
        root / "a.py",
        root / "versions" / "b.py",
        root / "versions" / "sub" / "c.py",
        tmp_path / "elsewhere" / "d.py",
    ):
        file.write_text("")
    (root / "versions" / "inside-link.py").symlink_to(root / "versions" / "sub" / "c.py")
    (root / "versions" / "outside-link.py").symlink_to(tmp_path / "elsewhere" / "d.py")
    (root / "linked-dir").symlink_to(root / "versions")
    monkeypatch.chdir(root)
    paths = [
        Path("a.py"),
        Path("versions/b.py"),
        Path("versions/sub/c.py"),
        Path("versions/missing.py"),
        Path("versions/inside-link.py"),
        Path("versions/outside-link.py"),
        Path("linked-dir/b.py"),
        Path("versions/sub/../b.py"),
        Path("versions/.."),
        Path("."),
        root / "versions" / "b.py",
        tmp_path / "elsewhere" / "d.py",
        Path("../elsewhere/d.py"),
    ]

    def expected(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            return str(path)

    shown = _Paths(root)
    assert [shown.shown(p) for p in paths] == [expected(p) for p in paths]
    assert [shown.shown(p) for p in paths] == [expected(p) for p in paths]  # from its cache, the same
