"""Output files the command line writes (`--out`): whole or not at all, and where asked.

`replacing(out)` writes a regular file beside itself and renames it over `out` when done, so a
failure (a bad row, Ctrl-C, a full disk) leaves the old file or none, never half of one. What
the rename must not do: replace a named pipe or a device (`--out /dev/stdout`, a FIFO a script
reads) with a plain file, or a symbolic link with a copy; and the file gets the mode any new
file gets (the umask), or keeps the one it had, not the private 0600 of a temporary file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


def target(out: Path) -> Path:
    """The file `out` names: a symbolic link's target (the link stays as it is)."""
    return Path(os.path.realpath(out))


def is_stream(path: Path) -> bool:
    """An existing pipe, device or socket: written in place, it cannot be replaced whole."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextmanager
def replacing(out: Path) -> Iterator[TextIO]:
    """A UTF-8 text stream for `out` (newlines as written); see the module docstring."""
    path = target(out)
    if is_stream(path):
        with path.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        return
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)  # read by setting it: put back at once (one thread writes files here)
    os.umask(mask)
    return mask
