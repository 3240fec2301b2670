"""sitegen: the static-site generator of a multilingual HTTP status code reference."""

__version__ = "0.1.0"
