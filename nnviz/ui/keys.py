"""Playback keys from anywhere in the window, except while a text field is being edited.

Space, ←/→, PageUp/PageDown, Home and End are window shortcuts of the playback
feature. Qt first offers every key to the focused widget as a
``ShortcutOverride`` event, and a spin box or a line edit claims them all (Space
and digits are text, arrows move the cursor), so after an edit in the inspector
"press Space to watch" typed a space into the field instead.

:class:`PlaybackKeys` watches those events for one window and lets the shortcut
win unless the focused widget is a text field that is *actively being edited*:

* a spin box whose text differs from its committed value (typing under way),
* a line edit the user has typed into since it was last committed or reset,
* an editable multi-line text box (its keys are always text).

A combo box, a list, a button, the canvas, a field that only has the focus:
the key drives playback. Nothing else changes: Enter and Esc in a field still
go to the field (the inspector commits or cancels, then hands the focus back
to the canvas).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

#: the keys of the playback shortcuts (without modifiers)
PLAYBACK_KEYS = frozenset(
    {
        Qt.Key.Key_Space,
        Qt.Key.Key_Left,
        Qt.Key.Key_Right,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
        Qt.Key.Key_Home,
        Qt.Key.Key_End,
    }
)
_PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
#: docks whose panel walks with the clicker's PageDown / PageUp itself (the lesson)
OWN_PAGE_KEYS = ("lessonDock",)
_PAGE_KEYS = (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


def _inside_own_page_keys(widget: QWidget) -> bool:
    w = widget
    while w is not None:
        if w.objectName() in OWN_PAGE_KEYS:
            return True
        w = w.parentWidget()
    return False


def is_being_edited(widget: QWidget | None) -> bool:
    """Whether ``widget`` is a text field with typing under way (its keys are text)."""
    if widget is None:
        return False
    if isinstance(widget, QLineEdit) and isinstance(widget.parentWidget(), QAbstractSpinBox):
        widget = widget.parentWidget()  # the text part of a spin box: ask the spin box
    if isinstance(widget, QAbstractSpinBox):
        if widget.isReadOnly():
            return False
        value_of = getattr(widget, "value", None)
        text_of = getattr(widget, "textFromValue", None)
        if value_of is None or text_of is None:
            return True  # a date or time edit: treat its keys as text
        return widget.cleanText().strip() != text_of(value_of()).strip()
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly() and widget.isModified()
    if isinstance(widget, (QTextEdit, QPlainTextEdit)):
        return not widget.isReadOnly()
    return False


class PlaybackKeys(QObject):
    """Watches the focused widget of ``window``: see the module's text.

    The filter sits on the one widget that has the focus (it follows
    ``QApplication.focusChanged``), never on the application: an application-wide
    Python filter would be called for every event of every object.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._watched: QWidget | None = None
        QApplication.instance().focusChanged.connect(self._on_focus_changed)
        self._on_focus_changed(None, QApplication.focusWidget())

    def _on_focus_changed(self, _old, new) -> None:
        if self._watched is not None:
            try:
                self._watched.removeEventFilter(self)
            except RuntimeError:  # already deleted
                pass
            self._watched = None
        if isinstance(new, QWidget) and new.window() is self._window:
            new.installEventFilter(self)
            self._watched = new

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        if event.key() not in PLAYBACK_KEYS or event.modifiers() not in _PLAIN:
            return False
        if is_being_edited(obj):
            return False  # typing: the field keeps its keys
        if event.key() in _PAGE_KEYS and _inside_own_page_keys(obj):
            return False  # the lesson panel's own filter walks the lesson with them
        event.ignore()  # nobody claims the key: the window's playback shortcut fires
        return True


def install(window: QWidget) -> PlaybackKeys:
    """Let the playback keys reach ``window``'s shortcuts from any widget in it."""
    return PlaybackKeys(window)
