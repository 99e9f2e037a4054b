"""The keyboard: the table of shortcuts, the actions that carry them, and Help > Keyboard shortcuts."""
