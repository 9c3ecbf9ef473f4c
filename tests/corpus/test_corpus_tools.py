"""The corpus gate's own tools: finding matching (``judgement.py``) and the unindexed-FK query.

These run in the main suite (no corpus environment needed): a gate whose matching or whose
catalog query were wrong would pass or fail for the wrong reason.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from . import judgement


def _finding(rule: str = "AS201", line: int = 10, message: str = "m", **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "stage": "models",
        "rule": rule,
        "severity": "error",
        "path": "proj/models.py",
        "line": line,
        "table": "t",
        "column": "c",
        "constraint": None,
        "message": message,
    }
    base.update(extra)
    return base


def _judged(finding: dict[str, Any], verdict: bool, why: str = "because") -> dict[str, Any]:
    return {**finding, "verdict": verdict, "why": why}


def test_a_finding_judged_false_that_is_still_reported_fails_the_gate() -> None:
    fp = _finding(rule="AS503", message="t.c looks like a status column")
    comparison = judgement.compare([fp], [_judged(fp, False, "a JSON blob")])
    assert comparison.failed
    assert [j["why"] for _, j in comparison.false_positives] == ["a JSON blob"]
    assert judgement.render("proj", comparison, []) == (
        "proj: 1 finding(s) judged FALSE are still reported:\n"
        "  - [models] AS503 proj/models.py:10: t.c looks like a status column\n"
        "      why false: a JSON blob"
    )


def test_a_new_unjudged_finding_fails_the_gate() -> None:
    known = _finding()
    new = _finding(rule="AS402", line=12, message="naive timestamp")
    comparison = judgement.compare([known, new], [_judged(known, True)])
    assert comparison.failed
    assert comparison.unjudged == [new]


def test_judged_true_findings_pass_and_fixed_false_positives_are_listed_not_failed() -> None:
    true = _finding()
    fixed = _finding(rule="AS503", line=20)
    comparison = judgement.compare([true], [_judged(true, True), _judged(fixed, False)])
    assert not comparison.failed
    assert [j["rule"] for j in comparison.vanished] == ["AS503"]


def test_a_reworded_message_at_the_same_place_still_matches() -> None:
    old = _finding(message="old wording")
    new = _finding(message="new wording")
    comparison = judgement.compare([new], [_judged(old, False)])
    assert [(o["message"], j["message"]) for o, j in comparison.reworded] == [("new wording", "old wording")]
    assert comparison.false_positives  # still the same (false) finding
    assert not comparison.unjudged


def test_two_findings_at_one_place_match_on_their_messages_never_by_guess() -> None:
    # One model line declares two foreign keys: same place, different messages.
    a = _finding(rule="AS501", column=None, message="foreign key on bill(payer_id)")
    b = _finding(rule="AS501", column=None, message="foreign key on bill(archive)")
    assert not judgement.compare([a, b], [_judged(a, True), _judged(b, True)]).failed
    # Both reworded: ambiguous, so both are new findings to judge, not silently matched.
    a2 = {**a, "message": "FK bill(payer_id)"}
    b2 = {**b, "message": "FK bill(archive)"}
    comparison = judgement.compare([a2, b2], [_judged(a, True), _judged(b, True)])
    assert comparison.unjudged == [a2, b2]


@pytest.mark.postgres
def test_the_unindexed_fk_query_follows_the_leading_column_rule(pg_engine: Engine) -> None:
    from .run_stages import UNINDEXED_FKS_SQL

    with pg_engine.begin() as conn:
        conn.execute(text("CREATE TABLE users (id int PRIMARY KEY, org int, UNIQUE (org, id))"))
        conn.execute(
            text(
                "CREATE TABLE posts (id int PRIMARY KEY, a int REFERENCES users, b int REFERENCES users,"
                " c int REFERENCES users, d int, e int,"
                " CONSTRAINT fk_de FOREIGN KEY (d, e) REFERENCES users (org, id))"
            )
        )
        conn.execute(text("CREATE INDEX ix_a ON posts (a)"))  # covered
        conn.execute(text("CREATE INDEX ix_x_b ON posts (id, b)"))  # b not leading: not covered
        conn.execute(text("CREATE INDEX ix_ed ON posts (e, d)"))  # wrong order: not covered
        rows = conn.execute(text(UNINDEXED_FKS_SQL)).all()
    assert [name for _, name in rows] == ["fk_de", "posts_b_fkey", "posts_c_fkey"]
