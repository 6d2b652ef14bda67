"""One settings object, read once. Every field can be overridden by an environment variable `HIP_<FIELD>`
(for example `HIP_PORT=8080`); the Chroma server also answers to `CHROMA_HOST` / `CHROMA_PORT`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HIP_", frozen=True)

    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    chroma_host: str | None = Field(None, validation_alias=AliasChoices("HIP_CHROMA_HOST", "CHROMA_HOST"))
    chroma_port: int | None = Field(None, validation_alias=AliasChoices("HIP_CHROMA_PORT", "CHROMA_PORT"))
    collection_prefix: str = "hip"

    top_k: int = 4
    max_sentences: int = 4
    max_words: int = 120
    retrieval: str = "fused"  # fused | dense | lexical
    decline_threshold: float | None = None  # None: the calibrated value in assistant/calibration.json

    host: str = "127.0.0.1"
    port: int = 7860
    max_message_chars: int = 2000
    max_history_turns: int = 20

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.retrieval not in ("fused", "dense", "lexical"):
            raise ConfigError(f"HIP_RETRIEVAL={self.retrieval!r}: choose one of fused, dense, lexical.")
        if self.chroma_port and not self.chroma_host:
            raise ConfigError("CHROMA_PORT is set without CHROMA_HOST: set both to use a Chroma server, "
                              "or drop CHROMA_PORT to use the embedded index.")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
