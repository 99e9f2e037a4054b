"""A local API server that serves the loaded model to other programs (OpenAI and Ollama dialects).

Qt-free, and it never touches an engine: it speaks to the engine host through the same client and the
same line of turns (``engine_host/turns.py``) as the chat window.
"""
