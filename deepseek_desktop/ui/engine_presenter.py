"""What the window shows of the engine, drawn from one place: the engine's state and the session's turn.

The composer (send, stop, or why not), the status bar (state, Restart/Retry) and the engine's line in
the notice bar follow ``EngineController.state``, ``EngineController.error`` (the error of the attempt
that caused it) and ``ChatSession.busy``; nothing else decides them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from ..core.devices import Placement
from ..core.model_choice import ModelChoice
from .chat.composer import Composer, ComposerState
from .device_text import fallback_text, placement_text
from .engine.controller import EngineController, EngineState
from .engine.status_widget import EngineStatusWidget
from .error_text import describe
from .notice_bar import NoticeBar

SOURCE = "engine"  # the notice bar's messages that belong to the engine's state


class EnginePresenter(QObject):
    def __init__(self, engine: EngineController, busy: Callable[[], bool], composer: Composer,
                 status: EngineStatusWidget, notices: NoticeBar, label_for: Callable[[ModelChoice], str],
                 retry: Callable[[], None], parent: QObject | None = None,
                 downloaded: Callable[[ModelChoice], bool] = lambda _choice: False) -> None:
        """``downloaded``: whether a model is one this app downloaded (an incomplete one can be fetched again)."""
        super().__init__(parent)
        self._downloaded = downloaded
        self.engine, self._busy, self.composer, self.status, self.notices = engine, busy, composer, status, notices
        self._label_for, self._retry = label_for, retry
        self._noticed: tuple[EngineState, int] | None = None  # the state and error last put in the notice bar
        engine.stateChanged.connect(lambda _state: self.update())
        engine.modelLoaded.connect(self._loaded)

    def model_label(self) -> str:
        """The model being loaded while a load runs (not the one it replaces), else the loaded one."""
        loading = self.engine.state in (EngineState.LOADING, EngineState.STARTING)
        choice = (self.engine.attempt if loading else None) or self.engine.current or self.engine.attempt
        return self._label_for(choice) if choice is not None else ""

    def placement(self) -> Placement | None:
        info = self.engine.model_info
        return Placement.from_dict(info["placement"]) if "placement" in info else None

    def update(self) -> None:
        state = self.engine.state
        if state != self.status.state or self.model_label() != self.status.model_label:
            self.status.set_state(state, self.model_label())
        where = self.placement()
        self.status.set_where(placement_text(where) if where is not None else "")
        self.composer.set_mode(*self.composer_state())
        self._update_notice(state)

    def _loaded(self, _choice: ModelChoice, info: dict) -> None:
        """A GPU that could not take the model: one line, and the model runs where it could. A draft model
        that is not used (speculative decoding): one line too, and the model answers without it."""
        where = self.placement()
        if where is not None and where.fallback:
            self.notices.show_message(fallback_text(where), "info", timeout_ms=15000)
        refused = info.get("draft_model_refused")
        if isinstance(refused, dict) and (text := self.draft_refused_text(refused)):
            self.notices.show_message(text, "info", timeout_ms=15000)

    def draft_refused_text(self, refused: dict) -> str:
        why = {
            "missing": self.tr("it is neither an installed model nor a file"),
            "vocabulary": self.tr("its vocabulary is not the model's"),
            "fit": self.tr("it does not fit in memory beside the model"),
            "load": self.tr("it could not be loaded"),
        }.get(str(refused.get("reason")))
        if why is None:
            return ""
        return self.tr("The draft model {name} is not used: {why}. The model answers without it.").format(
            name=str(refused.get("name", "")), why=why)

    def retranslate(self) -> None:
        self.status.model_label = self.model_label()  # the model's label is translated too ("Simulator (…)")
        where = self.placement()
        self.status.where = placement_text(where) if where is not None else ""
        self.status.retranslate()
        self.composer.set_mode(*self.composer_state())

    def composer_state(self) -> tuple[ComposerState, str]:
        """The message box's state and its hint: one text for each state, never left from the one before."""
        state = self.engine.state
        if self._busy():
            return ComposerState.GENERATING, self.tr("The model is answering… (Esc stops it)")
        if state == EngineState.READY:
            return ComposerState.IDLE, self.tr("Message DeepSeek… (Enter to send, Shift+Enter for a new line)")
        if state == EngineState.CRASHED:  # sending starts a new host and loads the model again
            return ComposerState.IDLE, self.tr("The engine stopped. Send a message to start it again.")
        if state in (EngineState.LOADING, EngineState.STARTING):
            return ComposerState.BLOCKED, self.tr("Loading the model… you can send when it is ready.")
        if state == EngineState.FAILED:
            return ComposerState.BLOCKED, self.tr(
                "{model} could not be loaded. Retry, or choose another model in the toolbar.").format(
                model=self.model_label())
        if state == EngineState.GENERATING:  # the turn's last moment, before the session hears it ended
            return ComposerState.BLOCKED, self.tr("The model is answering… (Esc stops it)")
        return ComposerState.BLOCKED, self.tr("Choose a model in the toolbar to start.")

    def _update_notice(self, state: EngineState) -> None:
        error = self.engine.error
        if error is None or state in (EngineState.STARTING, EngineState.LOADING):
            self._noticed = None
            self.notices.dismiss_from(SOURCE)  # the attempt it belonged to is over
            return
        key = (state, id(error))
        if key == self._noticed:
            return  # already shown (or closed by the user): not again for every change of the turn
        self._noticed = key
        if state == EngineState.CRASHED:
            text = self.tr("The engine stopped unexpectedly. Your conversation is safe; press Restart, or send "
                           "a message, to continue.")
            action = self.tr("Restart")
        else:
            attempt = self.engine.attempt
            reason = describe(error, downloaded=attempt is not None and self._downloaded(attempt))
            text = self.tr("{model} could not be loaded: {reason}").format(model=self.model_label(), reason=reason)
            action = self.tr("Retry")
        self.notices.show_message(text, "error", action, self._retry, source=SOURCE)
