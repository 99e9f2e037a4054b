"""The engine host: a child process that owns the model, and the asyncio client that drives it.

A crash in llama.cpp or MLX (segfault, out of memory, abort) ends the host, not the app.
"""
