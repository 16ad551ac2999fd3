"""The build-time modules under packaging/ (not a Python package: its name is PyPI's `packaging`)."""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
# Appended, so that `import packaging` still finds the PyPI module pytest itself uses.
if str(PACKAGING) not in sys.path:
    sys.path.append(str(PACKAGING))
