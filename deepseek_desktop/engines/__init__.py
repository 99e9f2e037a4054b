"""Inference engines. Qt-free; they run inside the engine host process (see ``engine_host``)."""
