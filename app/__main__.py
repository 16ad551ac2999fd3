"""`python -m app`: the same as the `atelier` command."""

import multiprocessing
import sys

from app.cli.main import main


def gui_main() -> int:
    """Entry of the windowed launcher: the window, whatever the arguments."""
    return main([])


if __name__ == "__main__":
    # Import workers are spawned processes; a frozen bundle needs this to start them.
    multiprocessing.freeze_support()
    sys.exit(main())
