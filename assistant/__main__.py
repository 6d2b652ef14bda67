"""Command line: `python -m assistant {clean,index,calibrate,ask,serve,eval,guard,answers}` (also installed as `hip-assistant`).

Heavy modules are imported inside the commands, so `--help` and `--version` answer at once. The exit codes are
the ones EXIT_CODES lists (shown in `--help`); errors the user can fix are `AssistantError`s, printed without a
traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sys
import textwrap
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    from .web.listener import ReservedAddress

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_INDEX, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 0, 1, 2, 3, 130, 141
EXIT_CODES = f"""exit codes:
  {EXIT_OK}    done
  {EXIT_GATE}    eval: a metric is below eval/gate.yaml
  {EXIT_USAGE}    a usage error, bad input or a setting that cannot work (the message says what to change)
  {EXIT_INDEX}    the index is missing, stale, corrupted or unreachable (the message names the command that fixes it)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
  {EXIT_PIPE_CLOSED}  the output's reader stopped reading (`ask … | head -1`), as for any command killed by SIGPIPE"""

EPILOG = f"""first run:
  %(prog)s index                                  build the index (once, and after the article changes)
  %(prog)s ask "how long should i ice my hip"     one answer, with its sources
  %(prog)s serve                                  chat page, widget and API on http://127.0.0.1:7860

environment (every setting is an environment variable; README.md, "Configure"):
  HIP_HOME               where index/, models/ and feedback/ go: the repository in a checkout, else the
                         user's data directory (~/.local/share/hip-assistant on Linux)
  HIP_HOST, HIP_PORT     where `serve` listens (127.0.0.1, 7860)
  HIP_INDEX_DIR, HIP_ENCODER_PATH, HIP_CORPUS_DIR, HIP_FEEDBACK_PATH or HIP_FEEDBACK_URL
                         one path or database each, instead of the defaults above
  HIP_ALLOWED_ORIGINS    sites that may embed the widget (comma-separated origins)
  HIP_RATE_LIMIT_PER_MINUTE, HIP_RATE_LIMIT_STORAGE, HIP_WORKERS, HIP_LLM
  CHROMA_HOST, CHROMA_PORT  a Chroma server instead of the embedded index

{EXIT_CODES}"""


def _settings(args: argparse.Namespace):
    from .settings import get_settings

    return get_settings()


def _needs_checkout(command: str) -> None:
    """Commands that rewrite the repository's own files (the corpus, the committed calibrations, eval/out) or read
    its labelled data in eval/ run in a checkout; an installed package says so instead of failing on a path."""
    from .errors import ConfigError
    from .settings import CHECKOUT

    if not CHECKOUT:
        raise ConfigError(f"`{command}` works on the repository's own files (corpus/, eval/ and the calibrations "
                          f"committed in assistant/), so it runs in a checkout of the repository (`make install` "
                          f"there), not from an installed package.")


def _existing(path: Path, option: str) -> Path:
    from .errors import BadInput

    if not path.is_file():
        raise BadInput(f"{option} {path}: no such file.")
    return path


