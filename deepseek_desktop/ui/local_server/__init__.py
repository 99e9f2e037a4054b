"""The local API server (``api_server/``) as the window runs it: the controller that starts and stops it from
the settings, the backend that serves the window's model, and its part of the status bar."""
