"""Compare what a corpus run observed with the judged expectations, and summarise the judgement.

``expected/NAME.json`` holds every finding the stages gave on that project, each judged by reading
the project's source: ``verdict`` is ``true`` (a finding we would defend to the project's
maintainers) or ``false`` (a false positive; ``why`` says why in one line).  A run writes
``expected/NAME.observed.json`` next to it (git-ignored).  The corpus gate fails when

* a finding judged ``false`` is still reported (the false positive is not fixed), or
* a finding nobody has judged appears (a new finding must be read and judged before it lands).

A judged-true finding that is no longer reported is listed but does not fail the gate: the
integrator decides whether a fix removed it on purpose.  Findings are matched on their place
(stage, rule, file and line, or table/column/constraint) and message; when only the wording of a
message changed, the one finding left at that place still matches and is listed as reworded.

Command line (no third-party imports; any Python runs it)::

    python tests/corpus/judgement.py diff NAME     # observed vs judged, exit 1 on a gate failure
    python tests/corpus/judgement.py table         # the corpus table for docs/corpus.md
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected"
STAGES = ("models", "migrations", "audit", "autogenerate")

Finding = dict[str, Any]


def place(f: Finding) -> tuple[str, ...]:
    """Where a finding is: not its wording."""
    return tuple(str(f.get(k) or "") for k in ("stage", "rule", "path", "line", "table", "column", "constraint"))


def judged_path(name: str) -> Path:
    return EXPECTED / f"{name}.json"


def observed_path(name: str) -> Path:
    return EXPECTED / f"{name}.observed.json"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@dataclass
class Comparison:
    matched: list[tuple[Finding, Finding]] = field(default_factory=list)  # (observed, judged)
    reworded: list[tuple[Finding, Finding]] = field(default_factory=list)
    unjudged: list[Finding] = field(default_factory=list)
    vanished: list[Finding] = field(default_factory=list)  # judged, no longer reported

    @property
    def false_positives(self) -> list[tuple[Finding, Finding]]:
        return [(o, j) for o, j in self.matched if j["verdict"] is False]

    @property
    def failed(self) -> bool:
        return bool(self.false_positives or self.unjudged)


def compare(observed: list[Finding], judged: list[Finding]) -> Comparison:
    result = Comparison()
    pool: dict[tuple[str, ...], list[Finding]] = defaultdict(list)
    for j in judged:
        pool[(*place(j), j["message"])].append(j)
    leftover: list[Finding] = []
    for o in observed:
        candidates = pool.get((*place(o), o["message"]))
        if candidates:
            result.matched.append((o, candidates.pop(0)))
        else:
            leftover.append(o)
    # Second pass: the wording changed but the place is the same and unambiguous.
    by_place: dict[tuple[str, ...], list[Finding]] = defaultdict(list)
    for candidates in pool.values():
        for j in candidates:
            by_place[place(j)].append(j)
    left_by_place = Counter(place(o) for o in leftover)
    for o in leftover:
        same = by_place.get(place(o), [])
        if len(same) == 1 and left_by_place[place(o)] == 1:
            j = same.pop()
            result.matched.append((o, j))
            result.reworded.append((o, j))
        else:
            result.unjudged.append(o)
    result.vanished = [j for candidates in by_place.values() for j in candidates]
    return result


def _line(f: Finding) -> str:
    where = (f["path"] and f"{f['path']}:{f['line']}") or ".".join(x for x in (f["table"], f["column"]) if x)
    return f"[{f['stage']}] {f['rule']} {where}: {f['message']}"


def render(name: str, comparison: Comparison, crashes: list[dict[str, Any]]) -> str:
    out: list[str] = []
    if crashes:
        out.append(f"{name}: {len(crashes)} crash(es):")
        for c in crashes:
            out.append(f"  [{c['stage']}] `{c['command']}` exited {c['returncode']}:")
            out.extend(f"      {line}" for line in c["output"].splitlines()[-6:])
    if comparison.false_positives:
        out.append(f"{name}: {len(comparison.false_positives)} finding(s) judged FALSE are still reported:")
        out.extend(f"  - {_line(o)}\n      why false: {j['why']}" for o, j in comparison.false_positives)
    if comparison.unjudged:
        out.append(
            f"{name}: {len(comparison.unjudged)} new finding(s) nobody has judged "
            f"(read the source, then add them to {judged_path(name).relative_to(HERE.parent.parent)}):"
        )
        out.extend(f"  + {_line(o)}" for o in comparison.unjudged)
    if comparison.vanished:
        out.append(f"{name}: {len(comparison.vanished)} judged finding(s) no longer reported (not a failure):")
        out.extend(f"  ~ ({'true' if j['verdict'] else 'false'}) {_line(j)}" for j in comparison.vanished)
    if comparison.reworded:
        out.append(f"{name}: {len(comparison.reworded)} finding(s) reworded (matched by place):")
        out.extend(f"  * {_line(o)}\n      was: {j['message']}" for o, j in comparison.reworded)
    return "\n".join(out) if out else f"{name}: observed findings match the judgement."


def table(names: list[str]) -> str:
    """The Markdown corpus table, from the judged files (what the stages reported when judged)."""
    rows = [
        "| project | version | stage | findings | judged true | judged false | precision | crashes |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in names:
        data = load(judged_path(name))
        for stage in (*STAGES, "all"):
            found = [f for f in data["findings"] if stage in ("all", f["stage"])]
            true = sum(1 for f in found if f["verdict"] is True)
            false = len(found) - true
            precision = f"{true / len(found):.2f}" if found else "n/a"
            crashes = sum(1 for c in data["crashes"] if stage in ("all", c["stage"]))
            label = "**all**" if stage == "all" else stage
            rows.append(
                f"| {name} | {data['version']} | {label} | {len(found)} | {true} | {false} | {precision} | {crashes} |"
            )
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "diff":
        name = argv[1]
        observed = load(observed_path(name))
        judged = load(judged_path(name))
        comparison = compare(observed["findings"], judged["findings"])
        print(render(name, comparison, observed["crashes"]))
        return 1 if comparison.failed or observed["crashes"] else 0
    if argv and argv[0] == "table":
        names = argv[1:] or sorted(p.stem for p in EXPECTED.glob("*.json") if not p.stem.endswith(".observed"))
        print(table(names))
        return 0
    print(__doc__.split("Command line")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
