"""The lexical leg: BM25 (bm25s) over the chunk texts, with English stemming and stop words.

It catches exact terms the embedding model blurs ("AAOS", "73%", "clamshells").
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer

from .models import Chunk

_STEMMER = Stemmer.Stemmer("english")


# bm25s's English stop words (Lucene's 33) plus the words a question is made of: "what does it feel like" should
# match on "feel", not on the "what" in "understanding what might contribute".
STOP_WORDS = sorted(set(bm25s.stopwords.STOPWORDS_EN) | {
    "what", "whats", "how", "hows", "why", "when", "where", "which", "who", "whom", "whose", "do", "does", "did",
    "doing", "done", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "am", "i", "im",
    "ive", "id", "me", "my", "mine", "myself", "you", "your", "yours", "we", "us", "our", "he", "she", "his", "her",
    "its", "those", "been", "being", "have", "has", "had", "having", "get", "got", "just", "really", "also", "so",
    "some", "any", "very", "about", "dont", "doesnt", "isnt", "cant", "anything", "something", "thing", "things"})


STOP_STEMS = frozenset(_STEMMER.stemWords(STOP_WORDS))  # "gets" is not a stop word, but its stem "get" is one


_WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s.tokenize's (and scikit-learn's) token pattern
_STOP_SET = frozenset(STOP_WORDS)


def tokenize(texts: list[str]) -> list[list[str]]:
    """Each text's stemmed terms, stop words out: what `bm25s.tokenize(texts, stopwords=STOP_WORDS,
    stemmer=…, return_ids=False)` gives (lower-cased words of two characters or more, stop words dropped, each
    stemmed alone), minus the stems of stop words. A question is tokenized by several steps of one answer
    (retrieval, the decline evidence, composing), so each text's terms are kept (`_terms`); a caller gets its
    own list."""
    return [list(_terms(text)) for text in texts]


@lru_cache(maxsize=4096)
def _terms(text: str) -> tuple[str, ...]:
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP_SET]
    return tuple(t for t in _STEMMER.stemWords(words) if t not in STOP_STEMS)


class LexicalIndex:
    def __init__(self, chunks: tuple[Chunk, ...]):
        self.ids = [c.id for c in chunks]
        tokens = tokenize([c.embedding_text for c in chunks])
        self.terms = {cid: set(t) for cid, t in zip(self.ids, tokens)}
        self._df: dict[str, int] = {}
        for terms in self.terms.values():
            for term in terms:
                self._df[term] = self._df.get(term, 0) + 1
        self._bm25 = bm25s.BM25()
        self._bm25.index(tokens, show_progress=False)
        flat = [(c.id, s.text) for c in chunks for s in c.sentences]
        self.sentence_terms: dict[str, list[set[str]]] = {}
        for (cid, _), terms in zip(flat, tokenize([text for _, text in flat])):
            self.sentence_terms.setdefault(cid, []).append(set(terms))

    def overlap(self, query_terms: set[str], terms: set[str]) -> float:
        """The share of the query's IDF weight that a piece of text contains (0 to 1)."""
        total = sum(self.idf(t) for t in query_terms)
        return sum(self.idf(t) for t in query_terms if t in terms) / total if total else 0.0

    def idf(self, term: str) -> float:
        """Rarity of a term in the corpus; a term the article never uses weighs like its rarest word."""
        return math.log((len(self.ids) + 1) / (max(self._df.get(term, 0), 1) + 0.5))

    def in_corpus(self, term: str) -> bool:
        return term in self._df

    def scores(self, query: str) -> dict[str, float]:
        """BM25 score of every chunk for the query (0 where no query term matches)."""
        tokens = tokenize([query])[0]
        if not tokens:
            return dict.fromkeys(self.ids, 0.0)
        values = np.asarray(self._bm25.get_scores(tokens), dtype=float)
        return dict(zip(self.ids, values.tolist()))
