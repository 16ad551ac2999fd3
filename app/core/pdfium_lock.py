"""The one lock around PDFium, which must never be entered by two threads at once."""

from __future__ import annotations

import threading
from typing import Final

# PDFium keeps global state; pypdfium2 documents it as unsafe to call concurrently even
# on different documents, so every use in the process goes through this lock.
LOCK: Final[threading.Lock] = threading.Lock()
