"""The lesson's text browser: what its Markdown names is read as every file nnviz reads.

A lesson's text may show a picture beside it (``![the chain rule](chain.png)``)
or link to another page. Qt's own ``QTextBrowser.loadResource`` opens whatever
such a path names and reads it whole: a FIFO (``![](ff.png)``) would hang the
window, ``/dev/zero`` would fill the memory. Here every file a lesson's text
names goes through ``io.read_bounded``: only a regular file, at most
MAX_RESOURCE_BYTES, refused before it is opened otherwise (the picture is then
simply not shown). Other schemes (``qrc:``) are Qt's; nothing is fetched from a
network.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QTextBrowser

from nnviz.core import io

#: the largest picture (or linked page) a lesson's text may show
MAX_RESOURCE_BYTES = 16 * 1024 * 1024


class LessonText(QTextBrowser):
    """A QTextBrowser whose local resources are read by the safe-file rules."""

    def resource_path(self, url: QUrl) -> Path | None:
        """The file ``url`` names: absolute, or found in the search paths (the
        lesson's folder); None for a name that is in none of them."""
        if url.isLocalFile():
            path = Path(url.toLocalFile())
        else:
            path = Path(url.path())
        if path.is_absolute():
            return path
        base = self.source()
        folders = list(self.searchPaths())
        if base.isLocalFile():
            folders.insert(0, str(Path(base.toLocalFile()).parent))
        for folder in folders:
            candidate = Path(folder) / path
            if os.path.lexists(candidate):
                return candidate
        return None

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 (Qt's name)
        if url.scheme() not in ("", "file"):
            return super().loadResource(kind, url)
        path = self.resource_path(url)
        if path is None:
            return None
        try:
            data = io.read_bounded(path, MAX_RESOURCE_BYTES, "picture or page of a lesson")
        except io.FileFormatError:
            return None  # not shown, as a missing picture is not
        if getattr(kind, "value", kind) == QTextDocument.ResourceType.ImageResource.value:
            image = QImage.fromData(data)
            return None if image.isNull() else image
        return QByteArray(data)
