"""Site notices that are never article text: share, follow, membership, copyright, disclaimers.

Used on whole paragraphs (plain-text articles and site scrapers), where a match is a notice
with no claim in it; the claim detector applies its own, sentence-level filter as well.
"""

from __future__ import annotations

import re

NOTICE = re.compile(
    r"click the share button|share (?:this article|widely)|feel free to repost|"
    r"\bfollow (?:us|him|her|them) on\b|^follow [\w .]{1,60} on\b|"
    r"^(?:sign up|subscribe) (?:to|for)\b|"
    r"^related (?:posts?|stories|articles?|reading)?\s*:|"
    r"originally published on|click here for more|republished from|reprinted (?:with|by|from)|"
    r"read the original article|under a creative commons licen[cs]e|"
    r"subscribe to (?:our|my|the)|become a (?:member|paid subscriber|subscriber)|"
    r"copyright ©|© \d{4}|all rights reserved|original source of this article|"
    r"originally published (?:on|at|by)|^disclaimer\b|featured image is|comment on .{0,40}articles|"
    r"media inquiries|don'?t miss out|contains copyrighted material|thanks for reading|"
    r"leave a comment|is a (?:regular|frequent) contributor to|^about the author|"
    r"upgrade to paid|^\W*(?:share|subscribe|like|comment|restack)\W*$",
    re.IGNORECASE,
)
MAX_NOTICE_WORDS = 150


def is_notice(paragraph: str) -> bool:
    return len(paragraph.split()) <= MAX_NOTICE_WORDS and bool(NOTICE.search(paragraph))


def is_separator(paragraph: str) -> bool:
    """Lines such as ``*`` or ``---`` that only separate sections."""
    return not any(char.isalnum() for char in paragraph)
