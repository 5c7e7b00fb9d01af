"""What every command-line verb shares: the one-sentence error and the WxH argument type.

A module of its own so that ``nnviz.cli`` (which dispatches to the verbs) and the
verbs (``nnviz.export``, ``nnviz.bench``) need not import each other.
"""

from __future__ import annotations

import argparse
import sys

EXIT_BAD_INPUT = 2


def error(msg: str) -> int:
    """One sentence on stderr for bad input; the exit status for it.

    Escaped and cut (nnviz.core.messages.sentence): text echoed from a file never
    reaches the terminal as a second line or an escape sequence.
    """
    from nnviz.core.messages import sentence

    print(f"nnviz: {sentence(msg)}", file=sys.stderr)
    return EXIT_BAD_INPUT


def size_type(limit: int = 8000, example: str = "1280x800"):
    """An argparse type for WIDTHxHEIGHT, each from 200 to ``limit``."""

    def parse(text: str) -> tuple[int, int]:
        try:
            w, h = (int(v) for v in text.lower().split("x"))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a size like {example}") from None
        if not (200 <= w <= limit and 200 <= h <= limit):
            raise argparse.ArgumentTypeError(f"{text!r}: width and height must be 200 to {limit}")
        return w, h

    return parse
