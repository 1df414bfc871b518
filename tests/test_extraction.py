"""Sentence segmentation, figure normalization and the claim detector."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.enums import ClaimKind
from tracker.extraction.detector import (
    checkworthiness,
    detect_claims,
    evidence_for,
    is_boilerplate,
)
from tracker.extraction.figures import find_figures
from tracker.extraction.model import shipped_model
from tracker.extraction.sentences import split_sentences


def test_sentences_keep_abbreviations_decimals_and_quotes_together() -> None:
    text = (
        'Dr. Smith paid $3.5 million in Jan. 2020 to the U.S. Treasury. "It was 69%," he '
        "said.\n\nA new paragraph starts here."
    )
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Dr. Smith paid $3.5 million in Jan. 2020 to the U.S. Treasury.",
        '"It was 69%," he said.',
        "A new paragraph starts here.",
    ]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text


@settings(deadline=None)  # pysbd compiles its rules on first use
@given(st.lists(st.sampled_from(["Alpha beta.", "Gamma 3.5 delta!", "Eps?"]), min_size=1))
def test_sentence_offsets_always_point_into_the_text(parts: list[str]) -> None:
    text = " ".join(parts)
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text


def test_figures_are_normalized() -> None:
    found = {f.text: (f.kind, f.value, f.unit) for f in find_figures(
        "69% of Poles, two percent, 12 per cent, $3.5 million, 20 billion euros, "
        "700,000 jobs in 2020"
    )}  # fmt: skip
    assert found == {
        "69%": ("percent", 69.0, "%"),
        "two percent": ("percent", 2.0, "%"),
        "12 per cent": ("percent", 12.0, "%"),
        "$3.5 million": ("money", 3_500_000.0, "USD"),
        "20 billion euros": ("money", 20_000_000_000.0, "EUR"),
        "700,000": ("number", 700_000.0, None),
        "2020": ("year", 2020.0, None),
    }


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["%", " percent", " per cent"]))
def test_any_percentage_is_found_with_its_value(number: int, suffix: str) -> None:
    figures = find_figures(f"About {number:,}{suffix} of them agreed.")
    assert [(f.kind, f.value) for f in figures] == [("percent", float(number))]


def test_detector_scores_statistics_above_opinions() -> None:
    statistic = "Unemployment fell to 3.9 percent last year, the lowest rate since 2000."
    opinion = "I think we should all be a little kinder to each other."
    assert checkworthiness(statistic) >= 0.5 > checkworthiness(opinion)


def test_boilerplate_and_headings_are_never_claims() -> None:
    assert is_boilerplate("Copyright © Andrew Korybko, Global Research, 2024 with 100% rights.")
    text = (
        "3. Trump's Prior Rhetoric About Article 5 Doesn't Inspire Confidence\n\n"
        "Become a Member of Global Research and get 50% off.\n\n"
        "He declared that the US won't protect members that spent less than 2% of GDP."
    )
    claims = detect_claims(text)
    assert [claim.text for claim in claims] == [
        "He declared that the US won't protect members that spent less than 2% of GDP."
    ]
    assert claims[0].kind == ClaimKind.STATISTIC
    assert claims[0].figures[0]["text"] == "2%"


def test_evidence_is_the_figure_or_the_quoted_anchor() -> None:
    sentence = 'It is losing the "race of logistics" and only has 5% of the air defenses needed.'
    assert evidence_for(sentence, "only has 5% of the air defenses needed") == "5%"
    assert evidence_for(sentence, "race of logistics") == "race of logistics"
    assert evidence_for("Spending rose 2% after he spoke.", "spoke") == "2%"
    assert evidence_for("Nothing measurable here.", " here ") == "here"


def test_shipped_weights_state_their_provenance() -> None:
    model = shipped_model()
    assert "ClaimBuster" in model.meta["provenance"]
    assert "GPL-3.0" in model.meta["license"]
    assert "cross_validated" in model.meta
    assert 0 < len(model.weights) <= 5000


def test_numbered_labels_are_not_figures() -> None:
    figures = find_figures("Article 5 and Section 230 matter to 40 members spending 2%.")
    assert [f.text for f in figures] == ["40", "2%"]
