"""Qt-free building blocks shared by the engines, the engine host, the CLI and the GUI."""
