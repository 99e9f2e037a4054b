"""Command line: ``deepseek-desktop`` (GUI), ``chat``, ``models``, ``doctor``."""
