"""The command line as a user meets it: help on everything, --version, --quiet, and exit codes that mean what
`--help` says. Commands run as subprocesses from a directory that is not the repository."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib

import pytest
import yaml

import assistant
from assistant.__main__ import EXIT_GATE, EXIT_INDEX, EXIT_OK, EXIT_PIPE_CLOSED, EXIT_USAGE, build_parser
from assistant.settings import ROOT


def run(*args: str, cwd, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def on_index(settings) -> dict[str, str]:
    return {"HIP_INDEX_DIR": str(settings.index_dir), "HIP_ENCODER_PATH": str(settings.encoder_path)}


def _commands(parser: argparse.ArgumentParser, path=()):
    """Every command, nested ones included ("guard fit"), with its parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*path, name), sub, helps.get(name)
                yield from _commands(sub, (*path, name))


def test_every_command_and_argument_has_help_text():
    commands = list(_commands(build_parser()))
    assert {" ".join(path) for path, _, _ in commands} >= {"index", "ask", "serve", "calibrate", "eval", "clean",
                                                             "guard", "guard fit", "guard score", "answers"}
    missing = []
    for path, parser, summary in commands:
        if not summary or not parser.description:
            missing.append(" ".join(path))
        missing += [f"{' '.join(path)} {action.dest}" for action in parser._actions
                    if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) and not action.help]
    assert not missing, f"no help text: {missing}"


def test_top_level_help_is_for_users_with_examples_variables_and_exit_codes(tmp_path):
    shown = run("--help", cwd=tmp_path)
    assert shown.returncode == EXIT_OK
    assert "Answers runners' questions about hip pain" in shown.stdout
    assert "Heavy modules" not in shown.stdout  # the developer docstring is not the help
    for needed in ('ask "how long should i ice my hip"', "HIP_HOME", "HIP_PORT", "CHROMA_HOST", "exit codes:",
                   f"{EXIT_INDEX}    the index is missing"):
        assert needed in shown.stdout, needed


def test_version_comes_from_the_package_metadata(tmp_path):
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert assistant.__version__ == declared
    shown = run("--version", cwd=tmp_path)
    assert shown.returncode == EXIT_OK and shown.stdout.strip() == f"python -m assistant {declared}"


@pytest.mark.slow
def test_ask_quiet_prints_the_answer_and_nothing_else_from_any_directory(built_settings, tmp_path):
    answered = run("ask", "how long should i ice my hip", "--quiet", cwd=tmp_path, env=on_index(built_settings))
    assert answered.returncode == EXIT_OK, answered.stderr
    assert answered.stderr == ""
    assert answered.stdout.startswith("Apply ice.") and "20 minutes" in answered.stdout
    assert "Sources:\n[1] Treatments for Hip Pain in Runners" in answered.stdout


@pytest.mark.slow
def test_exit_codes_are_the_documented_ones(built_settings, tmp_path):
    usage = run("ask", cwd=tmp_path)  # no question
    assert usage.returncode == EXIT_USAGE and "the following arguments are required: question" in usage.stderr
    empty = run("ask", "   ", cwd=tmp_path)
    assert empty.returncode == EXIT_USAGE and "The question is empty" in empty.stderr
    no_index = run("ask", "how long should i ice my hip", cwd=tmp_path,
                   env={"HIP_INDEX_DIR": str(tmp_path / "no-index"),
                        "HIP_ENCODER_PATH": str(built_settings.encoder_path)})
    assert no_index.returncode == EXIT_INDEX, no_index.stderr
    assert "is missing — run `python -m assistant index`" in no_index.stderr and "Traceback" not in no_index.stderr
    bad_setting = run("ask", "how long should i ice my hip", cwd=tmp_path, env={"HIP_RETRIEVAL": "magic"})
    assert bad_setting.returncode == EXIT_USAGE and "HIP_RETRIEVAL='magic'" in bad_setting.stderr


@pytest.mark.slow
def test_eval_exits_1_when_a_metric_misses_the_gate(built_settings, tmp_path):
    gate = tmp_path / "gate.yaml"
    gate.write_text(yaml.safe_dump({"version": 1, "gate": {"groundedness": {"min": 1.0},
                                                           "retrieval_recall@3[fused]": {"min": 1.0}}}))
    scored = run("eval", "--gate", str(gate), "--out", str(tmp_path / "out"), "--quiet", cwd=tmp_path,
                 env=on_index(built_settings), timeout=600)
    assert scored.returncode == EXIT_GATE, scored.stdout[-2000:] + scored.stderr[-2000:]
    assert "retrieval_recall@3[fused]" in scored.stdout and (tmp_path / "out" / "report.html").is_file()


def test_calibrate_defaults_do_not_depend_on_the_working_directory(tmp_path):
    """Its defaults are the repository's files wherever it runs; a missing file is named, before anything loads."""
    args = build_parser().parse_args(["calibrate"])
    assert args.questions == ROOT / "eval" / "calibration.yaml" and args.questions.is_file()
    assert args.pairs == ROOT / "eval" / "support_pairs.yaml" and args.pairs.is_file()
    missing = run("calibrate", "--questions", "nowhere.yaml", cwd=tmp_path)
    assert missing.returncode == EXIT_USAGE
    assert missing.stderr == "error: --questions nowhere.yaml: no such file.\n"


def test_ask_into_a_reader_that_stopped_reading_exits_quietly(built_settings, tmp_path):
    """`ask … | head -1` where head has already gone: the conventional SIGPIPE exit, not a traceback."""
    process = subprocess.Popen([sys.executable, "-m", "assistant", "ask", "how long should i ice my hip"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **on_index(built_settings)})
    process.stdout.close()  # the reader is gone before the answer is printed
    errors = process.stderr.read()
    assert process.wait(timeout=300) == EXIT_PIPE_CLOSED, errors
    assert "Traceback" not in errors and "BrokenPipeError" not in errors


@pytest.mark.parametrize(("name", "left_out"), [("dev2", True), ("my_new_questions", False)])
def test_scoring_a_labelled_file_leaves_its_own_precedents_out(built_settings, tmp_path, name, left_out):
    """A content editor scoring dev2.jsonl gets what a new runner would: the precedents built from that file are
    left out (and the output says so), or each of its questions would find itself already answered."""
    first_item = (ROOT / "eval" / "answers" / "dev2.jsonl").read_text(encoding="utf-8").splitlines()[0]
    data = tmp_path / f"{name}.jsonl"
    data.write_text(first_item + "\n", encoding="utf-8")
    result = run("answers", "-q", str(data), cwd=tmp_path, env=on_index(built_settings))
    assert result.returncode == EXIT_OK, result.stderr
    assert ("precedents come from a file named dev2: left out" in result.stdout) is left_out
