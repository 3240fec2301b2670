"""``python -m sitegen``."""

from sitegen.cli import main_exit

main_exit()
