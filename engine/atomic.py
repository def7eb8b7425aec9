"""Writing an output file whole or not at all, and only once the run has succeeded.

Writing is two steps. ``stage`` writes the bytes to a temporary file beside the destination: a
path that cannot be written (a read-only folder, a directory, a file where a folder should be)
fails here, before the command has stored or printed anything. ``StagedFile.publish`` then puts
the file in place with one rename; a command that also stores its result publishes inside the
store's transaction, just before it commits (``engine.store.records.save_evaluation``), so that
a failed run leaves neither the file nor the stored evaluation, and a run killed at any moment
leaves no stored evaluation without its file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType

from dutybound.engine.errors import InputError


class UnwritableOutput(InputError, OSError):
    """An output path that cannot be written: bad input (the CLI's one-line message, exit 2),
    and still an ``OSError`` for callers that tolerate one (the cache)."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class StagedFile:
    """An output written whole beside its destination and not yet in place. Used as a context
    manager it removes the temporary file unless it was published."""

    def __init__(self, path: Path, temporary: Path) -> None:
        self.path = path
        self.temporary = temporary
        self.published = False

    def publish(self) -> None:
        """Put the file in place (one rename: readers see the old file or the new one)."""
        try:
            os.replace(self.temporary, self.path)
        except OSError as error:
            self.discard()
            raise UnwritableOutput(self.path, _why(self.path, error)) from None
        self.published = True

    def rewrite(self, data: str | bytes) -> None:
        """Replace the staged bytes before publishing: a report that prints the id its store
        gives it is rendered again once that id is known (``dutybound.cli.report``)."""
        try:
            with open(self.temporary, "wb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            self.discard()
            raise UnwritableOutput(self.path, _why(self.path, error)) from None

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)

    def __enter__(self) -> StagedFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self.published:
            self.discard()


def _why(path: Path, error: OSError) -> str:
    if path.is_dir():
        return "is a directory; name a file to write"
    return f"cannot write here: {error.strerror or error}"


def stage(path: Path, data: str | bytes) -> StagedFile:
    """Write ``data`` to a temporary file beside ``path``, flushed to disk; ``publish`` puts it
    in place.

    ``mkstemp`` creates that file readable by its owner only; it is given the permissions a
    plain ``open()`` would (0666 less the umask), so a report lands as readable as any other
    file the user writes.
    """
    if path.is_dir():
        raise UnwritableOutput(path, "is a directory; name a file to write")
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        temporary = Path(name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise UnwritableOutput(path, _why(path, error)) from None
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    return StagedFile(path, temporary)


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write the whole file or nothing: a crash or a failed render never leaves half a report.
    An unwritable path is ``UnwritableOutput`` naming it."""
    with stage(path, data) as staged:
        staged.publish()
