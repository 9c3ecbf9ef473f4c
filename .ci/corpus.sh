#!/usr/bin/env bash
# The real-code regression corpus (docs/corpus.md): build one virtual environment per pinned
# project of tests/corpus/projects.json, from scratch, then run every stage on each project and
# compare the findings with the judged expectations (tests/corpus/expected/NAME.json).
#
#   bash .ci/corpus.sh                 # CI: fresh environments; fails on a false positive that is
#                                      # still reported, on an unjudged finding, on a crash
#   bash .ci/corpus.sh --reuse         # keep existing corpus environments (local re-runs)
#   bash .ci/corpus.sh --regenerate    # write tests/corpus/expected/NAME.observed.json and print
#                                      # the diff against the judgement; exit 0 unless a step broke
#
# A missing corpus environment is a failure, never a skip (ALEMBIC_STANDARDS_CORPUS=1).
set -euo pipefail
cd "$(dirname "$0")/.."

reuse=0
regenerate=0
for arg in "$@"; do
    case "$arg" in
        --reuse) reuse=1 ;;
        --regenerate) regenerate=1 ;;
        *) echo "usage: $0 [--reuse] [--regenerate]" >&2; exit 2 ;;
    esac
done
start=$SECONDS

projects=$(python3 -c 'import json; print(" ".join(sorted(json.load(open("tests/corpus/projects.json")))))')
extensions=$(python3 -c 'import json; print(" ".join(sorted({e for p in json.load(open("tests/corpus/projects.json")).values() for e in p["extensions"]})))')

# PostgreSQL binaries (as .ci/run), plus the extensions a corpus project's models need (PostGIS).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi
if [[ " $extensions " == *" postgis "* ]]; then
    sharedir=$(pg_config --sharedir 2>/dev/null || ls -d /usr/share/postgresql/* | sort -V | tail -1)
    if [ ! -f "$sharedir/extension/postgis.control" ]; then
        major=$(basename "$sharedir")
        major=${major//[^0-9]/}
        [ -n "$major" ] || major=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
        apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            "postgresql-$major-postgis-3"
    fi
fi

# The driver environment (pytest): the main one when it exists, else built like .ci/run builds it.
if [ ! -x .venv/bin/pytest ]; then
    python3 -m venv .venv && .venv/bin/pip install -q '.[test]'
fi

# One environment per project, in parallel: the project's pinned release plus this package.
pids=()
for name in $projects; do
    venv="tests/corpus/.venv-$name"
    if [ "$reuse" = 1 ] && [ -x "$venv/bin/alembic-standards" ]; then
        continue
    fi
    requirement=$(python3 -c "import json,sys; print(json.load(open('tests/corpus/projects.json'))[sys.argv[1]]['requirement'])" "$name")
    rm -rf "$venv"
    (python3 -m venv "$venv" && "$venv/bin/pip" install -q "$requirement" -e "$PWD[postgresql]" \
        >"$venv.install.log" 2>&1 || { echo "installing $requirement failed:"; tail -20 "$venv.install.log"; exit 1; }) &
    pids+=($!)
done
for pid in "${pids[@]}"; do
    wait "$pid"
done
echo "corpus environments ready after $((SECONDS - start))s"

status=0
ALEMBIC_STANDARDS_CORPUS=1 .venv/bin/pytest tests/corpus -p no:cacheprovider -q -rA --no-header || status=$?
if [ "$regenerate" = 1 ]; then
    for name in $projects; do
        .venv/bin/python tests/corpus/judgement.py diff "$name" || true
    done
    status=0
fi
echo "corpus step wall time: $((SECONDS - start))s"
exit "$status"
