"""One conversation at a time: send, stream, stop, regenerate, edit and resend; everything saved.

The store runs on its own thread (``StoreRunner``). Sending one message is one store call
(``start_turn``: conversation, question and the reply to come, in one transaction) before the engine
gets the question. Replies stream on the asyncio loop into their ``ReplyRecorder``, the one holder of
the streaming text (the message widget shows it); the recorder's writes run on the store thread, at
least every second, so a crash loses at most a second. The sidebar is asked to reload once per turn.

The session owns "busy" (``busy``, ``busyChanged``; the view and the composer follow it): it is busy
exactly while one turn (send, regenerate, edit and resend) runs, and a turn always ends, whatever failed
in it. A reply whose final write failed (a full disk) stays on screen and is written again before the
next turn, on a timer, and on quit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import asdict

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from ...core import thinking
from ...core.conversations.reply_recorder import ReplyRecorder
from ...core.conversations.types import Conversation, Message, MessageState
from ...core.errors import DeepSeekError, EngineCrashed, EngineError
from ...core.events import Finished, Stats
from ...core.kv_state_files import conversation_key
from ...core.requests import ChatRequest, GenerationParams
from ..background import BackgroundWork
from ..engine.controller import EngineController
from ..error_text import describe
from .message import ChatItem, MessageWidget
from .store_runner import StoreRunner
from .view import ChatView

log = logging.getLogger(__name__)
PAGE = 40  # messages on the first screen of a conversation, and per "show earlier"


def item_from_message(m: Message) -> ChatItem:
    stats = {k: v for k, v in asdict(m.stats).items() if v is not None}
    return ChatItem(m.id, m.role, m.position, m.content, m.reasoning, m.reasoning_seconds, stats, m.state,
                    m.model, error_id=m.error_id or "", error_params=dict(m.error_params or {}),
                    interrupted=m.interrupted, version=m.version, versions=m.versions)


class _Reply:
    """A reply in progress. Its widget may go away (the user opened another conversation) and come back."""

    def __init__(self, conversation_id: int, recorder: ReplyRecorder, item: ChatItem) -> None:
        self.conversation_id = conversation_id
        self.recorder = recorder
        self.item = item
        self.widget: MessageWidget | None = None


class _UnsavedReply:
    """A finished reply whose final write failed; written again when the store takes it."""

    def __init__(self, recorder: ReplyRecorder, reason: str, error: DeepSeekError | None, item: ChatItem) -> None:
        self.recorder, self.reason, self.error, self.item = recorder, reason, error, item


class ChatSession(QObject):
    conversationsChanged = Signal()
    currentChanged = Signal(object)  # Conversation | None
    busyChanged = Signal()
    problem = Signal(str)  # one translated line for the user
    unsent = Signal(str)  # text that could not be sent, for the composer to take back
    thinkingChanged = Signal(object)  # the conversation's own thinking budget (core.thinking), None: the setting

    def __init__(self, runner: StoreRunner, engine: EngineController, view: ChatView,
                 generation_params, default_system_prompt, work: BackgroundWork,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.engine = engine
        self.view = view
        self.work = work
        self._generation_params = generation_params  # () -> GenerationParams, read at each send
        self._default_system_prompt = default_system_prompt  # () -> str
        self.conversation: Conversation | None = None
        # The conversation's own thinking budget (None: the setting's, which ``thinking_setting`` reads at
        # each send); kept with the conversation, or with the next one made while none is open.
        self.thinking_choice: int | None = None
        self.thinking_setting = lambda: thinking.UNLIMITED
        self._oldest_position: int | None = None
        self._reply: _Reply | None = None
        self._task: asyncio.Task | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(250)  # a pause in the stream must not leave text unsaved
        self._flush_timer.timeout.connect(self._flush_if_due)
        self._unsaved: list[_UnsavedReply] = []
        self._save_timer = QTimer(self)
        self._save_timer.setInterval(10_000)  # a full disk may get room again without the user doing anything
        self._save_timer.timeout.connect(lambda: self.busy or self.work.run(self.save_unsaved()))
        self.busyChanged.connect(lambda: view.set_busy(self.busy))
        view.editSubmitted.connect(lambda item, text: self._start(self._edit_and_resend(item, text)))
        view.regenerateRequested.connect(lambda item: self._start(self._regenerate(item)))
        view.versionRequested.connect(lambda item, version: self.show_version(item, version))
        view.loadEarlierRequested.connect(lambda: self.work.run(self.load_earlier(), _earlier_failed))

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def unsaved(self) -> int:
        """Finished replies on screen that are not written yet."""
        return len(self._unsaved)

    # -- conversations --------------------------------------------------------------------------
    async def open(self, conversation_id: int | None, show_message: int | None = None) -> None:
        """``show_message``: a message (a search hit) whose version is to be shown, if it is not."""
        if conversation_id is None:
            self.new_conversation()
            return
        self._detach_reply()  # the view is about to be rebuilt; a streaming reply keeps its text
        try:
            if show_message is not None and not self.busy:
                await self.runner.call(lambda s: s.show_message(show_message))
            conv, messages, count = await self.runner.call(_open_page, conversation_id)
            choice = await self.runner.call(lambda s: s.thinking_budget(conversation_id))
        except DeepSeekError as exc:
            self.problem.emit(describe(exc))
            return
        self.conversation = conv
        self.thinking_choice = choice
        self.thinkingChanged.emit(choice)
        self._oldest_position = messages[0].position if messages else None
        items = [item_from_message(m) for m in messages]
        reply = self._reply
        if reply and reply.conversation_id == conv.id:  # a reply still streaming into this conversation
            items = [reply.item if i.id == reply.item.id else i for i in items]
        self.view.show_items(items, has_earlier=count > len(messages))
        if reply and reply.conversation_id == conv.id:
            reply.widget = next((w for w in self.view.widgets if w.item is reply.item), None)
        self.currentChanged.emit(conv)

    async def load_earlier(self) -> None:
        if self.conversation is None or self._oldest_position is None:
            return
        cid = self.conversation.id
        older = await self.runner.call(lambda s: s.messages_before(cid, self._oldest_position, PAGE))
        if older:
            self._oldest_position = older[0].position
        self.view.prepend_items([item_from_message(m) for m in older], has_earlier=bool(older) and
                                older[0].position > 0)

    def new_conversation(self) -> None:
        """An empty chat; the conversation is created with its first message (no empty ones pile up)."""
        self._detach_reply()
        self.conversation = None
        self.thinking_choice = None
        self.thinkingChanged.emit(None)
        self.view.show_items([], False)
        self.currentChanged.emit(None)

    async def set_system_prompt(self, text: str) -> None:
        if self.conversation is None:
            self.conversation = await self.runner.call(lambda s: s.create_conversation("", text))
            self.conversationsChanged.emit()
        else:
            cid = self.conversation.id
            self.conversation = await self.runner.call(lambda s: s.set_system_prompt(cid, text))
        self.currentChanged.emit(self.conversation)

    def system_prompt(self) -> str:
        return self.conversation.system_prompt if self.conversation else self._default_system_prompt()

    async def set_thinking(self, choice: int | None) -> None:
        """The conversation's own thinking budget (None: the setting's), kept with it."""
        self.thinking_choice = choice
        if self.conversation is not None:
            cid = self.conversation.id
            await self.runner.call(lambda s: s.set_thinking_budget(cid, choice))

    def thinking_fields(self) -> dict:
        """The request's thinking fields: the conversation's choice, else the setting."""
        value = self.thinking_setting() if self.thinking_choice is None else self.thinking_choice
        return thinking.request_fields(value)

    # -- sending --------------------------------------------------------------------------------
    def send(self, text: str) -> None:
        self._start(self._send(text))

    def stop(self) -> None:
        self.engine.stop_generation()

    def _start(self, coro) -> None:
        if self.busy:
            coro.close()
            return
        self._task = self.work.run(coro, _turn_failed)
        self._task.add_done_callback(lambda _task: self.busyChanged.emit())
        self.busyChanged.emit()

    async def _send(self, text: str) -> None:
        await self.save_unsaved()
        conv = self.conversation
        cid = conv.id if conv else None
        system = "" if conv else self._default_system_prompt()
        model_label, engine_name = self._model()
        try:
            turn, recorder = await self.runner.call(lambda s: _start_turn(s, cid, text, system, model_label,
                                                                          engine_name))
        except DeepSeekError:
            self.unsent.emit(text)  # the question is not lost: it goes back into the composer
            raise
        if conv is None and self.thinking_choice is not None:  # chosen before the conversation existed
            choice, new_id = self.thinking_choice, turn.conversation.id
            await self.runner.call(lambda s: s.set_thinking_budget(new_id, choice))
        self.conversation = turn.conversation
        self.view.append_item(item_from_message(turn.question))
        if conv is None or conv.title != turn.conversation.title:  # named after its first question
            self.currentChanged.emit(turn.conversation)
        self.conversationsChanged.emit()
        await self._stream(turn.conversation.id, list(turn.history), recorder, model_label)

    def _model(self) -> tuple[str, str]:
        choice = self.engine.current or self.engine.attempt
        return (choice.label, choice.engine) if choice else ("", "")

    async def _regenerate(self, item: ChatItem) -> None:
        if self.conversation is None:
            return
        await self.save_unsaved()
        cid = self.conversation.id
        try:
            await self.engine.ensure_ready()  # after a crash: a new host and the model, before anything goes
        except DeepSeekError as exc:
            if not self.engine.presents(exc):
                self.problem.emit(describe(exc))
            return
        self.view.remove_from(item)
        self.conversationsChanged.emit()
        await self._reply_to(cid, version_of=item.id)  # the old reply stays, as version n - 1

    async def _edit_and_resend(self, item: ChatItem, text: str) -> None:
        if self.conversation is None or item.id is None:
            return
        await self.save_unsaved()
        cid, mid = self.conversation.id, item.id
        msg = await self.runner.call(lambda s: s.edit_message(mid, text))  # the old question and its replies stay
        self.view.remove_from(item)
        self.view.append_item(item_from_message(msg))
        self.conversationsChanged.emit()
        await self._reply_to(cid)

    async def _reply_to(self, cid: int, version_of: int | None = None) -> None:
        model_label, engine_name = self._model()

        def begin(store):
            # the new reply first: the history is then the path of versions shown up to it (a reply that is
            # streaming is never part of it), without the reply it is a new version of
            recorder = ReplyRecorder.begin(store, cid, model=model_label, engine=engine_name, version_of=version_of)
            return store.chat_history(cid), recorder, store.get_message(recorder.message_id)

        history, recorder, started = await self.runner.call(begin)
        await self._stream(cid, history, recorder, model_label, (started.version, started.versions))

    async def _stream(self, cid: int, history, recorder: ReplyRecorder, model_label: str,
                      version: tuple[int, int] = (1, 1)) -> None:
        params: GenerationParams = self._generation_params()
        # the position is known from the start: a reply whose final write fails can still be regenerated
        item = ChatItem(recorder.message_id, "assistant", recorder.position, state=MessageState.STREAMING,
                        model=model_label, live=recorder.text, version=version[0], versions=version[1])
        reply = self._reply = _Reply(cid, recorder, item)
        reply.widget = self.view.append_item(item)
        self._flush_timer.start()
        reason, stats, error = "stop", None, None
        try:
            await self.engine.ensure_ready()  # after a crash this starts a new host and loads the model
            async for event in self.engine.chat(ChatRequest(history, params, cache_key=conversation_key(cid),
                                                            **self.thinking_fields())):
                if recorder.collect(event):  # the text is kept in memory; a write is due now and then
                    self.runner.submit(_flush, recorder)
                if reply.widget is not None:
                    self.view.mark_dirty()
                if isinstance(event, Stats):
                    stats = event
                elif isinstance(event, Finished):
                    reason = event.reason
        except (EngineCrashed, EngineError, DeepSeekError) as exc:
            log.warning("reply failed: %s", exc)
            reason, error = "error", exc
        except asyncio.CancelledError:
            reason = "cancelled"
            raise
        finally:
            await asyncio.shield(self._end_reply(reply, reason, stats, error))
        if error is not None and not self.engine.presents(error):  # the engine's own bar tells of a crash
            self.problem.emit(describe(error))

    async def _end_reply(self, reply: _Reply, reason: str, stats: Stats | None, error) -> None:
        """The turn ends here whatever happens: the reply keeps its text on screen, saved or not."""
        self._flush_timer.stop()
        item = reply.item
        state = {"cancelled": MessageState.CANCELLED, "error": MessageState.ERROR}.get(reason,
                                                                                        MessageState.COMPLETE)
        stats_dict = {k: v for k, v in asdict(stats).items() if k != "type"} if stats else {}
        if isinstance(error, DeepSeekError):  # translated when shown: it follows a language switch
            failure = {"error_id": error.message_id, "error_params": error.params}
        else:
            failure = {"error": describe(error) if error else ""}
        if reply.widget is not None:
            reply.widget.finish(state, stats_dict, **failure)
        else:
            item.settle(state, stats_dict, **failure)
        self._reply = None
        self.view.refresh_after_change()
        try:
            final = await self.runner.call(lambda s: reply.recorder.finish(reason, error))
        except Exception as exc:  # a full disk, a read-only database: the text stays, the turn ends
            log.error("the reply could not be saved: %s", exc)
            self._unsaved.append(_UnsavedReply(reply.recorder, reason, error, item))
            self._save_timer.start()
            self.problem.emit(self.tr("The reply could not be saved. It stays on screen and is saved as soon "
                                      "as the disk allows; nothing is lost while the app is open."))
        else:
            item.id, item.position = final.id, final.position

    def show_version(self, item: ChatItem, version: int) -> None:
        """Show another version of ``item``'s message, and below it what followed that version."""
        if self.busy or self.conversation is None or item.id is None:
            return
        self.work.run(self._show_version(self.conversation.id, item, version), _version_failed)

    async def _show_version(self, cid: int, item: ChatItem, version: int) -> None:
        mid = item.id

        def switch(store):
            chosen = store.select_version(mid, version)
            return [m for m in store.all_messages(cid) if m.position >= chosen.position]

        tail = await self.runner.call(switch)
        if self.conversation is not None and self.conversation.id == cid:
            shown = self.view.replace_from(item, [item_from_message(m) for m in tail])
            if shown is not None:  # the arrow that was pressed is gone with its widget: its twin takes the focus
                shown.version_switch.focus_arrow(-1 if version < item.version else 1)

    async def save_unsaved(self) -> bool:
        """Write the replies whose final write failed; True when none is left."""
        while self._unsaved:
            pending = self._unsaved[0]
            try:
                final = await self.runner.call(lambda s, p=pending: p.recorder.finish(p.reason, p.error))
            except Exception as exc:
                if getattr(exc, "message_id", "") != "store.not_found":
                    log.warning("the reply is still not saved: %s", exc)
                    return False
                log.info("a reply that could not be saved was removed meanwhile (regenerated or edited)")
            else:
                pending.item.id, pending.item.position = final.id, final.position
                log.info("a reply that could not be saved earlier is saved now (message %s)", final.id)
            if pending in self._unsaved:  # the timer and a new turn may both have tried
                self._unsaved.remove(pending)
        self._save_timer.stop()
        return True

    def _flush_if_due(self) -> None:
        if self._reply is not None and self._reply.recorder.write_due():
            self.runner.submit(_flush, self._reply.recorder)

    def _detach_reply(self) -> None:
        if self._reply is not None:
            self._reply.widget = None

    async def close(self) -> None:
        """On quit: stop a streaming reply and let its last text reach the store."""
        self._save_timer.stop()
        if self._task and not self._task.done():
            self.engine.stop_generation()
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._task), 2.0)
        if not await self.save_unsaved():
            log.error("%d finished replies could not be saved before quitting", len(self._unsaved))


def _turn_failed() -> str:
    return QCoreApplication.translate("ChatSession", "The message could not be sent.")


def _version_failed() -> str:
    return QCoreApplication.translate("ChatSession", "The other version could not be shown.")


def _earlier_failed() -> str:
    return QCoreApplication.translate("ChatSession", "Earlier messages could not be loaded.")


def _open_page(store, conversation_id: int):
    conv = store.get_conversation(conversation_id)
    messages = store.latest_messages(conversation_id, PAGE)
    return conv, messages, store.message_count(conversation_id)


def _start_turn(store, cid: int | None, text: str, system: str, model: str, engine: str):
    turn = store.start_turn(cid, text, system_prompt=system, model=model, engine=engine)
    return turn, ReplyRecorder.for_message(store, turn.reply)


def _flush(store, recorder: ReplyRecorder) -> None:
    recorder.flush()
