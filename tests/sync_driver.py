"""Test-only driver: one `potentiel sync --config PATH` in a process a test can kill on cue.

Python and every module the sync uses are loaded first, then the driver prints ``ready`` and
waits for the configuration path on its standard input.  The test starts its clock when it
sends the path, so the moments it draws to kill the process fall inside the sync itself rather
than inside the interpreter's start-up, which would only ever test killing an import.
"""

from __future__ import annotations

import sys

# sheets_sync.run is loaded before "ready": the command imports it lazily.
import sheets_sync.run  # noqa: F401
from addin.cli import main


def drive() -> int:
    """Wait for the configuration path, then run the real command line on it."""
    print("ready", flush=True)
    config = sys.stdin.readline().strip()
    return main(["sync", "--config", config])


if __name__ == "__main__":
    sys.exit(drive())
