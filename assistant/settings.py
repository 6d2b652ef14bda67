"""One settings object, read once. Every field can be overridden by an environment variable `HIP_<FIELD>`
(for example `HIP_PORT=8080`); the Chroma server also answers to `CHROMA_HOST` / `CHROMA_PORT`.

Where files go: a checkout of the repository keeps its index, query encoder and feedback in the repository (index/,
models/, feedback/) and reads the corpus its editors edit (corpus/). An installed package has no repository: it
reads the corpus copy the wheel carries (`assistant/corpus_data`) and writes to the user's data directory
(`~/.local/share/hip-assistant` on Linux, platformdirs' `user_data_path`). `HIP_HOME` moves all three at once.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import platformdirs
from pydantic import AliasChoices, BeforeValidator, Field, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
# A checkout: the package sits beside pyproject.toml and corpus/ (an installed package sits in site-packages).
CHECKOUT = (ROOT / "pyproject.toml").is_file() and (ROOT / "corpus").is_dir()
PACKAGED_CORPUS = Path(__file__).resolve().parent / "corpus_data"  # the wheel's copy of corpus/ (pyproject.toml)


def default_home() -> Path:
    """Where index/, models/ and feedback/ go by default: the repository, else the user's data directory."""
    return ROOT if CHECKOUT else platformdirs.user_data_path("hip-assistant", appauthor=False)


