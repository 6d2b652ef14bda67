"""The lexical leg: BM25 (bm25s) over the chunk texts, with English stemming and stop words.

It catches exact terms the embedding model blurs ("AAOS", "73%", "clamshells").
"""

from __future__ import annotations

import math

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


def tokenize(texts: list[str]) -> list[list[str]]:
    tokens = bm25s.tokenize(texts, stopwords=STOP_WORDS, stemmer=_STEMMER.stemWords, return_ids=False,
                            show_progress=False)
    return [[t for t in words if t not in STOP_STEMS] for words in tokens]


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
