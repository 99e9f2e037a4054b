"""Files from the desktop: one window per data folder, model files opened with the app or dropped on it."""
