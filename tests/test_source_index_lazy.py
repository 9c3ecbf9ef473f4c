"""The lazy class-body reader (``source_index._LazyBody``) answers exactly what a whole parse does."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from alembic_standards import source_index
from alembic_standards.source_index import _class_source, _LazyBody, _plain_class, _top_level_chunks

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::SyntaxWarning")  # corpus files

TRICKY = '''\
class Base:
    pass


class Plain(Base):
    __tablename__ = "plain"
    # a comment: name = Column()  with a quote ' in it
    id = Column(Integer, primary_key=True)
# a comment in column 0 does not end the class
      # nor does one indented oddly
    "a string statement"
    name: Mapped[str] = mapped_column(
        String(100),
        nullable=False,
    )
    note = Column(Text, doc="a ( paren ] and # hash")
    note = Column(Text, nullable=True)  # reassigned: the last one wins
    def method(self):
        other = 1
        return other
    @property
    def prop(self):
        return 1
    if True:
        hidden = 1
    else:
        hidden = 2
    children = relationship("Child", cascade="all")
    x: int
    __table_args__ = (
        Index("ix_plain_name", "name"),
        UniqueConstraint("id", name="uq_plain_id"),
    )


class Commented(Base):  # a comment after the header
    a = Column(Integer)  # and after a statement


class OneLineDocstring(Base): "doc"


class Chained(Base):
    a = b = Column(Integer)


class Parenthesised(Base):
    (a) = Column(Integer)


class Docstring(Base):
    """class Fake: x = 1"""
    a = Column(Integer)


class FString(Base):
    a = Column(Integer, doc=f"{1}")


class Nested(Base):
    class Inner:
        b = 1
    a = 1


class OneLine(Base): a = 1


class Semicolon(Base):
    a = 1; b = 2


@decorated
class Decorated(Base):
    a = 1


class Continued(Base):
    a = Column(Integer,
    nullable=True)
    b = 1

x = [
    1,
]


class Classified(Base):
    classification = Column(String(20), doc=r"a raw string, no prefix of an f-string")
    subclass_of = Column(Integer)


class Accented(Base):
    name = Column(String(20), doc="café")


class RawFString(Base):
    a = Column(Integer, doc=Rf"{1}")


class Last(Base):
    a = 1
    b: "Mapped[int]" = mapped_column()
'''


def _corpus() -> list[bytes]:
    root = Path(__file__).resolve().parents[1]
    texts = [TRICKY.encode()]
    for path in sorted([*root.glob("alembic_standards/**/*.py"), *root.glob("tests/**/*.py")]):
        # Our own files only: not the corpus projects' environments (tests/corpus/.venv-NAME,
        # git-ignored), whose thousands of third-party files made this test depend on what a
        # local `.ci/corpus.sh` had installed.
        if not any(part.startswith(".") for part in path.relative_to(root).parts):
            texts.append(path.read_bytes())
    return texts


def _whole(chunk: bytes, offset: int) -> source_index.ClassSource:
    node = ast.parse(chunk).body[0]
    assert isinstance(node, ast.ClassDef)
    return _class_source(Path("x.py"), node, offset)


@pytest.mark.parametrize("text", _corpus(), ids=lambda t: str(len(t)))
def test_lazy_bodies_answer_as_the_whole_parse(text: bytes) -> None:
    try:
        ast.parse(text)
    except SyntaxError:
        pytest.skip("not Python")
    for offset, chunk in _top_level_chunks(text):
        plain = _plain_class(chunk)
        if plain is None:
            continue
        _name, lines, starts, indent = plain
        try:
            whole = _whole(chunk, offset)
        except SyntaxError:
            # A `class` line inside a docstring (pydantic's): the piece that opens the string does
            # not parse, so _read_classes reads the whole file and never this piece.
            continue
        assert whole.line == offset + 1 and whole.col == 1
        names = {*whole.attributes, *starts, "missing", "__table_args__", "else"}
        # Asked one name at a time (lazy), the answers are the whole parse's.
        lazy = _LazyBody(chunk, lines, offset, starts, indent)
        unread = _LazyBody(chunk, lines, offset, starts, indent)
        for attr in sorted(names):
            assert (attr in lazy) == (attr in whole.attributes), attr
            assert lazy._get(attr) == whole.attributes.get(attr), attr
            assert unread.position(attr) == whole.position(attr), attr  # located without a parse
        assert lazy.table_args == whole.table_args
        assert lazy.table_args_line == whole.table_args_line
        assert dict(lazy) == dict(whole.attributes)


def test_unplain_classes_are_refused() -> None:
    chunks = {chunk.split(b"\n")[0].lstrip(b"@"): chunk for _, chunk in _top_level_chunks(TRICKY.encode())}
    refused = {key.decode() for key, chunk in chunks.items() if _plain_class(chunk) is None}
    assert refused == {
        "class Chained(Base):",
        "class Parenthesised(Base):",
        "class Docstring(Base):",
        "class FString(Base):",
        "class RawFString(Base):",
        "class Accented(Base):",
        "class Nested(Base):",
        "class OneLine(Base): a = 1",
        'class OneLineDocstring(Base): "doc"',
        "class Semicolon(Base):",
        "decorated",
    }


def test_a_plain_class_reads_what_it_is_asked() -> None:
    chunk = next(c for _, c in _top_level_chunks(TRICKY.encode()) if c.startswith(b"class Plain"))
    plain = _plain_class(chunk)
    assert plain is not None
    name, _lines, starts, _indent = plain
    assert name == "Plain"
    assert [first for first, _ in starts["note"]] == [11, 12]
    assert "name" in starts
    assert _plain_class(next(c for _, c in _top_level_chunks(TRICKY.encode()) if c.startswith(b"class Commented")))
    assert "other" not in starts and "hidden" not in starts
    # "class" inside a word and a raw string's prefix leave a class plain.
    classified = next(c for _, c in _top_level_chunks(TRICKY.encode()) if c.startswith(b"class Classified"))
    assert (found := _plain_class(classified)) is not None and set(found[2]) == {"classification", "subclass_of"}