def cmd_clean(args: argparse.Namespace) -> int:
    from .clean import write_corpus

    _needs_checkout("clean")
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
    print(as_json(answer) if args.json else as_text(answer), flush=True)  # seen at once, even through a pipe
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
    from . import decline, selection, support
    from .chain import Assistant

    _needs_checkout("calibrate")
    questions, pairs = _existing(args.questions, "--questions"), _existing(args.pairs, "--pairs")
    assistant = Assistant()
    print(selection.refit(assistant, _repo_file("eval/answers")))
    print(decline.recalibrate(assistant, questions))
    calibration = support.calibrate_file(assistant.engine.embedder, pairs)
    print(f"support check: threshold {calibration.threshold:.4f}, balanced accuracy "
          f"{calibration.balanced_accuracy:.3f} on {calibration.pairs} pairs → {support.CALIBRATION_FILE}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)  # a bad setting stops here with its message, not once per worker
    workers = args.workers or settings.workers
    app, host, port = "assistant.web.app:app", args.host or settings.host, args.port or settings.port
    address = _reserved(host, port) if workers > 1 else None  # a port in use stops here too
    if workers > 1:
        print(f"note: {workers} workers share the port, and each new connection goes to one of them. The API and "
              f"the widget carry their conversation in each request; the chat page keeps it in the worker that "
              f"answered, so a later question on a new connection can lose it. For the page, run single-worker "
              f"`serve` processes behind a proxy with sticky sessions (README.md, 'Scale out').", file=sys.stderr)
        if settings.rate_limit_per_minute and settings.rate_limit_storage.startswith("memory://"):
            print(f"note: with HIP_RATE_LIMIT_STORAGE=memory:// each worker counts on its own, so a client may "
                  f"make up to {workers} x {settings.rate_limit_per_minute} requests a minute; set "
                  f"HIP_RATE_LIMIT_STORAGE=redis://host:6379 to share one count.", file=sys.stderr)
    # An import string, so that each worker process builds its own app: its own model, index and warm-up.
    level = "warning" if args.quiet else "info"
    if address is None:
        uvicorn.run(app, host=host, port=port, workers=workers, log_level=level)
        return 0
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(app, host=host, port=port, workers=workers, log_level=level)
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address, as URLs write it
    logging.getLogger("uvicorn.error").info("Uvicorn running on http://%s:%d, %d workers with a socket each (Press "
                                            "CTRL+C to quit)", shown, address.getsockname()[1], workers)
    Multiprocess(config, sockets=[address]).run()
    return 0


def _reserved(host: str, port: int) -> ReservedAddress | None:
    """The address every worker listens on with a socket of its own (web/listener.py), or None: uvicorn's one."""
    from .errors import ConfigError
    from .web.listener import reserve

    try:
        return reserve(host, port)
    except OSError as error:
        fix = ("Another process listens there: stop it, or choose another port" if error.errno == errno.EADDRINUSE
               else "Check the address")
        raise ConfigError(f"cannot serve on {host}:{port}: {error.strerror or error}. {fix} with --host/--port or "
                          f"HIP_HOST/HIP_PORT.") from None


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation.command import Options, main

    _needs_checkout("eval")
    given = {name: getattr(args, name) for name in ("cases", "out", "gate", "baseline", "against")
             if getattr(args, name)}
    options = Options(**given, k=args.k, write_baseline=args.write_baseline, progress=not args.quiet)
    return main(options, calibrate_support=args.calibrate_support)


def cmd_guard_fit(args: argparse.Namespace) -> int:
    from .embedding import Embedder
    from .evaluation.guard_set import load
    from .guard.fitting import fit
    from .guard.meaning import MODEL_FILE

    _needs_checkout("guard fit")
    examples = load(_existing(args.data, "--data"))
    questions = load(_existing(args.questions, "--questions")) if args.questions else []
    model = fit(examples, Embedder().encode, data_name=str(args.data.name), questions=questions)
    model.save(MODEL_FILE)
    print(f"{MODEL_FILE}: {len(examples)} labelled messages and {len(questions)} ordinary questions; "
          "out-of-fold " + ", ".join(f"{k} {v}" for k, v in model.meta["out_of_fold"].items())
          + f"; threshold {model.threshold:.3f}")
    return 0


def cmd_guard_score(args: argparse.Namespace) -> int:
    from . import guard
    from .evaluation.guard_set import load, score

    examples = load(args.data)
    embed = None
    if not args.rules_only:
        from .engine import Engine

        embed = Engine().embed_many  # the embedding path the chain uses (no index needed for this)
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
    own = sum(file == args.data.stem for file in assistant.precedents.files) if assistant.precedents else 0
    if own:  # otherwise each of its questions finds itself answered: scored as a new writer's file, as `eval` does
        assistant.use_precedents(assistant.precedents.without(args.data.stem))
    items = load(args.data, assistant.engine.document.text)
    result = score(items, assistant.answer, progress=not args.quiet)
    print(f"{args.data}: {len(items)} items, {len(result.results)} turns")
    if own:
        print(f"({own} precedents come from a file named {args.data.stem}: left out, as for a new writer's questions)")
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


def _program() -> str:
    return "hip-assistant" if Path(sys.argv[0]).name == "hip-assistant" else "python -m assistant"


def _repo_file(relative: str) -> Path:
    """A default that lives in the repository: absolute, so the command works from any directory."""
    from .settings import ROOT

    return ROOT / relative


def build_parser() -> argparse.ArgumentParser:
    examples = argparse.RawDescriptionHelpFormatter  # the epilogs' examples and tables stay as written
    parser = argparse.ArgumentParser(
        prog=_program(), formatter_class=examples, epilog=EPILOG,
        description=textwrap.fill("Answers runners' questions about hip pain strictly from one article — “Hip Pain "
                                  "After Running: How to Treat and Prevent It, According to Physical Therapists” "
                                  "(Hinge Health, 2024) — quoting it with numbered citations. Symptoms that need a "
                                  "clinician get a “see a doctor” reply first.", 100))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="print the version and exit")
    # Every command takes --quiet: nothing on the terminal but the result (and errors).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true",
                        help="print nothing but the result: no progress bars, no model-loading output, no log "
                             "lines below errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func, help: str, description: str | None = None, epilog: str | None = None,
                parent=sub) -> argparse.ArgumentParser:
        description = textwrap.fill(description or help[:1].upper() + help[1:] + ".", 100)
        made = parent.add_parser(name, parents=[common], help=help, description=description, epilog=epilog,
                                 formatter_class=examples)
        made.set_defaults(func=func)
        return made

    command("index", cmd_index, "build or update the index of the article (incremental)",
            description="Chunks the article, embeds only new or changed passages into the Chroma index "
                        "(HIP_INDEX_DIR, or CHROMA_HOST/CHROMA_PORT) and exports the query encoder "
                        "(HIP_ENCODER_PATH). Run it once before `ask` or `serve`, and after the article changes.",
            epilog="examples:\n  %(prog)s\n  %(prog)s --full          re-embed everything"
            ).add_argument("--full", action="store_true", help="re-embed every passage, not only the changed ones")

    ask = command("ask", cmd_ask, "answer one question from the article",
                  description="Prints the answer with [n] markers, then each source: its section, the character "
                              "offsets of the quote in the article, the quote and the study it rests on.",
                  epilog='examples:\n  %(prog)s "how long should i ice my hip"\n'
                         '  %(prog)s "and how often?" --history turns.json\n'
                         '  %(prog)s "how long should i ice my hip" --json\n\n'
                         f"exit {EXIT_USAGE} for an empty or too long question or an unreadable --history file,\n"
                         f"exit {EXIT_INDEX} when the index is not ready (run `index`).")
    ask.add_argument("question", help="the question, in quotes (at most HIP_MAX_MESSAGE_CHARS characters)")
    ask.add_argument("--json", action="store_true",
                     help="print the answer as JSON (status, text, citations), as the API returns it")
    ask.add_argument("--history", metavar="FILE",
                     help='JSON file with earlier turns: [{"role": "user"|"assistant", "content": "…"}, …]; '
                          "only the user's turns are read, to resolve a follow-up")

    serve = command("serve", cmd_serve, "serve the chat page, the widget and the JSON API",
                    description="Serves the chat page, the widget and the JSON API with uvicorn. With "
                                "--workers N, N processes share the port; each loads its own model and "
                                "index (about 0.7 GB each). Share one rate limit between them with "
                                "HIP_RATE_LIMIT_STORAGE=redis://host:6379; a Chroma server (CHROMA_HOST, "
                                "CHROMA_PORT) is the tested way to share one index. Workers suit the "
                                "API and the widget; the chat page keeps each conversation in one process, "
                                "so for the page run single-worker processes behind a proxy with sticky "
                                "sessions. README.md, 'Scale out'.",
                    epilog="examples:\n  %(prog)s                          http://127.0.0.1:7860\n"
                           "  %(prog)s --host 0.0.0.0 --port 8080\n"
                           "  HIP_ALLOWED_ORIGINS=https://shop.example %(prog)s   let that site embed the widget\n\n"
                           "--quiet leaves only uvicorn's warnings and errors in the log.")
    serve.add_argument("--host", help="address to listen on (default: HIP_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: HIP_PORT, 7860)")
    serve.add_argument("--workers", type=_positive_workers, metavar="N",
                       help="worker processes (default: HIP_WORKERS, 1); each warms up its own model and index")

    command("clean", cmd_clean, "rebuild corpus/article.md and references.yaml from corpus/raw/ (in a checkout)",
            description="Re-imports the raw scrape in corpus/raw/: every raw line is kept or on the reviewed drop "
                        "list (corpus/drop_list.yaml); the curated `supports` links are kept.")

    calibrate = command("calibrate", cmd_calibrate,
                        "fit the sentence ranker, the decline model and the support check on labelled data "
                        "(in a checkout)",
                        description="Fits the sentence ranker on the labelled turns of eval/answers/ (the dev sets "
                                    "and the spent sealed splits), the decline model on labelled questions and the "
                                    "support check on labelled pairs, prints the threshold and the decline rates "
                                    "before → after, and writes assistant/selection.json, precedent.npz, "
                                    "calibration.json, calibration_exemplars.npz and support_calibration.json "
                                    "(commit them). Run it "
                                    "after an article edit, when eval warns that the calibration is stale.",
                        epilog="example:\n  %(prog)s")
    calibrate.add_argument("--questions", type=Path, default=_repo_file("eval/calibration.yaml"), metavar="FILE",
                           help="labelled questions, answerable or not (default: eval/calibration.yaml)")
    calibrate.add_argument("--pairs", type=Path, default=_repo_file("eval/support_pairs.yaml"), metavar="FILE",
                           help="labelled sentence–passage pairs for the support check "
                                "(default: eval/support_pairs.yaml)")

    evaluate = command("eval", cmd_eval,
                       "score the assistant on eval/cases.yaml and check the quality gate (in a checkout)",
                       description="Runs every case through the assistant, prints the metric table and what "
                                   "changed since the baseline, writes result.json and report.html.",
                       epilog="examples:\n  %(prog)s\n  %(prog)s --against origin/main\n"
                              "  %(prog)s --cases my.yaml --k 5 --out /tmp/eval\n\n"
                              f"exit {EXIT_GATE} when a metric misses eval/gate.yaml, {EXIT_USAGE} for a bad case, "
                              f"gate or baseline file,\n{EXIT_INDEX} when the index is not ready.")
    evaluate.add_argument("--cases", type=Path, metavar="FILE",
                          help="case file in the eval/README.md format (default: eval/cases.yaml)")
    evaluate.add_argument("--k", type=_positive, default=3, help="retrieval depth for recall@k and MRR (3)")
    evaluate.add_argument("--out", type=Path, metavar="DIR",
                          help="where result.json and report.html go (default: eval/out)")
    evaluate.add_argument("--gate", type=Path, metavar="FILE", help="minimum scores (default: eval/gate.yaml)")
    evaluate.add_argument("--baseline", type=Path, metavar="FILE",
                          help="earlier scores to show the change against (default: eval/baseline.json)")
    evaluate.add_argument("--write-baseline", action="store_true",
                          help="also save this run's scores and answers as the baseline")
    evaluate.add_argument("--against", metavar="REV",
                          help="compare with the corpus at git revision REV (e.g. HEAD~1, origin/main) instead of "
                               "the baseline: answers the cases on both and shows what changed")
    evaluate.add_argument("--calibrate-support", action="store_true",
                          help="only re-fit the support-check threshold on eval/support_pairs.yaml and write "
                               "assistant/support_calibration.json")

    guard_parser = sub.add_parser("guard", help="fit the red-flag guard's meaning layer, or score the guard",
                                  description="The red-flag guard's own commands (README.md, 'The red-flag guard').")
    guard_commands = guard_parser.add_subparsers(dest="guard_command", required=True, metavar="COMMAND")
    fit_parser = command("fit", cmd_guard_fit, "fit the meaning layer on labelled messages (in a checkout)",
            description="Fits the meaning layer and writes assistant/guard/meaning_model.npz (commit it).",
            parent=guard_commands)
    fit_parser.add_argument(
        "--data", type=Path, default=_repo_file("eval/guard/train.jsonl"), metavar="FILE",
        help="labelled JSONL messages (default: eval/guard/train.jsonl)")
    fit_parser.add_argument(
        "--questions", type=Path, default=_repo_file("eval/guard/questions.jsonl"), metavar="FILE",
        help="runners' ordinary questions, harmless, trained on but not counted when the threshold is set "
             "(default: eval/guard/questions.jsonl)")
    score_parser = command("score", cmd_guard_score, "red-flag recall and false alarms on a labelled JSONL set",
                           epilog="example:\n  %(prog)s eval/guard/train.jsonl --show", parent=guard_commands)
    score_parser.add_argument("data", type=Path, help="labelled JSONL messages (format: eval/guard/README.md)")
    score_parser.add_argument("--rules-only", action="store_true", help="the rule table alone, no meaning layer")
    score_parser.add_argument("--show", action="store_true", help="list every missed red flag and false alarm")

    answers = command("answers", cmd_answers, "score answers on labelled questions and conversations (JSONL)",
                      description="Direct answer present and first, follow-up turns, declines and answer "
                                  "length, on a file in the eval/answers/README.md format.",
                      epilog="example:\n  %(prog)s eval/answers/dev_conversations.jsonl --show")
    answers.add_argument("data", type=Path, help="labelled JSONL questions and conversations")
    answers.add_argument("--show", action="store_true", help="list every turn that missed")
    return parser


@contextmanager
def silenced():
    """--quiet: no progress bars or loading output from Hugging Face libraries, and no log lines below errors —
    for this command only, so a caller that runs `main([...])` in-process gets its logging back afterwards."""
    import logging
    import warnings

    # Read when huggingface_hub and transformers are imported, which the commands do after this (inside them).
    quiet_env = {"HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error"}
    before = {name: os.environ.get(name) for name in quiet_env}
    os.environ.update(quiet_env)
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(logging.NOTSET)
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main(argv: list[str] | None = None) -> int:
    try:
        return _run(argv)
    except BrokenPipeError:
        # Python's own recipe: point stdout at /dev/null, so that flushing it at exit does not fail a second time
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE_CLOSED


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    from .errors import AssistantError, IndexNotReady

    try:
        with silenced() if args.quiet else nullcontext():
            return args.func(args)
    except IndexNotReady as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INDEX
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
