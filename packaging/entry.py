"""The frozen program's entry, shared by the windowed `Atelier` and the console `atelier`."""

import multiprocessing
import os
import sys


def _streams_for_windowed() -> None:
    # A windowed Windows/macOS process may have no stdout/stderr; printing must not crash it.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


def _arguments() -> list[str]:
    # Finder adds a process serial number (-psn_0_1234) when it launches an app bundle.
    return [arg for arg in sys.argv[1:] if not arg.startswith("-psn_")]


if __name__ == "__main__":
    # Import workers are spawned copies of this program; this turns those into workers.
    multiprocessing.freeze_support()
    _streams_for_windowed()
    from app.cli.main import main

    sys.exit(main(_arguments()))
