"""Fuzzing the configuration loader: whatever ``pyproject.toml`` holds, no traceback.

Three generators feed :func:`alembic_standards.config.load_config` and the CLI that uses it:
random bytes; well-formed TOML whose ``[tool.alembic_standards]`` table has our keys (and some
others) with values of every TOML type, nested; and byte-level mutations of a valid file.
Each example must either load or raise the project's one failure type, ``StandardsError``,
whose message starts with the file's path; the CLI must exit 0 or 2 with no traceback; and each
example must finish within Hypothesis' deadline (a file of a few kilobytes takes milliseconds).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alembic_standards.cli import main
from alembic_standards.config import _EXCEPTION_KEYS, _TESTING_KEYS, _TOP_KEYS, Config, load_config
from alembic_standards.findings import StandardsError
from alembic_standards.naming import CONVENTION_KEYS

FUZZ = settings(
    # Small by default (the CI box has 2 cores); ALEMBIC_STANDARDS_FUZZ_EXAMPLES=2000 for a deep run.
    max_examples=int(os.environ.get("ALEMBIC_STANDARDS_FUZZ_EXAMPLES", "100")),
    # An example takes milliseconds; the deadline is the "bounded time" assertion, with room
    # for a loaded machine (Hypothesis re-runs a slow example before reporting it).
    deadline=dt.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

VALID = b"""\
[project]
name = "app"

[tool.alembic_standards]
metadata = "app.models:Base.metadata"
migrations = ["migrations/versions"]
select = ["AS2", "AS501"]
ignore = ["fk-column-naming"]
fail_on = "warning"
severity = { AS203 = "error" }
naming_convention = { ix = "ix_%(table_name)s_%(column_0_N_name)s" }
owner_columns = ["user_id"]
concurrent_indexes = true

[[tool.alembic_standards.exceptions]]
rule = "AS101"
table = "log_entries"
reason = "Sequential IDs."
expires = 2027-06-30

[tool.alembic_standards.testing]
skip_tables = { legacy = "owned by another service" }
"""

# Values that mean something to the loader, plus edge cases: rule IDs and prefixes, severities,
# naming templates with good and bad tokens, dates, huge and odd strings.
INTERESTING = st.sampled_from(
    [
        "AS",
        "AS101",
        "AS2",
        "AS999",
        "fk-unindexed",
        "error",
        "warning",
        "info",
        "fatal",
        "forbid",
        "allow",
        "require",
        "app.models:Base",
        "nocolon",
        "%(table_name)s",
        "%(column_0_N_name)s",
        "%(nope)s",
        "%(table_name)",
        "%s",
        "%%",
        "%(table_name)5s",
        "%(table_name)*s",
        "%(referred_column_0_name)s",
        "2027-06-30",
        "2027-02-30",
        "",
        " ",
        "\x00",
        "\u202e",
        "x" * 5000,
    ]
)
SCALARS = st.one_of(
    INTERESTING,
    st.text(max_size=20),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
)
KEYS = st.one_of(
    st.sampled_from([*_TOP_KEYS, *_EXCEPTION_KEYS, *_TESTING_KEYS, *sorted(CONVENTION_KEYS), "AS601", "AS2"]),
    st.text(min_size=1, max_size=10),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)


def _toml(value: Any) -> str:
    """A TOML inline value (JSON's string escapes are valid TOML basic-string escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


@st.composite
def our_tables(draw: st.DrawFn) -> bytes:
    """``[tool.alembic_standards]`` (+ exceptions and testing tables) with drawn keys and values."""
    lines = ["[tool.alembic_standards]"]
    for key, value in draw(st.dictionaries(KEYS, VALUES, max_size=6)).items():
        lines.append(f"{json.dumps(key)} = {_toml(value)}")
    for _ in range(draw(st.integers(0, 2))):
        lines.append("[[tool.alembic_standards.exceptions]]")
        for key, value in draw(st.dictionaries(KEYS, VALUES, max_size=4)).items():
            lines.append(f"{json.dumps(key)} = {_toml(value)}")
    if draw(st.booleans()):
        lines.append("[tool.alembic_standards.testing]")
        for key, value in draw(st.dictionaries(KEYS, VALUES, max_size=3)).items():
            lines.append(f"{json.dumps(key)} = {_toml(value)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    """VALID with a few bytes replaced, inserted or deleted (brackets, quotes, non-UTF-8...)."""
    data = bytearray(VALID)
    chunk = st.one_of(st.binary(min_size=1, max_size=8), st.sampled_from([b"[", b"{", b'"', b"'''", b"\xff", b"\n"]))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "nest"]))
        if action == "insert":
            data[at:at] = draw(chunk)
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        elif action == "replace":
            data[at : at + 1] = draw(chunk)
        else:
            depth = draw(st.integers(1, 3000))
            data[at:at] = b"x = " + b"[" * depth + b"]" * depth + b"\n"
    return bytes(data)


def _exercise(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pyproject.toml"
        path.write_bytes(content)
        error: StandardsError | None = None
        try:
            config = load_config(path)
        except StandardsError as exc:
            error = exc
        if error is not None:
            assert str(error).startswith(f"{path}:"), str(error)
        else:
            assert isinstance(config, Config)
            # What every stage does with the loaded configuration must not fail either.
            tokens = {"referred_table": "r", "referred_columns": ["id"], "constraint_name": "n"}
            for kind in ("pk", "fk", "uq", "ix", "ck"):
                assert isinstance(config.naming.name(kind, "t", ["c"], **tokens), str)
            for rule_id in config.enabled:
                config.severity_of(rule_id)
        # The CLI on the same file: exit 0 or 2, one line, never a traceback.
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["rules", "--config", str(path)])
        assert code in (0, 2), err.getvalue()
        assert "Traceback" not in err.getvalue()
        if code == 2:
            assert err.getvalue().startswith(f"alembic-standards: error: {path}:")


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(content: bytes) -> None:
    _exercise(content)


@FUZZ
@given(our_tables())
def test_generated_tables(content: bytes) -> None:
    _exercise(content)


@FUZZ
@given(mutations())
def test_mutated_valid_file(content: bytes) -> None:
    _exercise(content)


def test_the_unmutated_file_loads() -> None:
    """The seed of the mutations is itself valid (else the mutations test proves little)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pyproject.toml"
        path.write_bytes(VALID)
        assert load_config(path).fail_on.value == "warning"
