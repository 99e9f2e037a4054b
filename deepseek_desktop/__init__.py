"""DeepSeek Desktop: chat with DeepSeek models on your own computer."""

__version__ = "0.1.0"
