"""`eval --against REV`: the corpus as it was at a git revision, indexed in a temp dir and served by its own
engine, so a run can be compared with it case by case — a reviewer sees what a pull request's article edit does
to the answers.

Only read-only git commands run (`rev-parse`, `archive`): the working tree, git's index and HEAD are never
touched. The revision's corpus is indexed from a copy of the current embedded index, so only the passages that
differ are embedded; with a Chroma server it is indexed from scratch in the temp dir (about a minute).
Everything but the corpus — cases, code, calibrations — is the current one.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import AssistantError
from ..settings import Settings
from .cases import EvalDataError


@dataclass(frozen=True)
class Revision:
    name: str  # as given: HEAD~1, origin/main, a tag, a commit
    commit: str  # the full commit id it resolved to

    @property
    def label(self) -> str:
        return f"the corpus at {self.name} ({self.commit[:7]})"


def _git(args: list[str], cwd: Path, what: str, text: bool = True):
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=text, check=False)
    except FileNotFoundError:
        raise EvalDataError("--against needs git, and it is not installed — install git, or run the eval without "
                            "--against to compare with eval/baseline.json.") from None
    if done.returncode != 0:
        error = done.stderr if text else done.stderr.decode(errors="replace")
        raise EvalDataError(f"--against: {what} (git: {error.strip().splitlines()[-1] if error.strip() else '?'}).")
    return done.stdout


def resolve(name: str, corpus_dir: Path) -> tuple[Revision, Path, str]:
    """The commit `name` names, the repository's top folder, and the corpus folder's path inside it."""
    corpus_dir = Path(corpus_dir).resolve()
    where = f"{corpus_dir} is not inside a git repository — --against compares git revisions of the corpus"
    top = Path(_git(["rev-parse", "--show-toplevel"], corpus_dir, where).strip())
    prefix = _git(["rev-parse", "--show-prefix"], corpus_dir, where).strip()
    commit = _git(["rev-parse", "--verify", "--end-of-options", f"{name}^{{commit}}"], top,
                  f"git knows no commit {name!r} — name a commit, branch or tag (e.g. HEAD~1 or origin/main); "
                  f"in CI, check out the history too (actions/checkout with fetch-depth: 0)").strip()
    return Revision(name, commit), top, prefix


def export_corpus(revision: Revision, top: Path, prefix: str, target: Path) -> Path:
    """The corpus folder as `revision` holds it, written under `target` (`git archive`, read-only)."""
    archive = _git(["archive", "--format=tar", revision.commit, "--", prefix or "."], top,
                   f"{revision.name} has no {prefix or 'corpus'} folder", text=False)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    corpus = target / prefix
    if not (corpus / "article.md").is_file():
        raise EvalDataError(f"--against {revision.name}: {prefix}article.md does not exist at that revision.")
    return corpus


@contextmanager
def engine_at(name: str, settings: Settings, echo=print) -> Iterator[tuple[object, Revision]]:
    """A warmed-up engine over the corpus at revision `name`, indexed in a temp dir removed afterwards."""
    from ..embedding import Embedder
    from ..engine import Engine, store_for
    from ..indexing import build

    revision, top, prefix = resolve(name, settings.corpus_dir)
    with tempfile.TemporaryDirectory(prefix="hip-against-", ignore_cleanup_errors=True) as tmp:
        corpus_dir = export_corpus(revision, top, prefix, Path(tmp) / "checkout")
        index_dir = Path(tmp) / "index"
        seeded = settings.chroma_host is None and (settings.index_dir / "chroma.sqlite3").is_file()
        if seeded:
            shutil.copytree(settings.index_dir, index_dir)
        at = settings.model_copy(update={"corpus_dir": corpus_dir, "index_dir": index_dir, "chroma_host": None,
                                         "chroma_port": None})
        try:
            report = build(at, store_for(at), Embedder(), progress=False)
            engine = Engine(at).warm_up()
        except AssistantError as error:
            raise EvalDataError(f"--against {name}: {revision.label} cannot be served: {error}") from None
        echo(f"Indexed {revision.label} in a temp dir{' (from a copy of the index)' if seeded else ''}: "
             f"{report.summary()}")
        yield engine, revision
