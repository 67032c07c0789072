"""Turning a sentence into search terms: normalise, split, drop filler words, stem.

Dutch and English are both handled in one pass: every word yields its Dutch and its English
stem, so a question is understood whatever language it is typed in (the Teams locale only picks
the language of the answer).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9€]+")

# Words that carry no topic. Kept short on purpose: question words such as "mag" or "lenen"
# stay, because they tell the topic apart ("mag ik ... lenen" is about company property).
STOPWORDS: frozenset[str] = frozenset(
    """
    de het een en of maar dan dat die dit deze ik je jij u we wij ze zij hij haar hem zijn ben
    is was waren wordt worden word er te ter in op aan van voor met bij naar om uit over tot
    als door wat hoe wie waar wanneer welke waarom nog ook al wel niet geen zo heel erg iets
    mij me mijn jouw onze ons hun mn m'n mag moet kan kun kunnen mogen moeten zou zouden
    heb hebt heeft hebben had nu even toch eigenlijk gewoon graag hier daar dus want
    the a an and or but then that this these those i you he she it we they me my your our
    their his her its is am are was were be been being to of in on at for with by from about
    as what how who where when which why do does did can could may might must should would
    have has had not no any some so very just please there here if into time
    """.split()
)


def normalise(text: str) -> str:
    """Lower case, accents removed ("privé" -> "prive"), apostrophes dropped."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("'", "").replace("’", "")


def words(text: str) -> list[str]:
    """The words of a text after normalising, filler words included."""
    return _WORD.findall(normalise(text))


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


def stems(word: str) -> frozenset[str]:
    """The Dutch and the English stem of one word (often the same). Deliberately not cached:
    the words people type are not kept, not even in memory."""
    return frozenset({_stemmer("dutch").stemWord(word), _stemmer("english").stemWord(word)})


def content_words(text: str) -> list[str]:
    """The words of a text that can carry a topic."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


def terms(text: str) -> list[frozenset[str]]:
    """One set of stems per content word, in order."""
    return [stems(w) for w in content_words(text)]


# Format characters that change how text reads without being seen: bidi embeddings, overrides
# and isolates, zero-width spaces and joiners, the word joiner and the byte-order mark.
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_LINE_BREAKS = {"\u2028": "\n", "\u2029": "\n", "\r\n": "\n", "\r": "\n"}


def clean_typed(value: str) -> str:
    """What a person typed, safe to store and show: control characters (C0 and C1) other than
    line breaks and tabs, bidi overrides and zero-width characters removed ("Leverancier
    \u202egnp.exe" can no longer show as "exe.png"); line and paragraph separators become line
    breaks; trimmed."""
    for old, new in _LINE_BREAKS.items():
        value = value.replace(old, new)
    kept = (
        c
        for c in value
        if c in "\n\t"
        or (c not in _INVISIBLE and unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    )
    return "".join(kept).strip()
