"""The desktop UI (PySide6). Imports no engine: it drives the engine host through its client."""
