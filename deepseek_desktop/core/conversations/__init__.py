"""Conversations in SQLite: the store and its reading and writing, versions of a message, search, salvage of a
damaged file, export and import, and the reply recorder that saves a streaming reply."""
