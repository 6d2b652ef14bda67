"""The article's passages as LangChain `Document`s, for a user's own chain: the engine's hybrid retrieval.

    retriever = ArticleRetriever(k=3)                      # the index `HIP_INDEX_DIR` names, or engine=…
    retriever.invoke("how long should i ice my hip")       # → [Document(page_content=passage, metadata={…})]

`page_content` is the passage (a chunk: one paragraph, bullet, short list or reference entry). `metadata`:
`chunk_id`, `kind` (paragraph | bullet | list | reference), `section` (its headings below the article's title,
joined by " > ") and the whole `heading_path`, `start` and `end` (the passage's character offsets in
corpus/article.md: `text[start:end]` is the passage; for a list, or a passage drawn from the front matter, it
also holds the markdown or YAML between its sentences) and `score` (the fused reciprocal-rank score, higher is better). Documents come best first.

Reference-list entries are left out unless the query asks for a source ("which study …"): the rule the
assistant itself follows, because a bibliography line shares a question's words without answering it.
"""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

from .chain import clean_text
from .engine import Engine
from .errors import BadInput
from .models import Hit


class ArticleRetriever(BaseRetriever):
    """The `k` passages of the article that best match a query (dense, BM25 and best-sentence legs fused)."""

    engine: Engine = Field(default_factory=Engine, description="The loaded index; by default the one in settings.")
    k: int | None = Field(None, gt=0, description="Passages per query; by default `HIP_TOP_K` (4).")

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None) -> list[Document]:
        query = clean_text(query).strip() if isinstance(query, str) else ""
        if not query:
            raise BadInput("The query is empty — pass the text to search the article for.")
        if k is not None and k < 1:
            raise BadInput(f"k must be at least 1, not {k}.")
        engine = self.engine
        engine.follow_index()
        ranked = engine.passages(query)  # the assistant's own rule for reference-list entries
        return [as_document(hit) for hit in ranked[:k or self.k or engine.settings.top_k]]


def as_document(hit: Hit) -> Document:
    chunk = hit.chunk
    return Document(page_content=chunk.text, id=chunk.id,
                    metadata={"chunk_id": chunk.id, "kind": chunk.kind, "section": " > ".join(chunk.heading_path[1:] or chunk.heading_path),
                              "heading_path": list(chunk.heading_path), "start": chunk.start, "end": chunk.end,
                              "score": hit.score})
