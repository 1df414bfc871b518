"""Exports: the chosen captures as one WARC file, or as a WACZ package built by ``wacz``.

A WARC export is the captures' records copied byte for byte (each a gzip member) after a
``warcinfo`` record; a revisit brings the record holding its payload along, so every
exported capture replays. A WACZ is made from that WARC by the ``wacz`` package (index,
pages, datapackage with hashes), the format ReplayWeb.page and pywb open.
"""

from __future__ import annotations

import contextlib
import gc
import io
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path

from tracker.captures.warcs import WarcStore
from tracker.errors import InvalidInput

FORMATS = ("warc", "wacz")


def write_warc(folder: Path, pieces: Iterable[tuple[str, int, int]], output: Path) -> int:
    """Copy the records at ``pieces`` ((file, offset, length)) into ``output``; records written."""
    count = 0
    info = WarcStore(folder, file_bytes=1)
    with output.open("wb") as out:
        out.write(info.member(info.warcinfo(output.name)))
        for warc_file, offset, length in pieces:
            with (folder / warc_file).open("rb") as stream:
                stream.seek(offset)
                out.write(stream.read(length))
            count += 1
    return count


def write_wacz(warc: Path, output: Path) -> None:
    """Package ``warc`` as the WACZ ``output`` with the ``wacz`` package."""
    from wacz.main import main as wacz_main

    with contextlib.redirect_stdout(io.StringIO()) as said:
        status = wacz_main(["create", "-o", str(output), str(warc), "--detect-pages"])
    if status:
        raise InvalidInput(f"the WACZ could not be made: {said.getvalue().strip()[-200:]}")


def validate_wacz(path: Path) -> bool:
    """The ``wacz`` package's own validation of a package.

    Its validator (frictionless) leaves files for the garbage collector to close: they are
    collected here, their warnings silenced, rather than reported later at random.
    """
    from wacz.main import main as wacz_main

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        with contextlib.redirect_stdout(io.StringIO()):
            valid = wacz_main(["validate", "-f", str(path)]) == 0
        gc.collect()
    return bool(valid)


def export(
    folder: Path, pieces: list[tuple[str, int, int]], output: Path, fmt: str
) -> tuple[int, int]:
    """Write ``pieces`` as ``fmt`` to ``output`` (replaced whole); (records, bytes)."""
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown export format {fmt!r} (warc or wacz)")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent) as scratch:
        warc = Path(scratch) / (output.stem + ".warc.gz")
        records = write_warc(folder, pieces, warc)
        made = warc
        if fmt == "wacz":
            made = Path(scratch) / "export.wacz"
            write_wacz(warc, made)
        made.replace(output)
    return records, output.stat().st_size
