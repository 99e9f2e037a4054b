"""A model file opened from the desktop (a double-click, ``deepseek-desktop model.gguf``, a second launch, the
Dock): whoever opens a model wants to chat with it. It is checked and imported as a dropped file is, then
loaded with the cursor in the message box; while a reply runs, loading it is offered instead (the offer waits
for an answer), and taking it stops the reply first."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt

from ...core.model_choice import ModelChoice


class ModelOpener(QObject):
    def __init__(self, window) -> None:
        """``window``: the ``MainWindow`` (its importer, models, session, notices and message box)."""
        super().__init__(window)
        self.window = window

    def open(self, path: Path) -> None:
        self.window.work.run(self._open(Path(path)), lambda: QCoreApplication.translate(
            "ModelOpener", "The model file could not be opened."))

    async def _open(self, path: Path) -> None:
        window = self.window
        entry = await window.importer.import_path(path, to_chat=True)
        if entry is None:
            return  # the importer said why
        await window.refresh_models()
        choice = next((c for c in window.choices if c.model == str(entry.path)), None)
        if choice is None:
            return
        if not window.session.busy:
            self.load_to_chat(choice)
            return
        window.notices.show_message(
            self.tr("{name} is ready. A reply is still running: load the model when you want to chat with it.")
            .format(name=choice.label), "info", self.tr("Load {name}").format(name=choice.label),
            lambda: self.load_to_chat(choice), source="opened")  # no timeout: it waits for an answer

    def load_to_chat(self, choice: ModelChoice) -> None:
        """Load ``choice`` and put the cursor in the message box; a running reply is stopped first (the user
        asked for the model while it ran) and the model is loaded when the turn has ended."""
        window, session = self.window, self.window.session
        if session.busy:
            def after_turn() -> None:
                if not session.busy:
                    session.busyChanged.disconnect(after_turn)
                    self.load_to_chat(choice)

            session.busyChanged.connect(after_turn)
            session.stop()
            return
        window.switch_model(choice)
        window.bring_to_front()
        window.composer.input.setFocus(Qt.FocusReason.OtherFocusReason)
