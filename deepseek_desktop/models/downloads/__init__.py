"""Downloads from the Hugging Face Hub: the repository listings, the catalogue's sizes refreshed, and the
resumable, verified download into the models folder."""
