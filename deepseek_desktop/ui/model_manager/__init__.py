"""The model manager window and its parts: catalogue, downloads, installed models, folder, planner."""
