"""Writing the built site to disk."""
