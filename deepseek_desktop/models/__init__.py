"""The model manager: catalogue, hardware probe, fit estimate, storage checks, downloads, local models.

Qt-free; the CLI and the GUI both drive it. Folders by subject, one concept a module:

- ``catalogue/``: the DeepSeek catalogue (``catalogue.json``), how fast each download would answer here
  (``speed``), the recommendation (``recommend``) and the catalogue as the model manager shows it (``state``)
- ``downloads/``: the Hugging Face Hub's listings (``hub``), the catalogue's sizes refreshed (``sizes``), and
  resumable, verified downloads (``download``)
- ``local/``: the registry of installed models (``registry``), GGUF and MLX checks (``inspection``), import
  and the models the registry does not know yet (``importing``), twins of installed models
  (``same_files``), generic chat templates (``template_check``)
- ``gguf/``: a GGUF's header and typed values, the names of a split model
- ``launch/``: for a model too big for one computer, the user's cluster (``cluster``), one engine's layout
  on it (``layout``), its commands (``commands``) and the plans per engine (``plan``)
- ``fit``: memory estimate (weights + KV cache + buffers) and the verdict for this computer
- ``hardware``: RAM, cores, Apple Silicon, GPU memory
- ``storage`` / ``ramdisk``: free bytes and inodes, copying with progress; a RAM disk to load a model from
- ``folder_state``: the models folder as the model manager shows it
- ``model_sources``: the models the toolbar offers, and their load parameters
- ``progress`` / ``errors`` / ``hashing``: what the long operations report, raise and compute

Nothing here imports huggingface_hub, llama.cpp or numpy at import time.
"""
