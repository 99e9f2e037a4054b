"""The window's engine: the controller that drives the engine host (one state: starting, loading, ready,
generating, stopped), its part of the status bar, and switching the model that answers. What the window
shows of that state is ``ui/engine_presenter.py``'s."""
