"""GGUF files read without loading a tensor: the header and its typed values, and the names of a split model."""