def _origin_list(value):
    """`HIP_ALLOWED_ORIGINS`: a JSON list or a comma-separated list of origins (`https://shop.example,https://…`)."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip().startswith("[") else value.split(",")
    return [origin.strip().rstrip("/") for origin in value if origin.strip()]


def _is_off(value) -> bool:
    return isinstance(value, str) and value.strip().lower() in ("", "off", "none", "false", "0")


def _optional_path(value):
    """`HIP_FEEDBACK_PATH=off` (or empty) switches feedback storage off."""
    return None if _is_off(value) else value


def _optional_url(value):
    """`HIP_FEEDBACK_URL=off` (or empty) switches feedback storage off too."""
    return OFF if _is_off(value) else value


def without_credentials(uri: str) -> str:
    """`uri` without its user and password, for logs and messages: `redis://cache.internal:6379/0`."""
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


OFF = "off"
STORAGE_SCHEMES = ("memory", "redis", "rediss", "redis+unix")
STORAGE_CHOICES = ("Use memory:// (counts in each process) or redis://host:6379 (one count shared by every worker "
                   "and replica; rediss:// for TLS, redis://:password@host:6379/0 with a password).")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HIP_", frozen=True)

    home: Path = Field(default_factory=default_home)
    corpus_dir: Path = ROOT / "corpus" if CHECKOUT else PACKAGED_CORPUS
    index_dir: Path = Field(default_factory=lambda fields: fields["home"] / "index")
    # The ONNX query encoder that `index` exports and serving loads: made from the model alone, so one per machine.
    encoder_path: Path = Field(default_factory=lambda fields: fields["home"] / "models" / "all-MiniLM-L6-v2.onnx")
    chroma_host: str | None = Field(None, validation_alias=AliasChoices("HIP_CHROMA_HOST", "CHROMA_HOST"))
    chroma_port: int | None = Field(None, validation_alias=AliasChoices("HIP_CHROMA_PORT", "CHROMA_PORT"))
    collection_prefix: str = "hip"

    top_k: int = 4
    max_sentences: int = 4
    max_words: int = 120
    retrieval: str = "fused"  # fused | dense | lexical | sentences
    decline_threshold: float | None = None  # None: the calibrated value in assistant/calibration.json
    llm: str | None = None  # a LangChain chat model "provider:model", e.g. "ollama:llama3.1"; None = extractive
    llm_base_url: str | None = None  # e.g. http://127.0.0.1:11434 for Ollama or an OpenAI-compatible server

    host: str = "127.0.0.1"
    port: int = 7860
    max_message_chars: int = 2000
    max_history_turns: int = 20
    # Origins (scheme://host[:port]) whose pages may embed the widget and call /api/*; the app's own origin always
    # may. HIP_ALLOWED_ORIGINS="https://a.example,https://b.example" or a JSON list. None by default.
    allowed_origins: Annotated[list[str], NoDecode, BeforeValidator(_origin_list)] = []
    # Chat page answers computed at once (Gradio's queue; its default of 1 makes page users wait in line), and
    # how many may wait beyond those before the page says it is busy.
    page_concurrency: int = Field(16, ge=1)
    page_queue_size: int = Field(256, ge=1)
    # Answers one serving process computes at once for the API (the rest wait their turn; the page has its own
    # queue): on two cores more only take turns on the GIL (bench/serve_setting.py).
    answer_threads: int = Field(4, ge=1)
    # Threads OpenBLAS may use per call in a serving process; 0: OpenBLAS's own default (one per core). Requests
    # already run side by side, one thread each: BLAS threads on top fight them for the cores
    # (`bench/serve_setting.py HIP_BLAS_THREADS 1 0`).
    blas_threads: int = Field(1, ge=0)
    # Threads ONNX Runtime embeds one question with; 0: one in a serving process (its requests already run side by
    # side, one core each), one per core where questions come one at a time (`ask`, `eval`, a program of your own).
    encoder_threads: int = Field(0, ge=0)
    # Worker processes for `serve` (`--workers` overrides); each loads its own model and index.
    workers: int = Field(1, ge=1)
    # Requests per minute per client IP on /api/* and the page's events (the health check is exempt); 0: no limit.
    rate_limit_per_minute: int = Field(60, ge=0)
    # Where the rate limit counts: memory:// (each process on its own) or redis://host:port (shared by all).
    rate_limit_storage: str = "memory://"
    # SQLite file for the chat page's like/dislike feedback; HIP_FEEDBACK_PATH=off switches feedback off.
    feedback_path: Annotated[Path | None, BeforeValidator(_optional_path)] = Field(
        default_factory=lambda fields: fields["home"] / "feedback" / "feedback.sqlite3")
    # Or a database URL instead (postgresql+psycopg://user:password@host:5432/db for several replicas, or
    # sqlite:///path); set at most one of the two. None: the SQLite file at feedback_path.
    feedback_url: Annotated[str | None, BeforeValidator(_optional_url)] = None

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.retrieval not in ("fused", "dense", "lexical", "sentences"):
            raise ConfigError(f"HIP_RETRIEVAL={self.retrieval!r}: choose one of fused, dense, lexical, sentences.")
        if self.chroma_port and not self.chroma_host:
            raise ConfigError("CHROMA_PORT is set without CHROMA_HOST: set both to use a Chroma server, "
                              "or drop CHROMA_PORT to use the embedded index.")
        self._check_rate_limit_storage()
        if self.feedback_url is not None:
            if "feedback_path" in self.model_fields_set:
                raise ConfigError("Both HIP_FEEDBACK_URL and HIP_FEEDBACK_PATH are set: keep HIP_FEEDBACK_URL "
                                  "(SQLite or PostgreSQL) or HIP_FEEDBACK_PATH (a SQLite file), and drop the other.")
            if self.feedback_url != OFF:
                from .web.feedback import database_url

                database_url(self.feedback_url)  # raises ConfigError naming what to write instead
        return self

    def _check_rate_limit_storage(self) -> None:
        parts, shown = urlsplit(self.rate_limit_storage), without_credentials(self.rate_limit_storage)
        if parts.scheme not in STORAGE_SCHEMES:
            raise ConfigError(f"HIP_RATE_LIMIT_STORAGE={shown} is not supported. {STORAGE_CHOICES}")
        try:
            parts.port  # noqa: B018 — reading it raises ValueError for a port that is not a number
        except ValueError:
            raise ConfigError(f"HIP_RATE_LIMIT_STORAGE={shown}: the port is not a number. {STORAGE_CHOICES}") from None
        if parts.scheme in ("redis", "rediss") and not parts.hostname:
            raise ConfigError(f"HIP_RATE_LIMIT_STORAGE={shown} names no host. {STORAGE_CHOICES}")

    @property
    def feedback_target(self) -> str | Path | None:
        """Where votes go: the database URL, else the SQLite file; None when feedback is off."""
        if self.feedback_url is not None:
            return None if self.feedback_url == OFF else self.feedback_url
        return self.feedback_path


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
