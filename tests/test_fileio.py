"""fileio.read_regular_file: exactly the bytes of the file, up to one byte past the limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alembic_standards.fileio import NotRegularFile, read_regular_file


@pytest.mark.parametrize("size", [0, 1, 4095, 70_000, 200_000])
def test_the_whole_file_is_read_under_the_limit(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.py"
    data = os.urandom(size)
    path.write_bytes(data)
    status, read = read_regular_file(path, 1 << 20)
    assert read == data and status.st_size == size


@pytest.mark.parametrize(("size", "limit", "expected"), [(10, 10, 10), (11, 10, 11), (100_000, 10, 11)])
def test_one_byte_past_the_limit_tells_at_from_over(tmp_path: Path, size: int, limit: int, expected: int) -> None:
    path = tmp_path / "f.py"
    path.write_bytes(b"x" * size)
    assert len(read_regular_file(path, limit)[1]) == expected


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_a_file_whose_size_fstat_does_not_know_is_read_to_its_end() -> None:
    # /proc files are regular files that report a size of 0: the reader cannot trust fstat's size.
    status, read = read_regular_file(Path("/proc/self/status"), 1 << 20)
    assert status.st_size == 0
    assert read.startswith(b"Name:") and b"\nVmHWM:" in read


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "f.py"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile):
        read_regular_file(fifo, 100)
