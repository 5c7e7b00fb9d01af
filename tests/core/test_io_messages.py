"""The plain-text sentence helper: echoed text is escaped and cut (issue 14, item 7)."""

from __future__ import annotations

import pytest

from nnviz.core.messages import MAX_SENTENCE, escape, quote, sentence


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain ✓ text", "plain ✓ text"),
        ("two\nlines", "two\\nlines"),
        ("tab\there\r", "tab\\there\\r"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("nul\x00 del\x7f c1\x9b", "nul\\x00 del\\x7f c1\\x9b"),
        ("bidi \u202eevil\u202c", "bidi \\u202eevil\\u202c"),
        ("zero\u200bwidth \ufeffbom", "zero\\u200bwidth \\ufeffbom"),
        ("line\u2028sep", "line\\u2028sep"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
    ],
)
def test_escape_shows_control_characters_instead_of_obeying_them(raw, shown):
    assert escape(raw) == shown
    escape(raw).encode("utf-8")  # always printable


def test_escape_leaves_backslashes_alone_so_it_can_run_twice():
    assert escape(escape("a\nb\\n")) == "a\\nb\\n"


def test_quote_cuts_long_values_and_says_their_length():
    assert quote("swish") == "'swish'"
    assert quote("a" * 2_000_000) == "'" + "a" * 40 + "…' (2,000,000 characters)"
    assert quote("x\n" * 30, limit=4) == "'x\\nx\\n…' (60 characters)"
    assert quote(12) == "12" and quote(None) == "None"
    assert quote(list(range(100))).endswith("(390 characters)")


def test_sentence_is_one_bounded_line():
    s = sentence("first\nsecond \x1b[2J" + "z" * 5000)
    assert "\n" not in s and "\x1b" not in s
    assert s.startswith("first\\nsecond \\x1b[2J")
    assert len(s) < MAX_SENTENCE + 40 and s.endswith("(5,017 characters)")
    assert sentence("short") == "short"
