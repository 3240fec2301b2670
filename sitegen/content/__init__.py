"""Reading content: files, front matter, macros, markdown and spec references."""
