"""Command line: `python -m assistant {clean,index,calibrate,ask,serve,eval,guard,answers}` (also installed as `hip-assistant`).

Heavy modules are imported inside the commands, so `--help` answers at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _settings(args: argparse.Namespace):
    from .settings import get_settings

    return get_settings()


def cmd_clean(args: argparse.Namespace) -> int:
    from .clean import write_corpus

    settings = _settings(args)
    cleaned = write_corpus(settings.corpus_dir)
    dropped = sum(1 for fate in cleaned.ledger if not fate.kept)
    print(f"Wrote {settings.corpus_dir / 'article.md'} and references.yaml: "
          f"{len(cleaned.ledger) - dropped} raw lines kept, {dropped} dropped by the reviewed drop list.")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from .embedding import Embedder
    from .engine import store_for
    from .indexing import build

    settings = _settings(args)
    report = build(settings, store_for(settings), Embedder(), full=args.full, progress=not args.quiet)
    print(report.summary())
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .chain import Assistant
    from .render import as_json, as_text

    history = _read_history(Path(args.history)) if args.history else []
    answer = Assistant().answer(args.question, history)
    print(as_json(answer) if args.json else as_text(answer))
    return 0


def _read_history(path: Path) -> list:
    from .errors import BadInput

    try:
        history = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"--history {path}: no such file.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadInput(f"--history {path} is not a JSON file ({error}); it should hold a list of "
                       f'{{"role": "user"|"assistant", "content": "…"}} turns.') from None
    if not isinstance(history, list):
        raise BadInput(f'--history {path}: the history must be a list of {{"role", "content"}} turns.')
    return history


def cmd_calibrate(args: argparse.Namespace) -> int:
    from . import decline, support
    from .chain import Assistant

    assistant = Assistant()
    print(decline.recalibrate(assistant, args.questions))
    calibration = support.calibrate_file(assistant.engine.embedder, args.pairs)
    print(f"support check: threshold {calibration.threshold:.4f}, balanced accuracy "
          f"{calibration.balanced_accuracy:.3f} on {calibration.pairs} pairs → {support.CALIBRATION_FILE}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)  # a bad setting stops here with its message, not once per worker
    workers = args.workers or settings.workers
    if workers > 1:
        print(f"note: {workers} workers share the port, and each new connection goes to any of them. The API and "
              f"the widget carry their conversation in each request; the chat page keeps it in the worker that "
              f"answered, so a later question on a new connection can lose it. For the page, run single-worker "
              f"`serve` processes behind a proxy with sticky sessions (README.md, 'Scale out').", file=sys.stderr)
        if settings.rate_limit_per_minute and settings.rate_limit_storage.startswith("memory://"):
            print(f"note: with HIP_RATE_LIMIT_STORAGE=memory:// each worker counts on its own, so a client may "
                  f"make up to {workers} x {settings.rate_limit_per_minute} requests a minute; set "
                  f"HIP_RATE_LIMIT_STORAGE=redis://host:6379 to share one count.", file=sys.stderr)
    # An import string, so that each worker process builds its own app: its own model, index and warm-up.
    uvicorn.run("assistant.web.app:app", host=args.host or settings.host, port=args.port or settings.port, workers=workers,
                log_level="info")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation.command import Options, main

    given = {name: getattr(args, name) for name in ("cases", "out", "gate", "baseline", "against")
             if getattr(args, name)}
    options = Options(**given, k=args.k, write_baseline=args.write_baseline, progress=not args.quiet)
    return main(options, calibrate_support=args.calibrate_support)


def cmd_guard_fit(args: argparse.Namespace) -> int:
    from .embedding import Embedder
    from .evaluation.guard_set import load
    from .guard.fitting import fit
    from .guard.meaning import MODEL_FILE

    examples = load(args.data)
    model = fit(examples, Embedder().encode, data_name=str(args.data.name))
    model.save(MODEL_FILE)
    print(f"{MODEL_FILE}: {len(examples)} labelled messages; out-of-fold " + ", ".join(
        f"{k} {v}" for k, v in model.meta["out_of_fold"].items()) + f"; threshold {model.threshold:.3f}")
    return 0


def cmd_guard_score(args: argparse.Namespace) -> int:
    from . import guard
    from .evaluation.guard_set import load, score

    examples = load(args.data)
    embed = None
    if not args.rules_only:
        from .engine import Engine

        embed = Engine().embed  # the embedding path the chain uses (no index needed for this)
    result = score(examples, lambda text, history: guard.check(text, history, embed=embed), progress=not args.quiet)
    print(f"{args.data} — {'rule table only' if args.rules_only else 'rules + meaning layer'}")
    print(result.table())
    if args.show:
        for example in result.misses:
            print(f"MISSED  [{example.category}] {' | '.join((*example.history, example.text))}")
        for example, verdict in result.alarms:
            print(f"ALARM   [{example.category}] {' | '.join((*example.history, example.text))}  →  "
                  + ", ".join(f"{f.category} ({f.layer}: {f.matched!r})" for f in verdict.flags))
    return 0


def cmd_answers(args: argparse.Namespace) -> int:
    from .chain import Assistant
    from .evaluation.answer_set import load, score, shown

    assistant = Assistant()
    items = load(args.data, assistant.engine.document.text)
    result = score(items, assistant.answer, progress=not args.quiet)
    print(f"{args.data}: {len(items)} items, {len(result.results)} turns")
    print(result.table())
    print("\ndirect answer present, by question type\n" + result.by_type())
    if args.show:
        for row in result.results:
            if not row.good:
                print(("MISSED  " if row.turn.answerable else "ANSWERED ") + shown(row))
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: retrieve at least one passage (k ≥ 1)")
    return value


def _positive_workers(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: run at least one worker")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("clean", help="rebuild corpus/article.md and references.yaml from corpus/raw/").set_defaults(
        func=cmd_clean)

    index = sub.add_parser("index", help="build or update the Chroma index (incremental)")
    index.add_argument("--full", action="store_true", help="re-embed everything")
    index.add_argument("--quiet", action="store_true", help="no progress bar")
    index.set_defaults(func=cmd_index)

    ask = sub.add_parser("ask", help="answer one question from the article")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--history", metavar="FILE",
                     help='JSON file with earlier turns: [{"role": "user"|"assistant", "content": "…"}, …]')
    ask.set_defaults(func=cmd_ask)

    calibrate = sub.add_parser("calibrate", help="fit the decline and support-check thresholds on labelled data")
    calibrate.add_argument("--questions", type=Path, default=Path("eval/calibration.yaml"))
    calibrate.add_argument("--pairs", type=Path, default=Path("eval/support_pairs.yaml"))
    calibrate.set_defaults(func=cmd_calibrate)

    serve = sub.add_parser("serve", help="start the chat page and the JSON API",
                           description="Serves the chat page, the widget and the JSON API with uvicorn. With "
                                       "--workers N, N processes share the port; each loads its own model and "
                                       "index (about 0.7 GB each). Share one rate limit between them with "
                                       "HIP_RATE_LIMIT_STORAGE=redis://host:6379; a Chroma server (CHROMA_HOST, "
                                       "CHROMA_PORT) is the tested way to share one index. Workers suit the "
                                       "API and the widget; the chat page keeps each conversation in one process, "
                                       "so for the page run single-worker processes behind a proxy with sticky "
                                       "sessions. README.md, 'Scale out'.")
    serve.add_argument("--host", help="address to listen on (default: HIP_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: HIP_PORT, 7860)")
    serve.add_argument("--workers", type=_positive_workers, metavar="N",
                       help="worker processes (default: HIP_WORKERS, 1); each warms up its own model and index")
    serve.set_defaults(func=cmd_serve)

    evaluate = sub.add_parser("eval", help="score the assistant on eval/cases.yaml and check the quality gate",
                              description="Runs every case through the assistant, prints the metric table, writes "
                                          "result.json and report.html, and exits 1 when a metric misses "
                                          "eval/gate.yaml (2 when the data or the index is not usable).")
    evaluate.add_argument("--cases", type=Path,
                          help="case file in the eval/README.md format (default: eval/cases.yaml)")
    evaluate.add_argument("--k", type=_positive, default=3, help="retrieval depth for recall@k and MRR (3)")
    evaluate.add_argument("--out", type=Path, help="where result.json and report.html go (default: eval/out)")
    evaluate.add_argument("--gate", type=Path, help="minimum scores (default: eval/gate.yaml)")
    evaluate.add_argument("--baseline", type=Path,
                          help="earlier scores to show the change against (default: eval/baseline.json)")
    evaluate.add_argument("--write-baseline", action="store_true",
                          help="also save this run's scores and answers as the baseline")
    evaluate.add_argument("--against", metavar="REV",
                          help="compare with the corpus at git revision REV (e.g. HEAD~1, origin/main) instead of "
                               "the baseline: answers the cases on both and shows what changed")
    evaluate.add_argument("--calibrate-support", action="store_true",
                          help="only re-fit the support-check threshold on eval/support_pairs.yaml and write "
                               "eval/support_calibration.json")
    evaluate.add_argument("--quiet", action="store_true", help="no progress bars")
    evaluate.set_defaults(func=cmd_eval)

    guard_parser = sub.add_parser("guard", help="fit the red-flag guard's meaning layer, or score the guard")
    guard_commands = guard_parser.add_subparsers(dest="guard_command", required=True)
    fit_parser = guard_commands.add_parser("fit", help="fit the meaning layer on labelled messages "
                                                       "(writes assistant/guard/meaning_model.npz)")
    fit_parser.add_argument("--data", type=Path, default=Path(__file__).parent.parent / "eval/guard/train.jsonl",
                            help="labelled JSONL messages (default: eval/guard/train.jsonl)")
    fit_parser.set_defaults(func=cmd_guard_fit)
    score_parser = guard_commands.add_parser("score", help="red-flag recall and false alarms on a labelled JSONL set")
    score_parser.add_argument("data", type=Path, help="labelled JSONL messages (format: eval/guard/README.md)")
    score_parser.add_argument("--rules-only", action="store_true", help="the rule table alone, no meaning layer")
    score_parser.add_argument("--show", action="store_true", help="list every missed red flag and false alarm")
    score_parser.add_argument("--quiet", action="store_true", help="no progress bar")
    score_parser.set_defaults(func=cmd_guard_score)
    answers = sub.add_parser("answers", help="score answers on labelled questions and conversations (JSONL)",
                             description="Direct answer present and first, follow-up turns, declines and answer "
                                         "length, on a file in the eval/answers/README.md format.")
    answers.add_argument("data", type=Path, help="labelled JSONL questions and conversations")
    answers.add_argument("--show", action="store_true", help="list every turn that missed")
    answers.add_argument("--quiet", action="store_true", help="no progress bar")
    answers.set_defaults(func=cmd_answers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .errors import AssistantError

    try:
        return args.func(args)
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
