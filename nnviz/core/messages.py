"""Plain-text sentences for the user: nothing from a file reaches a screen raw.

Every error sentence nnviz shows may echo something the user (or a file) gave:
a field name, an activation name, a path. Such text can hold a newline (two
lines on stderr), ANSI escapes (which a terminal obeys), bidi overrides, lone
surrogates (which cannot even be printed as UTF-8) or two million characters
(a dialog that takes seconds to lay out). These helpers make any such text safe
to show as one line of plain text:

* :func:`escape` writes control and invisible format characters as Python-style
  escapes (``\\n``, ``\\x1b``, ``\\u202e``), so they are seen, not obeyed;
* :func:`quote` quotes an echoed value, escaped and cut when long:
  ``'aaaaaaaaaaaaaaaaaaaaaaaa…' (2,000,000 characters)``;
* :func:`sentence` makes a whole message one plain line of bounded length, for
  stderr, the status bar or a dialog (shown there as plain text, never rich text).
"""

from __future__ import annotations

import re

__all__ = ["escape", "quote", "sentence", "MAX_QUOTED", "MAX_SENTENCE"]

#: characters of an echoed value kept before it is cut
MAX_QUOTED = 40
#: characters of a whole message kept before it is cut
MAX_SENTENCE = 400

# C0 and C1 controls, DEL, zero-width and bidi formatting characters, line and
# paragraph separators, the byte-order mark, interlinear annotation marks and
# lone surrogates (which cannot be encoded as UTF-8).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_one(m: re.Match[str]) -> str:
    c = m.group()
    named = _NAMED.get(c)
    if named is not None:
        return named
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def escape(text: str) -> str:
    """``text`` with every control or invisible formatting character written as an escape."""
    return _UNSAFE.sub(_escape_one, text)


def quote(value: object, limit: int = MAX_QUOTED) -> str:
    """``value`` quoted for a sentence: ``'swish'``, or ``'aaaa…' (2,000,000 characters)``.

    Text is escaped (a newline shows as ``\\n``) and cut after ``limit`` characters,
    with its full length said; anything else is shown by its ``repr``, cut the same way.
    """
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        shown = escape(text)
        return f"'{shown}'" if isinstance(value, str) else shown
    shown = escape(text[:limit]) + "…"
    if isinstance(value, str):
        shown = f"'{shown}'"
    return f"{shown} ({len(text):,} characters)"


def sentence(text: str, limit: int = MAX_SENTENCE) -> str:
    """A message as one line of plain text: escaped, and cut after ``limit`` characters."""
    if len(text) > limit:
        return escape(text[:limit]) + f"… ({len(text):,} characters)"
    return escape(text)
