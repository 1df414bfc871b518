"""Sentence segmentation, figure normalization and the claim detector."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.enums import ClaimKind, NotClaimKind
from tracker.extraction.detector import (
    checkworthiness,
    detect_claims,
    is_boilerplate,
    label_sentences,
)
from tracker.extraction.evidence import evidence_spec, spec_from_text
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


def _spec(sentence: str, anchor: str, *others: str, title: str | None = None) -> str:
    start = sentence.index(anchor)
    spans = [(sentence.index(o), sentence.index(o) + len(o)) for o in others]
    return evidence_spec(
        sentence, (start, start + len(anchor)), others=spans, title=title
    ).summary()


def test_evidence_is_figures_quotes_and_names_never_the_anchor_alone() -> None:
    sentence = 'It is losing the "race of logistics" and only has 5% of the air defenses needed.'
    assert _spec(sentence, "only has 5% of the air defenses needed", "race of logistics") == "5%"
    assert _spec(sentence, "race of logistics", "only has 5% of the air defenses needed") == (
        "“race of logistics”"
    )
    poll = "A survey over the summer showed that 69% of Poles are opposed to sending troops."
    assert _spec(poll, "69% of Poles").startswith("69% · Poles")
    threat = (
        'He even threatened that "I would encourage [Russia] to do whatever the hell they want."'
    )
    assert _spec(threat, "threatened") == (
        "“I would encourage” · “to do whatever the hell they want”"
    )
    # Generic anchor words are not evidence; the clause's terms are.
    vague = "Even though most now meet that target, they might still fear more strings."
    assert "most" not in _spec(vague, "most now", "meet").split(" · ")
    # The citing article's own headline, quoted for another link, is never this link's evidence.
    headline = "The Clock Is Ticking For Russia"
    cited = (
        f'It was assessed that "{headline}" after the Wall Street Journal reported a plan by Trump.'
    )
    wsj = _spec(cited, "Wall Street Journal", headline, title=headline)
    assert headline not in wsj
    assert "Trump" in wsj.split(" · ")


def test_a_clause_pointing_back_at_a_quantity_takes_its_figure() -> None:
    context = "Members must spend at least 2% of their GDP on defense. He said so twice."
    sentence = "Even though most now meet that target, they might still fear him."
    spec = evidence_spec(sentence, (12, 20), context=context)
    assert [f["text"] for f in spec.figures] == ["2%"]
    assert not evidence_spec(sentence, (12, 20)).figures


def test_nothing_concrete_means_nothing_to_match() -> None:
    assert evidence_spec("it is so.", (0, 2)).empty
    assert spec_from_text("69 per cent").figures[0]["value"] == 69.0
    assert spec_from_text("the plan was approved").quotes == ("the plan was approved",)


def test_sentences_get_kinds_and_reasons() -> None:
    text = (
        "Will the council ever approve it? The mayor might resign next year if it fails. "
        "Unemployment fell to 3.9 percent last year, the lowest rate since 2000."
    )
    kinds = {item.sentence.text[:12]: item.kind for item in label_sentences(text)}
    assert kinds["Will the cou"] == NotClaimKind.QUESTION
    assert kinds["The mayor mi"] == NotClaimKind.SPECULATION
    assert kinds["Unemployment"] == ClaimKind.STATISTIC


def test_a_cited_unhedged_clause_is_a_claim() -> None:
    text = "Even though most members now meet that target, they might still fear the worst."
    start = text.index("most")
    assert detect_claims(text, cited=[start])
    hedged = "Israel and Iran might be plotting precisely this scenario in advance."
    assert not detect_claims(hedged, cited=[0])


def test_shipped_weights_state_their_provenance() -> None:
    model = shipped_model()
    assert "ClaimBuster" in model.meta["provenance"]
    assert "GPL-3.0" in model.meta["license"]
    assert "cross_validated" in model.meta
    assert 0 < len(model.weights) <= 20000
    assert 0.2 < model.threshold < 0.8


def test_numbered_labels_are_not_figures() -> None:
    figures = find_figures("Article 5 and Section 230 matter to 40 members spending 2%.")
    assert [f.text for f in figures] == ["40", "2%"]
