"""The corpus layer runs only when asked: ``.ci/corpus.sh`` sets ``ALEMBIC_STANDARDS_CORPUS=1``.

It needs one virtual environment per corpus project (``.ci/corpus.sh`` builds them from the pinned
versions in ``projects.json``) and minutes of wall time, so the main suite (``.venv/bin/pytest``)
does not even collect ``test_corpus.py``.  When asked, a missing environment is a failure, never a
skip.  The tests of the gate's own tools (``test_corpus_tools.py``: matching, the unindexed-FK
query) are fast and stay in the main suite.
"""

from __future__ import annotations

import os

import pytest

collect_ignore_glob = [] if os.environ.get("ALEMBIC_STANDARDS_CORPUS") == "1" else ["test_corpus.py"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "corpus: real-project regression corpus (run by .ci/corpus.sh)")
