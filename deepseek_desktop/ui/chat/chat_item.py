"""What the chat view shows for one message, built from the store's records by the session."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...core.conversations.reply_recorder import ReplyText
from ...core.conversations.types import MessageState


@dataclass
class ChatItem:
    """What the chat view shows for one message (built from the store's records by the session)."""

    id: int | None
    role: str  # "user" | "assistant"
    position: int = -1  # the message's place in its conversation (regenerate and edit cut there)
    content: str = ""
    reasoning: str = ""
    reasoning_seconds: float | None = None
    stats: dict = field(default_factory=dict)
    state: MessageState = MessageState.COMPLETE
    model: str = ""
    error: str = ""  # one line shown under the message (when there is no error_id)
    error_id: str = ""  # or an error message id and its params, translated when shown
    error_params: dict = field(default_factory=dict)
    interrupted: bool = False  # saved as streaming, but the app or the engine stopped during the reply
    live: ReplyText | None = None  # while the reply streams: its text is there, not in ``content``
    version: int = 1  # which of the message's versions this is (regenerated, edited), 1-based
    versions: int = 1

    def __post_init__(self) -> None:
        self.state = MessageState(self.state)  # "error" as well as MessageState.ERROR

    def settle(self, state: MessageState, stats: dict | None = None, error: str = "", error_id: str = "",
               error_params: dict | None = None) -> None:
        """The reply ended: its text so far becomes the message's, in its final state."""
        if self.live is not None:
            self.live.end_reasoning()
            _version, self.content, self.reasoning, self.reasoning_seconds = self.live.snapshot()
            self.live = None
        self.state = MessageState(state)
        self.stats = stats or self.stats
        self.error, self.error_id, self.error_params = error, error_id, dict(error_params or {})
