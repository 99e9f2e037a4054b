"""The model manager: catalogue, hardware probe, fit estimate, storage checks, downloads, local models.

Qt-free; the CLI and the GUI both drive it. Modules, one concept each:

- ``catalog``: the DeepSeek catalogue (``data/catalog.json``), lookups, sizes refreshed from the Hub
- ``hardware``: RAM, cores, Apple Silicon, GPU memory
- ``fit``: memory estimate (weights + KV cache + buffers) and the verdict for this computer
- ``recommend``: the best model and quantisation here, or the remote route
- ``storage``: free bytes and inodes, copying and moving with progress
- ``ramdisk``: a RAM disk to load a model from memory
- ``hub`` / ``download``: the Hugging Face Hub; resumable, verified downloads
- ``local_models`` / ``installed``: GGUF and MLX checks, import, the registry of installed models
- ``progress`` / ``errors`` / ``hashing``: what the long operations report, raise and compute

Nothing here imports huggingface_hub, llama.cpp or numpy at import time.
"""
