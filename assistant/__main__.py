"""Command line: `python -m assistant {clean,index,calibrate,ask,serve}` (also installed as `hip-assistant`).

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

    history = json.loads(Path(args.history).read_text()) if args.history else []
    answer = Assistant().answer(args.question, history)
    print(as_json(answer) if args.json else as_text(answer))
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from . import decline
    from .engine import Engine

    model, samples = decline.calibrate(Engine().warm_up(), args.questions)
    decline.save(model, samples, str(args.questions))
    print(open(decline.CALIBRATION_FILE).read())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)
    uvicorn.run("app:app", host=args.host or settings.host, port=args.port or settings.port, log_level="info")
    return 0


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

    calibrate = sub.add_parser("calibrate", help="fit the decline threshold on labelled questions")
    calibrate.add_argument("--questions", type=Path, default=Path("eval/calibration.yaml"))
    calibrate.set_defaults(func=cmd_calibrate)

    serve = sub.add_parser("serve", help="start the chat page and the JSON API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)
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
