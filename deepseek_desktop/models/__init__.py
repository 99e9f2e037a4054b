"""The model manager: catalogue, hardware probe, fit estimate, storage checks, downloads, local models.

Qt-free; the CLI and the GUI both drive it.
"""
