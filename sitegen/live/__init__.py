"""The live preview: file watching, rebuilds and the HTTP server with live reload."""
