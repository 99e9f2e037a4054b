"""The toolbar: the model picker and the badge that says how the chosen model fits this computer."""
