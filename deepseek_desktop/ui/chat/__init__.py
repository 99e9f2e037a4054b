"""The chat: the session that streams replies, the message list, composer, sidebar and export."""
