"""One message in the chat: header, collapsible reasoning, Markdown body, stats, actions."""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, Qt, QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core import thinking as thinking_budget
from ...core.conversations.reply_recorder import ReplyText
from ...core.conversations.types import MessageState
from ...core.markdown.blocks import MAX_BLOCK
from ...core.markdown.render import MarkdownRenderer, Theme
from ..accessibility import announce_reply, bring_into_view
from ..error_text import error_message
from ..template_note import note_for_stats
from .chat_item import ChatItem
from .copy_feedback import CopyConfirmation, confirm_code_copy
from .markdown_pool import MarkdownPool
from .message_input import MessageInput
from .reply_blocks import SYNC_CHARS, BlockStack
from .rich_text import RichTextView
from .thinking import ThinkingSection
from .version_switch import VersionSwitch


class MessageWidget(QFrame):
    editSubmitted = Signal(object, str)  # ChatItem, new text
    regenerateRequested = Signal(object)  # ChatItem
    versionRequested = Signal(object, int)  # ChatItem, the version to show instead (1-based)
    linkActivated = Signal(QUrl)

    def __init__(self, item: ChatItem, theme: Theme, parent: QWidget | None = None,
                 pool: MarkdownPool | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName("userMessage" if item.role == "user" else "assistantMessage")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self._renderer = MarkdownRenderer(theme)
        self._whole_code_blocks: list[str] = []
        self._dirty = True
        self._shown_version = -1  # the version of the streaming text last shown

        self.role_label = QLabel(self)
        self.role_label.setObjectName("roleLabel")
        self.copy_button = self._tool_button(self._copy_message)
        self._copy_confirmation = CopyConfirmation(self.copy_button)
        self.edit_button = self._tool_button(self._start_edit)
        self.regen_button = self._tool_button(lambda: self.regenerateRequested.emit(self.item))
        self.edit_button.setVisible(item.role == "user")
        self.regen_button.setVisible(False)
        self.version_switch = VersionSwitch(self)
        self.version_switch.set_version(item.version, item.versions)
        self.version_switch.versionRequested.connect(lambda v: self.versionRequested.emit(self.item, v))
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.role_label)
        header.addStretch(1)
        header.addWidget(self.version_switch)
        for b in (self.copy_button, self.edit_button, self.regen_button):
            header.addWidget(b)

        self._thinking: ThinkingSection | None = None  # built when there is reasoning to show
        self.body = RichTextView(self)
        self.body.anchorClicked.connect(self._on_anchor)
        # A reply that streams, or a long message, is shown block by block: only the last, growing
        # block is rendered again as text arrives, and no single update grows with the text's length.
        self._template_note_shown = item.role == "assistant"  # see show_template_note
        self._blocks_mode = item.live is not None or len(item.content) > SYNC_CHARS
        self._blocks_box = BlockStack(self._renderer, pool, self)
        self._blocks_box.anchorClicked.connect(self._on_anchor)
        self._blocks_box.needsMore.connect(self._show_more)
        self._blocks_box.setVisible(self._blocks_mode)
        self.body.setVisible(not self._blocks_mode)
        self.footer = QLabel(self)
        self.footer.setObjectName("statsLabel")
        self.footer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.footer.setWordWrap(True)

        self.editor: MessageInput | None = None
        self.edit_bar: QWidget | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.body)
        layout.addWidget(self._blocks_box)
        layout.addWidget(self.footer)
        self._layout = layout
        self._reasoning_shown = ""
        self._busy = False
        if item.reasoning:
            self.thinking.seconds = item.reasoning_seconds
        self.retranslate()
        self.flush()

    @property
    def thinking(self) -> ThinkingSection:
        if self._thinking is None:
            self._thinking = ThinkingSection(self)
            self._layout.insertWidget(1, self._thinking)
            self._thinking.retranslate()
        return self._thinking

    @property
    def has_thinking(self) -> bool:
        return self._thinking is not None

    def _tool_button(self, slot) -> QToolButton:
        b = QToolButton(self)
        b.setAutoRaise(True)
        b.setObjectName("messageAction")
        b.clicked.connect(slot)
        return b

    # -- streaming ------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The message's text: what streamed so far while the reply streams."""
        live = self.item.live
        return live.content if live is not None else self.item.content

    def _sync_thinking(self, live: ReplyText) -> None:
        """Open the reasoning while the model thinks, fold it away when the answer starts."""
        thinking = live.thinking
        if thinking and (self._thinking is None or not self._thinking.streaming):
            self.thinking.streaming = True
            self.thinking.set_open(True)
            self.thinking.retranslate()
        elif not thinking and live.reasoning_seconds is not None and (
                self._thinking is None or self._thinking.streaming):  # it may have begun and ended in one frame
            self._end_reasoning(live.reasoning_seconds)

    def _end_reasoning(self, seconds: float | None) -> None:
        self.thinking.streaming = False
        self.thinking.seconds = seconds
        self.thinking.set_open(False)
        self.thinking.retranslate()

    def finish(self, state: MessageState, stats: dict | None = None, error: str = "", error_id: str = "",
               error_params: dict | None = None) -> None:
        """The reply ended: show it from the message it became (``ChatItem.settle``)."""
        self.item.settle(state, stats, error, error_id, error_params)
        if self._thinking is not None and self._thinking.streaming:
            self._end_reasoning(self.item.reasoning_seconds)
        self._dirty = True
        self.flush()
        self.retranslate()
        announce_reply(self, self.item.state.value, self.item.content)  # once, when it is done: not token by token

    @property
    def dirty(self) -> bool:
        live = self.item.live
        return self._dirty or (live is not None and live.version != self._shown_version)

    def set_theme(self, theme) -> None:
        """Render everything again in ``theme``'s colours."""
        self._renderer.theme = theme
        self.flush(force=True)

    def flush(self, force: bool = False) -> None:
        """Render what changed. Called at most once per frame by the chat view; ``force`` renders
        everything again (language or theme changed)."""
        if not (self.dirty or force):
            return
        self._dirty = False
        if force:
            self.footer.setText(self._footer_text())  # the error line's red follows the theme
        live = self.item.live
        if live is not None:
            self._shown_version, content, reasoning, _seconds = live.snapshot()
            self._sync_thinking(live)
        else:
            content, reasoning = self.item.content, self.item.reasoning
        if reasoning:
            self._sync_reasoning(reasoning, force)
        if self._blocks_mode:
            if not self._blocks_box.update_text(content, force):
                self._dirty = True  # the rest on the next turn of the event loop (needsMore)
        else:
            rendered = self._renderer.render(content)
            self._whole_code_blocks = rendered.code_blocks
            self.body.show_html(rendered.html)

    def shown_text(self) -> str:
        """The message's text as the views show it now (what a user can see and select)."""
        if not self._blocks_mode:
            return self.body.toPlainText()
        return "\n".join(v.toPlainText() for v in self._blocks_box.views if not v.isHidden())

    @property
    def formatting_pending(self) -> bool:
        """A long block is still being rendered off the GUI thread (its text is shown meanwhile)."""
        return self._blocks_mode and self._blocks_box.pending()

    def _show_more(self) -> None:
        if self._dirty:
            self.flush()

    @property
    def code_blocks(self) -> list[str]:
        """The code blocks of the reply as shown, in order (what each block's Copy puts on the clipboard)."""
        return self._blocks_box.code_blocks if self._blocks_mode else self._whole_code_blocks

    def _sync_reasoning(self, text: str, force: bool) -> None:
        view = self.thinking.body
        if not force and text.startswith(self._reasoning_shown):
            # append, rather than lay the whole reasoning out again
            view.append_plain(text[len(self._reasoning_shown):], MAX_BLOCK)
        else:
            view.clear()
            view.append_plain(text, MAX_BLOCK)
        self._reasoning_shown = text
        self.thinking.setVisible(True)

    # -- actions --------------------------------------------------------------------------------
    def _copy_message(self) -> None:
        QGuiApplication.clipboard().setText(self.text)
        self._copy_confirmation.confirm()

    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == "copy-code":
            index = int(url.path() or url.toString().split(":", 1)[1])
            if 0 <= index < len(self.code_blocks):
                QGuiApplication.clipboard().setText(self.code_blocks[index])
                confirm_code_copy([self.body, *self._blocks_box.views], f"copy-code:{index}")
            return
        self.linkActivated.emit(url)

    def set_regenerate_visible(self, visible: bool) -> None:
        self.regen_button.setVisible(visible and self.item.role == "assistant")

    @property
    def template_key(self) -> tuple[str, str] | None:
        """(model, template) when this reply came from a generic chat template, else None."""
        template = str((self.item.stats or {}).get("chat_template", ""))
        if self.item.role != "assistant" or not note_for_stats(template):
            return None
        return self.item.model, template

    def show_template_note(self, shown: bool) -> None:
        """The chat view shows the generic-template note under the first such reply of a model only."""
        if shown != self._template_note_shown:
            self._template_note_shown = shown
            self.footer.setText(self._footer_text())
            self.footer.setVisible(bool(self.footer.text()))

    def set_busy(self, busy: bool) -> None:
        """Editing, regenerating and switching versions wait while a turn runs."""
        self._busy = busy
        self.edit_button.setEnabled(not busy)
        self.regen_button.setEnabled(not busy)
        self.version_switch.set_actions_enabled(not busy)
        if self.editor is not None:  # an edit begun before the turn waits for its end: its text stays
            self.send_edit_button.setEnabled(not busy)

    def _start_edit(self) -> None:
        if self.editor is not None:
            return
        # as the message box: Enter sends, Shift+Enter is a new line, Tab goes on to Cancel and Save; Esc cancels
        self.editor = MessageInput(self, escape_cancels=True)
        self.editor.submit.connect(self._submit_edit)
        self.editor.cancel.connect(self._cancel_edit)
        self.editor.setPlainText(self.item.content)
        self.editor.setMinimumHeight(80)
        bar = QWidget(self)
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        self.cancel_edit_button = QPushButton(bar)
        self.send_edit_button = QPushButton(bar)
        self.send_edit_button.setDefault(True)
        self.send_edit_button.setEnabled(not self._busy)
        self.cancel_edit_button.clicked.connect(self._cancel_edit)
        self.send_edit_button.clicked.connect(self._submit_edit)
        row.addWidget(self.cancel_edit_button)
        row.addWidget(self.send_edit_button)
        self.edit_bar = bar
        index = self._layout.indexOf(self.body)
        self._layout.insertWidget(index + 1, self.editor)
        self._layout.insertWidget(index + 2, bar)
        self.body.hide()
        self._blocks_box.hide()
        self.retranslate()
        for w in (self.editor, bar):
            w.show()  # now, not when the layout gets to it: a hidden editor cannot take the cursor
        self.editor.setFocus()
        bring_into_view(self.editor)

    def _submit_edit(self) -> None:
        text = self.editor.toPlainText().strip() if self.editor else ""
        if text and self.send_edit_button.isEnabled():  # not while a reply runs (set_busy)
            self._end_edit()
            self.editSubmitted.emit(self.item, text)

    def _cancel_edit(self) -> None:
        had_focus = self.editor is not None and self.editor.hasFocus()
        self._end_edit()
        if had_focus:
            self.edit_button.setFocus(Qt.FocusReason.OtherFocusReason)  # the focus stays where the user was

    def _end_edit(self) -> None:
        for w in (self.editor, self.edit_bar):
            if w is not None:
                w.deleteLater()
        self.editor = self.edit_bar = None
        self.body.setVisible(not self._blocks_mode)
        self._blocks_box.setVisible(self._blocks_mode)

    # -- language -------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.flush(force=True)
        super().changeEvent(event)

    def retranslate(self) -> None:
        if self.item.role == "user":
            self.role_label.setText(self.tr("You"))
        else:
            self.role_label.setText(self.item.model or self.tr("Assistant"))
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy this message"))
        self.edit_button.setText(self.tr("Edit"))
        self.edit_button.setToolTip(self.tr("Edit this message and send it again"))
        self.regen_button.setText(self.tr("Regenerate"))
        self.regen_button.setToolTip(self.tr("Answer this question again"))
        self._renderer.copy_label = self.tr("Copy code")
        if self._thinking is not None:
            self._thinking.retranslate()
        if self.editor is not None:
            self.editor.setAccessibleName(self.tr("Edit the question"))
            self.cancel_edit_button.setText(self.tr("Cancel"))
            self.send_edit_button.setText(self.tr("Save and send"))
        self.footer.setText(self._footer_text())
        self.footer.setVisible(bool(self.footer.text()))

    def _footer_text(self) -> str:
        parts = []
        st = self.item.stats or {}
        if self.item.role == "assistant" and st.get("completion_tokens"):
            loc = QLocale()
            parts.append(self.tr("%n token(s)", "", int(st["completion_tokens"])))
            if st.get("tokens_per_s"):
                parts.append(self.tr("{rate} tokens/s").format(rate=loc.toString(float(st["tokens_per_s"]), "f", 1)))
            if st.get("ttft_ms"):
                parts.append(self.tr("first token after {seconds} s").format(
                    seconds=loc.toString(float(st["ttft_ms"]) / 1000.0, "f", 2)))
            if st.get("prompt_tokens"):
                parts.append(self.tr("%n prompt token(s)", "", int(st["prompt_tokens"])))
                evaluated = st.get("prompt_tokens_evaluated")
                if evaluated is not None and int(evaluated) < int(st["prompt_tokens"]):  # the rest was kept
                    parts.append(self.tr("%n newly read", "", int(evaluated)))
            if st.get("draft_acceptance") is not None:
                percent = loc.toString(100.0 * float(st["draft_acceptance"]), "f", 0)
                if st.get("drafter"):
                    parts.append(self.tr("{percent} % of the tokens drafted by {model} accepted").format(
                        percent=percent, model=str(st["drafter"])))
                else:
                    parts.append(self.tr("{percent} % of drafted tokens accepted").format(percent=percent))
        if self.item.interrupted:
            state = self.tr("Interrupted: the app or the engine stopped during this reply")
        else:
            state = {MessageState.CANCELLED: self.tr("Stopped"), MessageState.ERROR: self.tr("Failed")}.get(
                self.item.state)
        if state:
            parts.append(state)
        text = " · ".join(parts)
        if self.item.role == "assistant" and (said := thinking_budget.stats_note(st.get("thinking_stopped_at"),
                                                                          str(st.get("thinking_note", "")))):
            source, arg = said
            line = QCoreApplication.translate("Thinking", source).replace(
                "%1", QLocale().toString(arg) if isinstance(arg, int) else arg)
            text = (text + "<br>" if text else "") + html.escape(line)
        if self.item.role == "assistant" and st.get("messages_dropped"):  # the window trims; it says so
            dropped = self.tr("The %n oldest message(s) did not fit the model's context and were left out of "
                              "this reply.", "", int(st["messages_dropped"]))
            text = (text + "<br>" if text else "") + html.escape(dropped)
        if self._template_note_shown and (note := note_for_stats(str(st.get("chat_template", "")))):
            text = (text + "<br>" if text else "") + html.escape(note)
        line = error_message(self.item.error_id, self.item.error_params) if self.item.error_id else self.item.error
        if line:
            error = f"<span style='color:{self._renderer.theme.error}'>{html.escape(line)}</span>"
            text = (text + "<br>" if text else "") + error
        return text
