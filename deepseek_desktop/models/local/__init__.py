"""Models on this computer: the registry of installed ones, GGUF and MLX checks, import, and whether a model
brings its own chat template."""
