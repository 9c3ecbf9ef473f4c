"""The folders here are whole projects run by tests/test_testing_checks.py through pytester,
never collected as part of this repository's own test suite."""

collect_ignore_glob = ["*"]
