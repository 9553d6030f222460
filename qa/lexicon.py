"""Nouns that say a phrase is a person or a body of people.

spaCy's entities miss most descriptions ("the ambassador", "the historian", "the ministry") and
its pipeline has no noun meanings, so the follow-up resolution (qa/mentions.py) uses these
closed lists: a title makes a phrase a person for "he"/"she" and a title reference ("the
minister"); a group noun makes a common noun a group for "they"; a kind noun after "which" or
"what" says which entities the question asks about ("Which country signed …?": a GPE).
Also how the follow-up resolution and the role check compare words: `words` of a text, and
`same_name` for two spellings of one name; and where a news dateline ends (`dateline_end`).
"""

import re

TITLES = {
    "adviser", "advisor", "ambassador", "author", "bishop", "chairman", "chancellor", "chief",
    "commander", "councillor", "diplomat", "director", "duke", "emperor", "envoy", "general",
    "governor", "khan", "king", "leader", "mayor", "minister", "monarch", "official", "pope",
    "premier", "president", "prince", "princess", "queen", "secretary", "senator", "spokesman",
    "spokeswoman", "sultan", "writer", "founder", "inventor", "scientist", "professor", "man",
    "woman", "player", "coach", "ruler", "physician", "explorer", "architect", "engineer",
    "historian", "philosopher", "poet", "novelist", "painter", "composer", "economist",
    "journalist", "reporter", "lawyer", "judge", "soldier", "priest", "monk", "abbot", "artist",
    "actor", "actress", "singer", "politician", "statesman", "mathematician", "physicist",
    "chemist", "biologist", "astronomer", "theologian", "earl", "lord", "lady", "baron",
    "emir", "tsar", "czar", "pharaoh", "captain", "admiral", "officer", "commissioner",
    "prosecutor", "activist", "researcher", "designer", "entrepreneur", "businessman", "owner",
    "manager", "student", "teacher", "doctor", "vassal", "knight", "hostage",
}  # fmt: skip
GROUP_NOUNS = {
    "ministry", "government", "administration", "company", "army", "council", "committee",
    "court", "party", "team", "university", "parliament", "congress", "senate", "agency",
    "department", "office", "police", "military", "navy", "union", "board", "group", "firm",
    "church", "state", "country", "nation", "colony", "tribe", "family", "band", "club",
    "league", "institute", "laboratory", "corporation", "society", "association", "foundation",
    "brotherhood", "school", "college", "bank", "organisation", "organization", "movement",
}  # fmt: skip
KIND_LABELS = {
    "country": "GPE", "nation": "GPE", "state": "GPE", "city": "GPE", "town": "GPE",
    "capital": "GPE", "province": "GPE", "company": "ORG", "organisation": "ORG",
    "organization": "ORG", "agency": "ORG", "party": "ORG", "university": "ORG",
    "newspaper": "ORG", "person": "PERSON", "nationality": "NORP", "group": "NORP",
}  # fmt: skip


def words(text: str) -> set[str]:
    """The lower-cased words of a text; a hyphenated name ("Hong-kyun") is one word."""
    return {w.lower() for w in re.findall(r"[\w-]+", text)}


def same_name(a: str, b: str) -> bool:
    """Two lower-cased words that name one thing: equal, or one starts the other and both have
    four letters or more ("russia" and "russian", "korea" and "korean")."""
    return a == b or (len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a)))


# "SEOUL —", "WASHINGTON, June 21 (Reuters) -": where a story was filed. It names no one who
# acts and supports nothing a reply says ("SEOUL" for "Which news agency's witness …?").
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z.'’\-]+(?: [A-Z][\w.'’\-]*){0,3}"  # SEOUL, U.S., CNN Business, NEW YORK
    r"(?:,[^—–\n]{0,40}?)?\s*(?:\([^)\n]{0,20}\))?"  # , June 21  (Reuters)
    r"\s*(?:[—–]|--?(?=\s|$))\s*"  # a dash; a hyphen only standing alone ("NETWORK-Wisconsin")
)


def dateline_end(sentence: str) -> int:
    """The offset just after the dateline that opens `sentence` (0 when it opens with none)."""
    found = _DATELINE.match(sentence)
    return found.end() if found else 0
