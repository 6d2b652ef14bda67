"""`python -m assistant eval`: load the data, run, gate, print the table, write the reports, pick the exit code.

Exit codes: 0 — every gated metric meets eval/gate.yaml; 1 — at least one misses it; 2 — the data is not usable;
3 — the index is not ready (`assistant.__main__` maps the errors; the message says what to fix).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..settings import ROOT
from .. import decline, support
from .baseline import BASELINE_FILE, Baseline, differences, load_baseline, write_baseline
from . import answer_set
from .cases import EvalDataError, corpus_warnings, load_cases
from .changes import Changes, compare
from .changes_report import format_changes
from .gate import GATE_FILE, check, load_gate, retrieval_ks
from .records import Snapshot
from .report import format_table, verdict_text, write_reports
from .run import EvalResult, evaluate

DEFAULT_CASES = ROOT / "eval" / "cases.yaml"
DEFAULT_OUT = ROOT / "eval" / "out"
DEFAULT_ANSWER_SETS = tuple(ROOT / "eval" / "answers" / name
                            for name in ("dev_singles.jsonl", "dev_conversations.jsonl", "dev2.jsonl"))


@dataclass(frozen=True)
class Options:
    cases: Path = DEFAULT_CASES
    answer_sets: tuple[Path, ...] = DEFAULT_ANSWER_SETS  # labelled questions and conversations (eval/answers/)
    k: int = 3
    out: Path = DEFAULT_OUT
    gate: Path = GATE_FILE
    baseline: Path = BASELINE_FILE
    write_baseline: bool = False
    against: str | None = None  # a git revision: compare with the corpus there instead of with the baseline
    calibration: Path = support.CALIBRATION_FILE
    decline_calibration: Path = decline.CALIBRATION_FILE
    progress: bool = True


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    result: EvalResult
    checks: tuple
    table: str
    changes: Changes | None = None  # None when there was nothing to compare with case by case


def shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def run(engine, options: Options, echo=print) -> Outcome:
    """The whole command against a warmed-up engine; tests call this with the session's engine."""
    cases = load_cases(options.cases)
    bounds = load_gate(options.gate)
    baseline = load_baseline(options.baseline)
    calibration = support.load_calibration(options.calibration)
    decline_model = decline.DeclineModel.load(options.decline_calibration)
    if options.k < 1:
        raise EvalDataError(f"--k {options.k}: retrieve at least one passage (k ≥ 1).")
    sections = {c.heading_path[-1] for c in engine.chunks}
    warnings = corpus_warnings(cases, engine.document.text, sections)
    warnings += support.staleness(calibration, embedder_fingerprint=engine.generation.manifest.get("embedding_model"))
    warnings += decline.staleness(decline_model, (c.id for c in engine.chunks))
    meta = _meta(engine, options, calibration)
    answer_sets = {path.stem: answer_set.load(path) for path in options.answer_sets}
    answer_items = [item for items in answer_sets.values() for item in items]
    warnings += [f"{item.id}: the direct answer “{quote[:60]}” is not in the article any more — update "
                 f"eval/answers/ or restore the sentence." for item in answer_items for turn in item.turns
                 for quote in turn.direct_answers if quote not in engine.document.text]

    def answer_all(on, meta: dict, warnings: list[str]) -> EvalResult:
        return evaluate(on, cases, support.checker_for(on.embedder, calibration), k=options.k,
                        extra_ks=sorted(retrieval_ks(bounds)), progress=options.progress, meta=meta,
                        warnings=warnings, answer_sets=answer_sets, decline_model=decline_model)

    compared = baseline
    if options.against:
        from .against import engine_at

        with engine_at(options.against, engine.settings, echo) as (earlier, revision):
            before = answer_all(earlier, _meta(earlier, options, calibration), [])
            compared = Baseline(before.values(), before.meta, Snapshot.of(before, earlier.chunks), revision.label)
    elif baseline:
        warnings += differences(baseline, meta)
    result = answer_all(engine, meta, warnings)
    snapshot = Snapshot.of(result, engine.chunks)
    changes = compare(compared.snapshot, snapshot, compared.source) if compared and compared.snapshot else None
    checks = check(result.values(), bounds)
    table = format_table(result, checks, compared)
    echo(table)
    echo("")
    if changes is not None:
        echo(format_changes(changes))
        echo("")
    for warning in result.warnings:
        echo(f"warning: {warning}")
    json_path, html_path = write_reports(result, checks, compared, Path(options.out), changes)
    if options.write_baseline:
        write_baseline(result.values(), {key: meta[key] for key in ("cases", "cases_sha256", "k", "corpus_fingerprint",
                                                                    "embedding_model")}, snapshot, options.baseline)
        echo(f"Wrote the baseline {shown(options.baseline)}.")
    echo(f"{len(result.cases)} cases in {result.seconds:.1f} s. Wrote {shown(json_path)} and {shown(html_path)}.")
    echo(verdict_text(checks))
    return Outcome(0 if all(c.passed for c in checks) else 1, result, checks, table, changes)


def _meta(engine, options: Options, calibration) -> dict:
    return {
        "cases": shown(options.cases), "cases_sha256": support.file_sha256(options.cases), "k": options.k,
        "corpus_fingerprint": engine.document.fingerprint, "index_generation": engine.generation.name,
        "embedding_model": engine.generation.manifest.get("embedding_model"),
        "retrieval_default": engine.settings.retrieval, "top_k": engine.settings.top_k,
        "support_threshold": round(calibration.threshold, 6),
        "support_balanced_accuracy": round(calibration.balanced_accuracy, 4),
    }


def calibrate(embedder, pairs: Path = support.PAIRS_FILE, out: Path = support.CALIBRATION_FILE, echo=print) -> int:
    calibration = support.calibrate_file(embedder, pairs, out)
    echo(f"Support check calibrated on {calibration.pairs} pairs of {calibration.calibrated_on} "
         f"({calibration.supported} supported, {calibration.unsupported} not): threshold "
         f"{calibration.threshold:.4f}, balanced accuracy {calibration.balanced_accuracy:.3f} "
         f"(accuracy {calibration.accuracy:.3f}, leave-one-out balanced accuracy "
         f"{calibration.leave_one_out_balanced_accuracy:.3f}). Wrote {shown(out)}.")
    return 0


def main(options: Options, calibrate_support: bool = False) -> int:
    """Entry point for the CLI: builds the engine from the settings (HIP_INDEX_DIR …) and runs."""
    from ..engine import Engine

    engine = Engine()
    if calibrate_support:
        return calibrate(engine.embedder)
    load_cases(options.cases)  # a bad file fails here, before the model and the index are loaded
    load_gate(options.gate)
    support.load_calibration(options.calibration)
    if options.against:
        from .against import resolve

        resolve(options.against, engine.settings.corpus_dir)  # an unknown revision fails before anything loads
    return run(engine.warm_up(), options).exit_code
