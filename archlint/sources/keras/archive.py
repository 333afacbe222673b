"""Reading the architecture out of a `.keras` archive.

A `.keras` file is a zip holding `config.json` (the architecture), `metadata.json` and
`model.weights.h5`. Only `config.json` is read, straight from the zip into memory: nothing is
extracted, the weights are never opened, and a malformed or oversized archive is a finding.
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile

from archlint import rules
from archlint.loader import MAX_FILE_BYTES, LoadError

CONFIG_NAME = "config.json"
MAX_MEMBERS = 10_000  # a real archive has three; the central directory of a hostile one is not read further


class ArchiveError(LoadError):
    """A .keras file that cannot be read: always reported, whatever its text looks like."""

    certain = True


def _fail(message: str, hint: str) -> ArchiveError:
    return ArchiveError(rules.INVALID_KERAS_ARCHIVE, message, 1, 1, hint=hint)


def is_zip(path: str) -> bool:
    if not os.path.isfile(path):  # issue 7: never open a FIFO (it would block)
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def read_config(path: str) -> bytes:
    """The bytes of the archive's config.json. Raises OSError for an unreadable path, ArchiveError else."""
    if not stat.S_ISREG(os.stat(path).st_mode):  # issue 7: opening a FIFO named *.keras would block forever
        raise OSError(errno.EINVAL, "it is not a regular file (a FIFO, socket, device or directory)")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise _fail(f"the .keras file is not a valid zip archive ({exc})",
                    "save the model again with model.save('model.keras')") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise _fail(f"the archive lists {len(members):,} files", "a .keras archive holds config.json, "
                        "metadata.json and the weights; this one is not a Keras model")
        info = next((m for m in members if m.filename == CONFIG_NAME), None)
        if info is None:
            names = ", ".join(m.filename for m in members[:5]) or "nothing"
            raise _fail(f"the archive has no {CONFIG_NAME} (it holds {names})",
                        "a .keras archive written by model.save() holds config.json at its top level")
        if info.file_size > MAX_FILE_BYTES:
            raise _fail(f"{CONFIG_NAME} declares {info.file_size:,} bytes",
                        f"archlint reads configurations of at most {MAX_FILE_BYTES:,} bytes")
        try:
            with archive.open(info) as handle:
                # Read at most one byte past the limit: the declared size of a zip member can lie.
                raw = handle.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError, ValueError) as exc:
            raise _fail(f"cannot read {CONFIG_NAME} from the archive: {exc}",
                        "the archive is damaged or encrypted; save the model again") from None
        if len(raw) > MAX_FILE_BYTES:
            raise _fail(f"{CONFIG_NAME} is larger than {MAX_FILE_BYTES:,} bytes",
                        f"archlint reads configurations of at most {MAX_FILE_BYTES:,} bytes")
        return raw
