"""Importing external domain ratings from CSV: validated whole, stored all or nothing.

A file is parsed completely before anything is written: every malformed row is reported by
its line number (the first few in the error, with a count of the rest), and one bad row
rejects the file. Storing replaces the rows of the named rating set only, in the caller's
transaction, so a failed import leaves the previous version of the set in place.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from tracker.credibility.domains import domain_of
from tracker.credibility.sources import chunks, ensure_sources
from tracker.errors import InvalidInput
from tracker.models import ExternalRating, RatingSet, Source, utcnow
from tracker.urls import InvalidURL

ERRORS_SHOWN = 5
NAME_MAX = 200


@dataclass(frozen=True)
class Scale:
    low: float
    high: float

    def normalize(self, raw: float) -> float:
        return (raw - self.low) / (self.high - self.low)

    def __str__(self) -> str:
        return f"{self.low:g}..{self.high:g}"


def parse_scale(text: str) -> Scale:
    """``MIN:MAX`` (e.g. ``0:100``, ``-1:1``) with MIN < MAX, both finite numbers."""
    low_text, _sep, high_text = text.partition(":")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise InvalidInput(f"invalid scale {text!r}: expected MIN:MAX, e.g. 0:1 or 0:100") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise InvalidInput(f"invalid scale {text!r}: MIN and MAX must be finite numbers")
    if low >= high:
        raise InvalidInput(f"invalid scale {text!r}: MIN must be less than MAX")
    return Scale(low, high)


@dataclass(frozen=True)
class ParsedRating:
    line: int
    domain: str
    raw_score: float
    score: float


@dataclass(frozen=True)
class ParsedRatings:
    file_name: str
    scale: Scale
    ratings: list[ParsedRating]


def parse_ratings(
    data: bytes, *, file_name: str, domain_column: str, score_column: str, scale: Scale
) -> ParsedRatings:
    """Validate CSV bytes (UTF-8, header row) into normalized ratings, or raise InvalidInput."""
    text = _decode(data, file_name)
    rows = _rows(text, file_name)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise InvalidInput(f"{file_name} is empty: expected a header row") from None
    columns = [name.strip() for name in header]
    domain_index = _column(columns, domain_column, "domain", file_name)
    score_index = _column(columns, score_column, "score", file_name)

    errors: list[str] = []
    ratings: list[ParsedRating] = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        if len(row) != len(columns):
            errors.append(f"line {line}: expected {len(columns)} fields, found {len(row)}")
            continue
        try:
            rating = _rating(line, row[domain_index], row[score_index], scale)
        except InvalidInput as exc:
            errors.append(str(exc))
            continue
        if rating.domain in first_line:
            errors.append(
                f"line {line}: duplicate domain {rating.domain} "
                f"(already on line {first_line[rating.domain]})"
            )
            continue
        first_line[rating.domain] = line
        ratings.append(rating)
    if errors:
        raise InvalidInput(_summarize(file_name, errors))
    if not ratings:
        raise InvalidInput(f"{file_name} has a header (line {header_line}) but no rating rows")
    return ParsedRatings(file_name, scale, ratings)


def _decode(data: bytes, file_name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            f"{file_name} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}): "
            "save it as UTF-8 and import again"
        ) from None


def _rows(text: str, file_name: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, fields), skipping blank lines; csv errors as InvalidInput."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            where = f"{file_name}: line {reader.line_num}"
            raise InvalidInput(f"{where}: malformed CSV: {exc}") from None
        line, start = start, reader.line_num + 1
        if row and any(field.strip() for field in row):
            yield line, row


def _column(columns: list[str], wanted: str, role: str, file_name: str) -> int:
    """The index of ``wanted`` in the header: exact match, else a unique case-insensitive one."""
    if columns.count(wanted) == 1:
        return columns.index(wanted)
    folded = [index for index, name in enumerate(columns) if name.casefold() == wanted.casefold()]
    if len(folded) == 1 and columns.count(wanted) == 0:
        return folded[0]
    shown = ", ".join(repr(name) for name in columns)
    if folded:
        raise InvalidInput(f"{file_name}: column {wanted!r} appears more than once in the header")
    raise InvalidInput(
        f"{file_name} has no {role} column {wanted!r} (header: {shown}): name the {role} column"
    )


def _rating(line: int, domain_text: str, score_text: str, scale: Scale) -> ParsedRating:
    try:
        domain = domain_of(domain_text)
    except InvalidURL as exc:
        raise InvalidInput(f"line {line}: domain {domain_text.strip()!r}: {exc}") from None
    value = score_text.strip()
    if not value:
        raise InvalidInput(f"line {line}: no score for {domain}")
    try:
        raw = float(value)
    except ValueError:
        raw = math.nan
    if not math.isfinite(raw):
        raise InvalidInput(f"line {line}: score {value[:40]!r} is not a number")
    if not scale.low <= raw <= scale.high:
        raise InvalidInput(f"line {line}: score {raw:g} is outside the scale {scale}")
    return ParsedRating(line, domain, raw, scale.normalize(raw))


def _summarize(file_name: str, errors: list[str]) -> str:
    shown = "; ".join(errors[:ERRORS_SHOWN])
    more = len(errors) - ERRORS_SHOWN
    suffix = f"; and {more} more" if more > 0 else ""
    noun = "row" if len(errors) == 1 else "rows"
    return f"{file_name}: {len(errors)} bad {noun}, nothing imported: {shown}{suffix}"


@dataclass(frozen=True)
class ImportResult:
    name: str
    rows: int
    new_sources: int
    replaced_rows: int | None  # rows of the previous import of this name; None if new

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "rows": self.rows,
            "new_sources": self.new_sources,
            "replaced_rows": self.replaced_rows,
        }


def store_ratings(session: Session, parsed: ParsedRatings, name: str) -> ImportResult:
    """Replace the rating set ``name`` with ``parsed``, in the caller's transaction."""
    label = name.strip()
    if not label:
        raise InvalidInput("a rating set needs a name")
    if len(label) > NAME_MAX:
        raise InvalidInput(f"rating set names are at most {NAME_MAX} characters")
    rating_set = session.scalar(select(RatingSet).where(RatingSet.name == label))
    replaced = None
    now = utcnow()
    if rating_set is None:
        rating_set = RatingSet(name=label, imported_at=now, scale_min=0.0, scale_max=1.0)
        session.add(rating_set)
    else:
        replaced = rating_set.row_count
        session.execute(delete(ExternalRating).where(ExternalRating.rating_set_id == rating_set.id))
    rating_set.file_name = parsed.file_name
    rating_set.scale_min = parsed.scale.low
    rating_set.scale_max = parsed.scale.high
    rating_set.row_count = len(parsed.ratings)
    rating_set.imported_at = now
    session.flush()

    before = session.scalar(select(func.count()).select_from(Source)) or 0
    source_ids = ensure_sources(session, [rating.domain for rating in parsed.ratings])
    after = session.scalar(select(func.count()).select_from(Source)) or 0
    rows = [
        {
            "rating_set_id": rating_set.id,
            "source_id": source_ids[rating.domain],
            "score": rating.score,
            "raw_score": rating.raw_score,
        }
        for rating in parsed.ratings
    ]
    for chunk in chunks(rows):
        session.execute(insert(ExternalRating), chunk)
    return ImportResult(label, len(rows), after - before, replaced)
