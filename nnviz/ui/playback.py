"""Playback of the forward and backward pass (issue 4): placeholder until it lands."""

from __future__ import annotations


def install(window) -> None:
    """Add the playback bar, chain-rule panel and animation to ``window``."""
    return None
