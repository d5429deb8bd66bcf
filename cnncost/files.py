"""Writing files so that a reader never sees a partial or mixed one.

Every file cnncost writes (plots, the parse cache, `export -o`, `import -o`, anything
later) goes through `write_atomic` or `atomic_path`: the data is written to a temporary
file in the same folder and renamed over the target with os.replace, which POSIX and
Windows make atomic within one file system. A writer killed mid-write leaves the
previous file whole (and at worst a stray hidden `.NAME.*.tmp.EXT` beside it; the temporary name keeps the
extension so writers that choose a format by it, as matplotlib does, still can); parallel writers each
replace the whole file, the last one wins.
"""
from __future__ import annotations

import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, durable: bool = True):
    """Yield a temporary path beside `path`; when the block ends without an error, the
    temporary file is flushed to disk and renamed to `path`, else removed. For writers
    that want a path of their own (matplotlib's savefig). `durable=False` skips the fsync
    (for a cache, whose lost entry is only recomputed)."""
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    suffix = os.path.splitext(name)[1]
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=f".tmp{suffix}", dir=folder)
    os.close(handle)
    try:
        yield temporary
        if durable:
            with open(temporary, "rb+") as written:
                os.fsync(written.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise


def write_atomic(path: str | os.PathLike, data: bytes | str, encoding: str = "utf-8",
                 durable: bool = True) -> None:
    """Write `data` (bytes, or text encoded with `encoding`) to `path` atomically."""
    if isinstance(data, str):
        data = data.encode(encoding)
    with atomic_path(path, durable) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(data)


def _mode_for(path: str) -> int:
    """The mode a file created by open() would get (mkstemp makes it 0600): the existing
    file's mode, else 0666 less the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
