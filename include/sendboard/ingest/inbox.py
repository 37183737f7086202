"""The landing area: <inbox>/<source>/<period>/<table>.csv|.xlsx.

A local folder and an object-store URL go through the same fsspec code path. Everything here arrives
from outside: a file is opened only through `open` and `local_path`, which refuse a link leading out
of a local inbox, and `check` holds a file to the size bound (from the listing, before any read).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import fsspec

from sendboard import periods
from sendboard.config import InputBounds
from sendboard.contract import SOURCES
from sendboard.errors import PeriodIncomplete
from sendboard.ingest.bounds import check_inside, check_size

FORMATS = (".csv", ".xlsx")


@dataclass(frozen=True)
class InboxFile:
    source: str
    period: str
    table: str
    path: str  # full path or URL understood by the filesystem
    suffix: str

    @property
    def name(self) -> str:
        return f"{self.table}{self.suffix}"

    @property
    def label(self) -> str:
        """How messages name the file: source/period/file."""
        return f"{self.source}/{self.period}/{self.name}"


class Inbox:
    def __init__(self, location: str):
        self.location = location
        self.fs, self.root = fsspec.core.url_to_fs(location)

    def _join(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *parts])

    def periods(self, source: str) -> list[str]:
        """Every period folder present for a source, complete or not, in order."""
        base = self._join(source)
        if not self.fs.isdir(base):
            return []
        found = []
        for entry in self.fs.ls(base, detail=False):
            name = entry.rstrip("/").rsplit("/", 1)[-1]
            if periods.PERIOD_PATTERN.match(name) and self._valid_for(source, name):
                found.append(name)
        return sorted(found)

    @staticmethod
    def _valid_for(source: str, period: str) -> bool:
        months = SOURCES[source].census_months
        return not months or periods.parse(period)[1] in months

    def files(self, source: str, period: str) -> dict[str, list[InboxFile]]:
        """The files present for each table of the source (a table sent twice has two)."""
        folder = self._join(source, period)
        present = set()
        if self.fs.isdir(folder):
            present = {e.rstrip("/").rsplit("/", 1)[-1] for e in self.fs.ls(folder, detail=False)}
        found: dict[str, list[InboxFile]] = {}
        for table in SOURCES[source].tables:
            for suffix in FORMATS:
                # exports.md: names are the table names; accept any case of the suffix
                for name in present:
                    if name.lower() == f"{table.name}{suffix}":
                        found.setdefault(table.name, []).append(
                            InboxFile(source, period, table.name, self._join(source, period, name), suffix)
                        )
        return found

    def missing_tables(self, source: str, period: str) -> list[str]:
        present = self.files(source, period)
        return [t.name for t in SOURCES[source].tables if t.name not in present]

    def is_complete(self, source: str, period: str) -> bool:
        return not self.missing_tables(source, period)

    def complete_periods(self, source: str) -> list[str]:
        return [p for p in self.periods(source) if self.is_complete(source, p)]

    def require_complete(self, source: str, period: str) -> dict[str, list[InboxFile]]:
        missing = self.missing_tables(source, period)
        if missing:
            raise PeriodIncomplete(
                f"{source} {period} is incomplete in {self.location}: waiting for {', '.join(missing)}"
            )
        return self.files(source, period)

    @property
    def is_local(self) -> bool:
        protocol = self.fs.protocol
        return protocol in ("file", "local") or "file" in (protocol or ())

    def _check_inside(self, path: str) -> None:
        if self.is_local:
            check_inside(Path(path), Path(self.root))

    def check(self, path: str, limits: InputBounds) -> None:
        """Refuse (InputRefused) a file leading out of the inbox, or over the size bound by its size
        from the file system or the store's listing: nothing of it is read."""
        self._check_inside(path)
        check_size(int(self.fs.size(path)), limits.file_bytes, limits.setting("file_bytes"))

    @contextlib.contextmanager
    def open(self, path: str) -> Iterator[BinaryIO]:
        """A file of the inbox opened for streaming (never read whole here)."""
        self._check_inside(path)
        with self.fs.open(path, "rb") as handle:
            yield handle

    @contextlib.contextmanager
    def local_copy(self, file: InboxFile) -> Iterator[Path]:
        """A local path to read the file from; object-store files are fetched to a temporary folder."""
        with self.local_path(file.path, file.name) as path:
            yield path

    @contextlib.contextmanager
    def local_path(self, path: str, name: str) -> Iterator[Path]:
        """A local path to read a file or folder of the inbox from; on an object store it is fetched
        (a folder with everything in it) to a temporary folder, as `name`."""
        if self.is_local:
            self._check_inside(path)
            if Path(path).is_dir():
                for inner in Path(path).rglob("*"):
                    self._check_inside(str(inner))
            yield Path(path)
            return
        with tempfile.TemporaryDirectory(prefix="sendboard-fetch-") as tmp:
            target = Path(tmp) / name
            if self.fs.isdir(path):
                self.fs.get(path, str(target), recursive=True)
            else:
                with self.fs.open(path, "rb") as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            yield target
