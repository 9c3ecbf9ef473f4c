"""The baseline file: fingerprints that survive unrelated edits, counts, stale entries, bad files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from alembic_standards.baseline import Baseline, fingerprint
from alembic_standards.findings import Finding, Location, Severity, StandardsError


def _model_finding(line: int, *, column: str = "user_id", path: str = "app/models.py") -> Finding:
    return Finding(
        "AS201",
        Severity.ERROR,
        f"foreign key posts({column}) -> users.id is not covered by an index; add index=True on the column",
        Location(path=Path(path), line=line, col=5, table="posts", column=column),
    )


def _revision_finding(path: str, line: int, message: str = "downgrade() is empty") -> Finding:
    return Finding("AS702", Severity.ERROR, message, Location(path=Path(path), line=line, col=1, revision="3f2a9c"))


def test_moving_a_model_keeps_its_fingerprint(tmp_path: Path) -> None:
    # Adding lines above the column, or moving the class to another file, changes only the location.
    assert fingerprint(_model_finding(42), "models", tmp_path) == fingerprint(_model_finding(97), "models", tmp_path)
    assert fingerprint(_model_finding(42), "models", tmp_path) == fingerprint(
        _model_finding(42, path="app/other.py"), "models", tmp_path
    )


def test_fingerprint_depends_on_rule_object_stage_and_substance(tmp_path: Path) -> None:
    base = fingerprint(_model_finding(42), "models", tmp_path)
    assert base != fingerprint(_model_finding(42, column="author_id"), "models", tmp_path)
    assert base != fingerprint(_model_finding(42), "database", tmp_path)
    other_rule = Finding("AS202", Severity.ERROR, _model_finding(42).message, _model_finding(42).location)
    assert base != fingerprint(other_rule, "models", tmp_path)


def test_revision_findings_are_keyed_on_revision_not_line_or_file_name(tmp_path: Path) -> None:
    a = _revision_finding("versions/3f2a9c_a.py", 10, "downgrade() does not undo line 12")
    b = _revision_finding("versions/3f2a9c_renamed.py", 30, "downgrade() does not undo line 40")
    assert fingerprint(a, "migrations", tmp_path) == fingerprint(b, "migrations", tmp_path)


def test_line_references_in_messages_are_not_substance(tmp_path: Path) -> None:
    a = Finding("AS703", Severity.ERROR, "see app/models.py:12:5 and line 7", Location(path=Path("f.py")))
    b = Finding("AS703", Severity.ERROR, "see app/models.py:80:1 and line 70", Location(path=Path("f.py")))
    c = Finding("AS703", Severity.ERROR, "see app/other.py:80:1 and line 70", Location(path=Path("f.py")))
    assert fingerprint(a, "migrations", tmp_path) == fingerprint(b, "migrations", tmp_path)
    assert fingerprint(a, "migrations", tmp_path) != fingerprint(c, "migrations", tmp_path)


def test_round_trip_apply_and_counts(tmp_path: Path) -> None:
    findings = [
        ("models", _model_finding(1)),
        ("models", _model_finding(2)),
        ("migrations", _revision_finding("v.py", 3)),
    ]
    baseline = Baseline.from_findings(tmp_path / "b.json", findings, tmp_path)
    baseline.write()
    loaded = Baseline.load(tmp_path / "b.json")
    assert loaded.entries == baseline.entries
    assert sorted(e.count for e in loaded.entries.values()) == [1, 2]

    # Same findings: nothing new, nothing stale; counts by rule for the summary.
    result = loaded.apply(findings, tmp_path, stages_ran={"models", "migrations"})
    assert result.new == []
    assert result.stale == []
    assert result.summary() == "baseline: 3 suppressed (AS201 2, AS702 1)"

    # A third equal finding is new: the baseline holds two slots, not "any number".
    extra = ("models", _model_finding(3))
    result = loaded.apply([*findings, extra], tmp_path, stages_ran={"models", "migrations"})
    assert result.new == [extra[1]]


def test_fixed_problem_leaves_a_stale_entry_until_pruned(tmp_path: Path) -> None:
    findings = [("models", _model_finding(1)), ("migrations", _revision_finding("v.py", 3))]
    baseline = Baseline.from_findings(tmp_path / "b.json", findings, tmp_path)
    result = baseline.apply(findings[1:], tmp_path, stages_ran={"models", "migrations"})
    assert result.new == []
    assert [(e.rule_id, e.object) for e in result.stale] == [("AS201", "posts.user_id")]
    (stale,) = baseline.stale_findings(result.stale, tmp_path)
    assert stale.render() == (
        "b.json: AS905 baseline entry AS201 on posts.user_id (models) matches no finding any more; "
        "run `alembic-standards check --write-baseline` to remove it"
    )
    assert result.summary() == "baseline: 1 suppressed (AS702 1), 1 stale"


def test_entries_of_stages_that_did_not_run_are_not_stale(tmp_path: Path) -> None:
    baseline = Baseline.from_findings(tmp_path / "b.json", [("database", _model_finding(1))], tmp_path)
    assert baseline.apply([], tmp_path, stages_ran={"models", "migrations"}).stale == []
    assert len(baseline.apply([], tmp_path, stages_ran={"database"}).stale) == 1


def test_a_restated_finding_holds_its_entry_without_being_reported(tmp_path: Path) -> None:
    """``check --metadata --database-url`` leaves out the audit's twin of a model finding; a baseline
    an earlier version wrote holds an entry for that twin, which must not turn stale (AS905, an
    error) on upgrading."""
    twin = _model_finding(1)
    baseline = Baseline.from_findings(tmp_path / "b.json", [("models", twin), ("database", twin)], tmp_path)
    ran = {"models", "database"}
    result = baseline.apply([("models", twin)], tmp_path, stages_ran=ran, restated=[("database", twin)])
    assert (result.new, result.stale, result.summary()) == ([], [], "baseline: 1 suppressed (AS201 1)")
    # Without it, the entry is stale: the case the parameter exists for.
    assert len(baseline.apply([("models", twin)], tmp_path, stages_ran=ran).stale) == 1
    # A restated finding is never reported, baselined or not.
    assert baseline.apply([], tmp_path, stages_ran=ran, restated=[("database", twin)] * 2).new == []


def test_a_merged_declaration_is_held_by_the_per_table_entries_an_earlier_version_wrote(tmp_path: Path) -> None:
    """A mixin's column reported once (``models.lint_metadata``) used to be one finding per table; a
    baseline of those entries still holds it, and the entries are not stale (AS905) on upgrading."""
    posts = _model_finding(1)
    drafts = Finding(
        posts.rule_id,
        posts.severity,
        posts.message.replace("posts", "drafts"),
        Location(path=Path("app/models.py"), line=1, col=5, table="drafts", column="user_id"),
    )
    parts = [drafts, posts]
    merged = Finding(
        "AS201",
        Severity.ERROR,
        "foreign key user_id (declared once, used by tables drafts, posts) -> users.id is not covered by an index; "
        "add index=True on the column",
        Location(path=Path("app/models.py"), line=1, col=5, column="user_id"),
    )
    old = Baseline.from_findings(tmp_path / "b.json", [("models", p) for p in parts], tmp_path)
    ran = {"models"}
    result = old.apply([("models", merged)], tmp_path, stages_ran=ran, merged_from={id(merged): parts})
    assert (result.new, result.stale, result.summary()) == ([], [], "baseline: 1 suppressed (AS201 1)")
    # Without the mapping: a new finding and two stale entries.
    result = old.apply([("models", merged)], tmp_path, stages_ran=ran)
    assert (result.new, len(result.stale)) == ([merged], 2)
    # Half a baseline holds nothing: the merged finding is new, the one entry stale.
    half = Baseline.from_findings(tmp_path / "h.json", [("models", parts[0])], tmp_path)
    result = half.apply([("models", merged)], tmp_path, stages_ran=ran, merged_from={id(merged): parts})
    assert (result.new, len(result.stale)) == ([merged], 1)
    # A baseline written now holds the merged finding itself.
    fresh = Baseline.from_findings(tmp_path / "f.json", [("models", merged)], tmp_path)
    assert fresh.apply([("models", merged)], tmp_path, stages_ran=ran, merged_from={id(merged): parts}).new == []


def _reworded(finding: Finding, remedy: str) -> Finding:
    return Finding(finding.rule_id, finding.severity, f"{finding.fact}; {remedy}", finding.location)


def test_a_reworded_remedy_keeps_its_entry(tmp_path: Path) -> None:
    """A later version that rewords how to fix a finding (AS402's remedy for a TypeDecorator) does not
    make a team's accepted finding new and its entry stale (AS905): the same fact, on the same object,
    in the same stage, takes the entry."""
    old = _model_finding(1)
    baseline = Baseline.from_findings(tmp_path / "b.json", [("models", old)], tmp_path)
    ran = {"models"}
    reworded = _reworded(old, "declare Index('idx_posts_user_id', 'user_id') in __table_args__")
    result = baseline.apply([("models", reworded)], tmp_path, stages_ran=ran)
    assert (result.new, result.stale, result.summary()) == ([], [], "baseline: 1 suppressed (AS201 1)")
    # Another fact (another column), another stage or another rule is not the same finding.
    other_column = _model_finding(1, column="author_id")
    result = baseline.apply([("models", other_column)], tmp_path, stages_ran=ran)
    assert (result.new, len(result.stale)) == ([other_column], 1)
    result = baseline.apply([("database", reworded)], tmp_path, stages_ran={"models", "database"})
    assert (result.new, len(result.stale)) == ([reworded], 1)
    other_rule = Finding("AS202", old.severity, reworded.message, old.location)
    assert baseline.apply([("models", other_rule)], tmp_path, stages_ran=ran).new == [other_rule]
    # The count still holds: one entry, one finding, however it is worded.
    result = baseline.apply([("models", reworded), ("models", old)], tmp_path, stages_ran=ran)
    assert len(result.new) == 1


def test_a_detail_moved_behind_the_remedy_keeps_its_entry(tmp_path: Path) -> None:
    """AS904 once said "has expression elements (lower); only ..." and now says "has expression
    elements; only ... (lower(name))": the object is the index, the fact the same."""
    where = Location(path=Path("app/models.py"), line=9, col=5, table="tags", constraint="idx_tags_lower_name")
    before = Finding(
        "AS904",
        Severity.INFO,
        "index idx_tags_lower_name on tags has expression elements (lower); only its plain leading columns count "
        "for FK coverage and uniqueness",
        where,
    )
    now = Finding(
        "AS904",
        Severity.INFO,
        "index idx_tags_lower_name on tags has expression elements; only its plain leading columns count for FK "
        "coverage and uniqueness (lower(name))",
        where,
    )
    baseline = Baseline.from_findings(tmp_path / "b.json", [("models", before)], tmp_path)
    result = baseline.apply([("models", now)], tmp_path, stages_ran={"models"})
    assert (result.new, result.stale) == ([], [])
    other_index = Finding(now.rule_id, now.severity, now.message.replace("lower_name", "upper_name"), now.location)
    assert baseline.apply([("models", other_index)], tmp_path, stages_ran={"models"}).new == [other_index]


def test_exact_entries_are_taken_before_entries_of_the_same_fact(tmp_path: Path) -> None:
    """Two findings of one fact with different remedies, each with its own entry: each takes its own,
    whatever the order, so neither is reported and nothing is stale."""
    a = _model_finding(1)
    b = _reworded(a, "or document an exception")
    baseline = Baseline.from_findings(tmp_path / "b.json", [("models", a), ("models", b)], tmp_path)
    for order in ([b, a], [a, b]):
        result = baseline.apply([("models", f) for f in order], tmp_path, stages_ran={"models"})
        assert (result.new, result.stale) == ([], [])
    # A restated finding holds an entry of its fact too, and is never reported.
    result = baseline.apply([], tmp_path, stages_ran={"models"}, restated=[("models", _reworded(a, "x"))])
    assert (result.new, len(result.stale)) == ([], 1)


def test_file_is_stable_and_reviewable(tmp_path: Path) -> None:
    findings = [("models", _model_finding(1)), ("migrations", _revision_finding("v.py", 3))]
    one = Baseline.from_findings(tmp_path / "b.json", findings, tmp_path).dumps()
    two = Baseline.from_findings(tmp_path / "b.json", list(reversed(findings)), tmp_path).dumps()
    assert one == two
    document = json.loads(one)
    assert document["format"] == 1
    assert [e["object"] for e in document["entries"]] == ["revision:3f2a9c", "posts.user_id"]


def test_missing_file_is_an_empty_baseline(tmp_path: Path) -> None:
    assert Baseline.load(tmp_path / "nope.json").entries == {}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{", "b.json:1: baseline is not valid JSON: Expecting property name enclosed in double quotes"),
        (b"[]", "b.json: baseline must be a JSON object"),
        (b'{"format": 99, "entries": []}', "b.json: baseline format 99 is not understood"),
        (b'{"format": 1}', "b.json: baseline has no `entries` list"),
        (b'{"format": 1, "entries": [{"fingerprint": 1}]}', "b.json: baseline entry 1: `fingerprint` must be"),
        (b"\xff\xfe", "b.json: baseline is not UTF-8"),
        (
            b'{"format": 1, "entries": [{"fingerprint": "f", "rule": "AS2O1", "stage": "models", '
            b'"object": "t", "message": "m"}]}',
            "b.json: baseline entry 1: unknown rule 'AS2O1'",
        ),
        (b"[" * 100_000, "b.json:"),
    ],
)
def test_malformed_baseline_is_a_clear_error(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(content)
    with pytest.raises(StandardsError) as info:
        Baseline.load(path)
    assert str(info.value).replace(str(tmp_path) + os.sep, "").startswith(expected)


def test_fifo_or_device_in_place_of_the_baseline_is_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(StandardsError, match="not a regular file"):
        Baseline.load(fifo)
    link = tmp_path / "dev.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(StandardsError, match="not a regular file"):
        Baseline.load(link)


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    baseline = Baseline.from_findings(tmp_path / "sub" / "b.json", [("models", _model_finding(1))], tmp_path)
    baseline.write()
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["b.json"]
