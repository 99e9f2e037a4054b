"""Files the app writes and reads on the user's disk: atomic writes, JSON that may be damaged, a lock between
processes, and safe file names."""
