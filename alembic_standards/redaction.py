"""Hiding a database URL's password in everything we print.

``--database-url`` carries a credential, and every message about a database names the database:
a bad port, a libpq keyword string, an unreachable host, a driver's own error text.  None of
them may echo the password -- in the terminal, a CI log or a SARIF file it is a leaked secret.

Two tools, used together by the CLI around every database call:

* :func:`display_url` -- how a URL is shown.  SQLAlchemy's own rendering
  (``make_url(...).render_as_string(hide_password=True)``) when SQLAlchemy parses the URL the
  way a careful reader would; otherwise (an unparseable URL, a bad port, a libpq
  ``key=value`` string, a password with an unescaped ``@`` that SQLAlchemy splits into a
  password and a host) a conservative masking: everything between the scheme's ``user:`` and
  the *last* ``@`` is the password.  Masking too much is harmless; too little is a leak.
* :func:`redact` -- any text (an exception message, a driver's error) with every form of the
  URL's password replaced by ``***``: the URL itself, its ``repr``, SQLAlchemy's rendering, the
  password raw, percent-decoded and in pieces (a driver reports the tail of ``pa@ss@host`` as
  the host name ``ss@host``).

Fragments shorter than :data:`MIN_SECRET` characters are masked only where they are a URL's
password field, not wherever they occur in free text: replacing every ``a`` of a message would
destroy it without protecting a one-letter password that nobody uses.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

__all__ = ["MASK", "MIN_SECRET", "display_url", "redact"]

MASK = "***"
"""What a hidden password looks like (SQLAlchemy's choice too)."""

MIN_SECRET = 3
"""Shorter password fragments are not searched for in free text (see the module docstring)."""

# ``password=value`` in a libpq keyword string or a URL query; the value is quoted ('...' with
# backslash escapes, libpq's syntax) or runs to the next space or ``&``.
_KEYWORD_PASSWORD = re.compile(r"(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&]*)")


def _userinfo_password(url: str) -> str | None:
    """The password part of ``scheme://user:password@host``, read conservatively (up to the
    last ``@``); None when there is none."""
    # Without a scheme, "user:password@host/db" is still read as one (psql accepts it).
    _, sep, rest = url.partition("://")
    rest = rest if sep else url
    if "@" not in rest:
        return None
    userinfo = rest.rpartition("@")[0]
    _, colon, password = userinfo.partition(":")
    return password if colon else None


def _mask_keywords(text: str) -> str:
    return _KEYWORD_PASSWORD.sub(lambda m: m.group(1) + MASK, text)


def _conservative(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    prefix = f"{scheme}://" if sep else ""
    rest = rest if sep else url
    if "@" in rest:
        userinfo, _, host = rest.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        if colon:
            url = f"{prefix}{user}:{MASK}@{host}"
    return _mask_keywords(url)


def _sqlalchemy_rendering(url: str) -> tuple[str, str | None] | None:
    """SQLAlchemy's hidden-password rendering and its idea of the password; None if unparseable."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
        return parsed.render_as_string(hide_password=True), (None if parsed.password is None else str(parsed.password))
    except Exception:  # any parse failure (ArgumentError, ValueError on a bad port...)
        return None


def display_url(url: str) -> str:
    """``url`` as shown in messages: never with its password."""
    conservative = _userinfo_password(url)
    rendered = _sqlalchemy_rendering(url)
    if rendered is not None:
        text, password = rendered
        # Trust SQLAlchemy only when it found the same password a careful reader does: with an
        # unescaped "@" in the password it takes the tail for the host and would print it.
        if password == (None if conservative is None else unquote(conservative)):
            return _mask_keywords(text)
    return _conservative(url)


def _secrets(url: str) -> set[str]:
    """Every form in which ``url``'s password(s) may appear in a message."""
    found: set[str] = set()
    candidates = [_userinfo_password(url)]
    rendered = _sqlalchemy_rendering(url)
    if rendered is not None:
        candidates.append(rendered[1])
    for match in _KEYWORD_PASSWORD.finditer(url):
        value = match.group(2)
        candidates.append(value)
        if len(value) >= 2 and value[0] == value[-1] == "'":
            candidates.append(value[1:-1].replace("\\'", "'").replace("\\\\", "\\"))
    for candidate in candidates:
        if not candidate:
            continue
        for form in (candidate, unquote(candidate), quote(unquote(candidate), safe=""), repr(candidate)[1:-1]):
            found.add(form)
            found.update(form.split("@"))  # pieces a driver may report as a host name
    return {s for s in found if len(s) >= MIN_SECRET and s != MASK}


def redact(text: str, url: str) -> str:
    """``text`` with the URL, and every form of its password, hidden."""
    if not url:
        return text
    shown = display_url(url)
    forms = {url, repr(url)[1:-1]}
    rendered = _sqlalchemy_rendering(url)
    if rendered is not None:
        forms.add(rendered[0])
    for form in sorted(forms, key=len, reverse=True):
        if form:
            text = text.replace(form, shown)
    for secret in sorted(_secrets(url), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
