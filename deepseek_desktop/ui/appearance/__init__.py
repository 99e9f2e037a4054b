"""How the app looks and speaks: the colour theme, visible outlines, and live language switching."""
