"""Importing external ratings: validation of the whole file first, then all-or-nothing storage."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.credibility.imports import Scale, parse_ratings, parse_scale, store_ratings
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.models import ExternalRating, RatingSet, Source


def parse(text: str | bytes, scale: str = "0:10", **columns: str) -> list[tuple[int, str, float]]:
    data = text.encode() if isinstance(text, str) else text
    parsed = parse_ratings(
        data,
        file_name="r.csv",
        domain_column=columns.get("domain", "domain"),
        score_column=columns.get("score", "score"),
        scale=parse_scale(scale),
    )
    return [(rating.line, rating.domain, rating.score) for rating in parsed.ratings]


@pytest.mark.parametrize(
    ("text", "low", "high"), [("0:1", 0, 1), ("-1:1", -1, 1), ("1:5", 1, 5), (" 0 : 100 ", 0, 100)]
)
def test_scales(text: str, low: float, high: float) -> None:
    assert parse_scale(text) == Scale(low, high)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5:1", "MIN must be less than MAX"),
        ("1:1", "MIN must be less than MAX"),
        ("a:b", "expected MIN:MAX"),
        ("10", "expected MIN:MAX"),
        ("", "expected MIN:MAX"),
        ("0:inf", "finite"),
        ("nan:1", "finite"),
    ],
)
def test_bad_scales(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_scale(text)


def test_a_good_file_is_normalized() -> None:
    text = (
        "\ufeffsite,Rating,comment\r\n"
        "https://news.BBC.co.uk/world,8.5,public broadcaster\r\n"
        "\r\n"
        ' www.example.com.au , 0 ,"multi\nline comment"\r\n'
        "bücher.de,10,\r\n"
    )
    assert parse(text, domain="site", score="rating") == [
        (2, "bbc.co.uk", 0.85),
        (4, "example.com.au", 0.0),
        (6, "xn--bcher-kva.de", 1.0),
    ]


def test_missing_columns_are_named() -> None:
    with pytest.raises(InvalidInput, match=r"no score column 'score' \(header: 'domain', 'rat"):
        parse("domain,rating\nbbc.co.uk,3\n")
    with pytest.raises(InvalidInput, match=r"no domain column 'site'.*name the domain column"):
        parse("domain,score\nbbc.co.uk,3\n", domain="site")
    with pytest.raises(InvalidInput, match="appears more than once"):
        parse("Score,domain,score \nbbc.co.uk,3,4\n", score="SCORE")


def test_duplicate_registrable_domains_are_reported() -> None:
    text = "domain,score\nwww.bbc.co.uk,1\nexample.org,2\nnews.bbc.co.uk,3\n"
    with pytest.raises(InvalidInput) as caught:
        parse(text)
    assert str(caught.value) == (
        "r.csv: 1 bad row, nothing imported: line 4: duplicate domain bbc.co.uk (already on line 2)"
    )


def test_non_utf8_files_are_refused() -> None:
    data = "domain,score\nexample.org,1\ncafé.fr,2\n".encode("latin-1")
    with pytest.raises(InvalidInput, match=r"not UTF-8 text \(byte 0xe9 on line 3\)"):
        parse(data)


def test_malformed_rows_are_reported_by_line() -> None:
    text = (
        "domain,score\n"
        "ok.org,5\n"
        "short.org\n"  # 3: missing field
        "nan.org,abc\n"  # 4
        "big.org,11\n"  # 5: outside 0..10
        "co.uk,1\n"  # 6: a public suffix
        "empty.org,\n"  # 7
        "neg.org,-1\n"  # 8
        "inf.org,inf\n"  # 9
    )
    with pytest.raises(InvalidInput) as caught:
        parse(text)
    message = str(caught.value)
    assert message.startswith("r.csv: 7 bad rows, nothing imported: line 3: expected 2 fields")
    assert "line 4: score 'abc' is not a number" in message
    assert "line 5: score 11 is outside the scale 0..10" in message
    assert "line 6: domain 'co.uk': co.uk is a public suffix" in message
    assert "line 7: no score for empty.org" in message
    assert message.endswith("; and 2 more")
    assert "line 8" not in message


def test_broken_csv_and_empty_files() -> None:
    with pytest.raises(InvalidInput, match="line 3: malformed CSV"):
        parse('domain,score\nok.org,1\nbad.org,"1"x\n')
    with pytest.raises(InvalidInput, match=r"r\.csv is empty"):
        parse("")
    with pytest.raises(InvalidInput, match=r"header \(line 1\) but no rating rows"):
        parse("domain,score\n\n")


def _store(database: Database, name: str, text: str, scale: str = "0:10") -> None:
    parsed = parse_ratings(
        text.encode(),
        file_name=f"{name}.csv",
        domain_column="domain",
        score_column="score",
        scale=parse_scale(scale),
    )
    with database.transaction() as session:
        store_ratings(session, parsed, name)


def _ratings(database: Database) -> dict[tuple[str, str], tuple[float, float]]:
    with database.reading() as session:
        rows = session.execute(
            select(RatingSet.name, Source.domain, ExternalRating.score, ExternalRating.raw_score)
            .join(RatingSet, ExternalRating.rating_set_id == RatingSet.id)
            .join(Source, ExternalRating.source_id == Source.id)
        )
        return {(name, domain): (score, raw) for name, domain, score, raw in rows}


def test_reimport_replaces_only_its_set(database: Database) -> None:
    _store(database, "alpha", "domain,score\na.org,2\nb.org,4\nc.org,6\n")
    _store(database, "beta", "domain,score\na.org,1\nd.org,-1\n", scale="-1:1")
    with database.transaction() as session:
        parsed = parse_ratings(
            b"domain,score\nb.org,10\ne.org,0\n",
            file_name="alpha-v2.csv",
            domain_column="domain",
            score_column="score",
            scale=parse_scale("0:10"),
        )
        result = store_ratings(session, parsed, " alpha ")
    assert result.to_dict() == {"name": "alpha", "rows": 2, "new_sources": 1, "replaced_rows": 3}
    assert _ratings(database) == {
        ("alpha", "b.org"): (1.0, 10.0),
        ("alpha", "e.org"): (0.0, 0.0),
        ("beta", "a.org"): (1.0, 1.0),
        ("beta", "d.org"): (0.0, -1.0),
    }
    with database.reading() as session:
        sets = {
            s.name: (s.file_name, s.row_count, s.scale_min)
            for s in session.scalars(select(RatingSet))
        }
        sources = session.scalar(select(func.count()).select_from(Source))
    assert sets == {"alpha": ("alpha-v2.csv", 2, 0.0), "beta": ("beta.csv", 2, -1.0)}
    assert sources == 5  # a.org .. e.org: replaced ratings leave their domains in place


def test_large_imports_span_chunks(database: Database) -> None:
    rows = "".join(f"site{n}.org,{n % 11}\n" for n in range(1_200))
    _store(database, "big", "domain,score\n" + rows)
    ratings = _ratings(database)
    assert len(ratings) == 1_200
    assert ratings[("big", "site17.org")] == (pytest.approx(0.6), 6.0)


def test_a_failed_store_leaves_nothing(database: Database) -> None:
    _store(database, "alpha", "domain,score\na.org,2\n")
    parsed = parse_ratings(
        b"domain,score\nnew.org,3\n",
        file_name="x.csv",
        domain_column="domain",
        score_column="score",
        scale=parse_scale("0:10"),
    )

    def crash_after_the_writes() -> None:
        with database.transaction() as session:
            store_ratings(session, parsed, "alpha")
            assert session.scalar(select(func.count()).select_from(Source)) == 2
            raise RuntimeError("crash after the writes")

    with pytest.raises(RuntimeError):
        crash_after_the_writes()
    assert _ratings(database) == {("alpha", "a.org"): (0.2, 2.0)}
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Source)) == 1


def test_set_names_are_required(database: Database) -> None:
    parsed = parse_ratings(
        b"domain,score\na.org,1\n",
        file_name="x.csv",
        domain_column="domain",
        score_column="score",
        scale=parse_scale("0:1"),
    )
    with database.transaction() as session, pytest.raises(InvalidInput, match="needs a name"):
        store_ratings(session, parsed, "  ")
