"""The bounds every file from outside meets, checked as early as they can be.

Partners' exports, the DfE release and workbook and NHS England's workbooks are untrusted input: a file
is never trusted for its own sizes or layout. In order:
- its size, from the file system or the object store's listing, before it is read or copied;
- its kind, from its first bytes (`sniff`), never from its name;
- for a zip (an XLSX is one): the member count and the directory's size from the end record, before
  Python builds the directory; each member's name (nothing that could be written outside a folder),
  its declared size and its ratio to its compressed size, before anything is inflated;
- while inflating: every member under a cap (the directory can lie). Python's zipfile stops at the
  declared size and then checks the CRC, so a member longer than declared is refused there;
- XML is read by `workbook` with DOCTYPEs refused; cells, rows and columns are counted as they stream.

A broken bound raises InputRefused naming the bound, the figure found and the setting that raises it;
each reader turns it into its kind's rejection. The settings are in config (SENDBOARD_MAX_*).
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sendboard.config import MB, InputBounds
from sendboard.errors import InputRefused

CHUNK = 1 << 20
# a member this small cannot hurt, whatever its ratio (a few kB of repeated spaces compress 200:1)
RATIO_FLOOR_BYTES = 1 << 20
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls (and other Office binaries)
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_DRIVE = re.compile(r"^[A-Za-z]:")


def size_text(size: int) -> str:
    """A size as a report gives it.

    >>> size_text(5_000), size_text(6_291_456), size_text(6_442_450_944)
    ('5,000 bytes', '6.0 MB', '6,144.0 MB')
    """
    return f"{size:,} bytes" if size < MB else f"{size / MB:,.1f} MB"


def check_size(size: int, limit: int, setting: str, what: str = "the file") -> None:
    if size > limit:
        raise InputRefused(
            "file_too_large",
            f"{what} is {size_text(size)}, more than the {size_text(limit)} allowed (setting {setting})",
        )


def sniff(head: bytes) -> str:
    """A file's kind from its first bytes: `zip` (an XLSX workbook or a zip), `xls` (an Excel 97-2003
    workbook or another OLE2 file), `empty`, or `text` (anything else: the CSV reader decides).

    >>> sniff(b"PK\\x03\\x04\\x14\\x00"), sniff(OLE2_MAGIC), sniff(b""), sniff(b"referral_id,nhs")
    ('zip', 'xls', 'empty', 'text')
    """
    if not head:
        return "empty"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE2_MAGIC):
        return "xls"
    return "text"


def sniff_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return sniff(handle.read(8))


def check_inside(path: Path, root: Path) -> None:
    """A local inbox path, links resolved, must stay inside the inbox: a link is never followed out."""
    real, inside = os.path.realpath(path), os.path.realpath(root)
    if real != inside and not real.startswith(inside.rstrip(os.sep) + os.sep):
        raise InputRefused(
            "link_outside_inbox",
            "the file is a link (or sits in a linked folder) leading outside the inbox; it is not followed",
        )


def unsafe_member_name(name: str) -> bool:
    """A member name that could land outside a folder if anyone ever extracted it.

    >>> [unsafe_member_name(n) for n in ("xl/workbook.xml", "../x.csv", "a/../../x", "/etc/x", "C:x", "\\\\srv\\\\x")]
    [False, True, True, True, True, True]
    """
    parts = re.split(r"[\\\\/]", name)
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name)) or ".." in parts or "\x00" in name


def _directory_size(handle: BinaryIO, file_size: int) -> tuple[int, int]:
    """(members, directory bytes) from the zip's end record (zip64's where it says so), read before
    Python builds the directory: a directory of millions of entries costs memory to build."""
    tail_size = min(file_size, 22 + 65_535)
    handle.seek(file_size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) < at + 22:
        raise InputRefused(
            "unreadable_file", "the file starts like a zip but has no zip directory (damaged or cut short)"
        )
    members = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    if (members == 0xFFFF or directory == 0xFFFFFFFF) and at >= 20 and tail[at - 20 : at - 16] == _ZIP64_LOCATOR:
        record_at = int.from_bytes(tail[at - 12 : at - 4], "little")
        handle.seek(min(record_at, file_size))
        record = handle.read(56)
        if len(record) == 56:
            members = int.from_bytes(record[32:40], "little")
            directory = int.from_bytes(record[40:48], "little")
    return members, directory


class SafeZip:
    """A zip whose directory has been checked against the bounds; members are read only through
    `stream`/`read`, under a cap. There is no extraction to disk: nothing can land outside a folder.
    `member_limit` is the most one member may inflate to (the bound's setting named by `member_setting`)."""

    def __init__(self, path: Path, bounds: InputBounds, member_limit: int, member_setting: str):
        self.bounds, self.member_limit, self.member_setting = bounds, member_limit, member_setting
        file_size = path.stat().st_size
        handle = open(path, "rb")  # noqa: SIM115 - owned by the ZipFile, closed by close()
        try:
            members, directory = _directory_size(handle, file_size)
            if members > bounds.zip_members or directory > bounds.zip_members * 4096:
                raise InputRefused(
                    "too_many_members",
                    f"the zip directory lists {members:,} members ({size_text(directory)}), more than the "
                    f"{bounds.zip_members:,} allowed (setting {bounds.setting('zip_members')})",
                )
            handle.seek(0)
            try:
                self.archive = zipfile.ZipFile(handle)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
                raise InputRefused(
                    "unreadable_file", "the zip directory cannot be read (damaged or not a zip)"
                ) from None
        except BaseException:
            handle.close()
            raise
        self.handle = handle
        try:
            self._check_directory()
        except BaseException:
            self.close()
            raise

    def _check_directory(self) -> None:
        infos = self.archive.infolist()
        if len(infos) > self.bounds.zip_members:
            raise InputRefused(
                "too_many_members",
                f"the zip holds {len(infos):,} members, more than the {self.bounds.zip_members:,} allowed "
                f"(setting {self.bounds.setting('zip_members')})",
            )
        for info in infos:
            if unsafe_member_name(info.filename):
                raise InputRefused(
                    "unsafe_member_name",
                    f"member {printable(info.filename)!r} has a name that leads outside its folder "
                    "(.., an absolute path or a drive letter); the file is refused whole",
                )
            self._check_member(info)
        self.infos = {info.filename: info for info in infos if not info.is_dir()}

    def _check_member(self, info: zipfile.ZipInfo) -> None:
        name = printable(info.filename)
        if info.file_size > self.member_limit:
            raise InputRefused(
                "member_too_large",
                f"member {name!r} inflates to {size_text(info.file_size)}, more than the "
                f"{size_text(self.member_limit)} allowed (setting {self.member_setting})",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > self.bounds.zip_ratio:
            raise InputRefused(
                "compression_ratio",
                f"member {name!r} inflates {ratio:,.0f} to 1 ({size_text(info.compress_size)} to "
                f"{size_text(info.file_size)}), more than the {self.bounds.zip_ratio} to 1 allowed "
                f"(setting {self.bounds.setting('zip_ratio')}); real files stay under 30 to 1",
            )

    def names(self) -> list[str]:
        return list(self.infos)

    def __contains__(self, name: object) -> bool:
        return name in self.infos

    def stream(self, name: str, limit: int | None = None, setting: str | None = None) -> Iterator[bytes]:
        """The member's bytes, inflated a chunk at a time, stopping at `limit` (the member bound by
        default): the directory's sizes are checked but not trusted."""
        info = self.infos[name]
        limit = self.member_limit if limit is None else limit
        inflated = 0
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    inflated += len(chunk)
                    if inflated > limit:
                        raise InputRefused(
                            "member_too_large",
                            f"member {printable(name)!r} inflates to more than the {size_text(limit)} allowed "
                            f"(setting {setting or self.member_setting}), whatever its directory entry says",
                        )
                    yield chunk
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            # a CRC that does not match (a member longer or other than its directory entry says), a
            # truncated or unsupported member: the message is the library's, about the archive only
            raise InputRefused(
                "unreadable_file",
                f"member {printable(name)!r} cannot be inflated as its directory entry describes "
                f"({type(exc).__name__}: {printable(str(exc))[:120]})",
            ) from None

    def read(self, name: str, limit: int | None = None, setting: str | None = None) -> bytes:
        return b"".join(self.stream(name, limit, setting))

    def close(self) -> None:
        self.archive.close()
        self.handle.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def printable(text: str, limit: int = 200) -> str:
    """Text from a file, fit to quote in a report or log: control characters shown escaped, cut short.

    >>> printable("notes\\r\\n=cmd"), printable("x" * 300)[-7:]
    ('notes\\\\r\\\\n=cmd', '… (cut)')
    """
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: limit + 1])
    return shown if len(shown) <= limit else shown[:limit] + "… (cut)"
