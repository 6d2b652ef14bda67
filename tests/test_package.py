"""The package stands on its own: a wheel built from this tree, installed into a fresh venv with no source tree
beside it, runs `index`, `ask` and `serve` from an unrelated directory.

The fresh venv gets the wheel alone (`--no-deps`) and borrows the 2 GB of dependencies from the test's own venv
through a `.pth` line; the test venv's editable install of this repository is not on that path (its finder is
installed by a `.pth` file, and `.pth` files are only read in the venv's own site-packages), which the tests check.
Nothing is downloaded: the wheel is built with the setuptools already installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import tomllib
from live_server import Served, free_port, wait_for

from assistant.settings import ROOT
from assistant.web.widget import script

pytestmark = pytest.mark.slow

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
# What the package reads at run time besides its modules (tests/test_cli.py and the code name where each is read).
DATA_FILES = {"assistant/calibration.json", "assistant/calibration_exemplars.npz",
              "assistant/support_calibration.json", "assistant/guard/meaning_model.npz", "assistant/web/widget.js",
              "assistant/corpus_data/article.md", "assistant/corpus_data/references.yaml"}


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    elsewhere: Path  # an unrelated working directory
    data_home: Path  # XDG_DATA_HOME: the user's data directory lives under it
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.venv / "bin" / "hip-assistant"), *args], cwd=self.elsewhere, env=self.env,
                              capture_output=True, text=True, timeout=timeout)


def _source_copy(target: Path) -> Path:
    """The files git would ship (tracked, plus new ones not ignored): no index/, models/ or build litter."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    work = tmp_path_factory.mktemp("package")
    source = _source_copy(work / "source")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "-w", str(work / "dist"), str(source)], check=True, capture_output=True, timeout=300)
    wheel = next((work / "dist").glob("hip_pain_assistant-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
                    "--quiet", str(wheel)], check=True, capture_output=True, timeout=300)
    site_packages = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; "
                                         "print(sysconfig.get_paths()['purelib'])"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    (site_packages / "dependencies-from-the-test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere, data_home = work / "elsewhere", work / "data"
    elsewhere.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(work / "home"), "XDG_DATA_HOME": str(data_home),
           "PYTHONUNBUFFERED": "1"}  # and no PYTHONPATH: nothing of the source tree
    return Installed(wheel, venv, elsewhere, data_home, env)


def test_the_wheel_holds_every_module_the_data_files_and_the_licence(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    modules = {str(path.relative_to(ROOT)) for path in (ROOT / "assistant").rglob("*.py")}
    assert modules - names == set(), "modules missing from the wheel (add the package to pyproject.toml)"
    assert DATA_FILES - names == set()
    info = f"hip_pain_assistant-{VERSION}.dist-info"
    assert {f"{info}/licenses/LICENSE", f"{info}/licenses/NOTICE", f"{info}/entry_points.txt"} <= names
    assert not [name for name in names if name.startswith(("tests/", "eval/", "corpus/", "bench/", "index/"))]
    assert not [name for name in names if "/raw/" in name or name.endswith("drop_list.yaml")]
    packaged = zipfile.ZipFile(installed.wheel).read("assistant/corpus_data/article.md").decode()
    assert packaged == (ROOT / "corpus" / "article.md").read_text(encoding="utf-8")  # the one copy, mapped


def test_the_installed_package_is_the_wheel_not_the_source_tree(installed):
    where = subprocess.run([str(installed.venv / "bin" / "python"), "-c",
                            "import assistant, assistant.settings as s; print(assistant.__file__); print(s.CHECKOUT)"],
                           cwd=installed.elsewhere, env=installed.env, capture_output=True, text=True, check=True)
    module, checkout = where.stdout.split()
    assert Path(module).is_relative_to(installed.venv) and checkout == "False"
    version = installed.run("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"hip-assistant {VERSION}"


def test_a_new_user_indexes_then_asks_from_another_directory(installed):
    before = installed.run("ask", "how long should i ice my hip")
    assert before.returncode == 3 and "run `python -m assistant index`" in before.stderr
    assert "Traceback" not in before.stderr

    built = installed.run("index", "--quiet", timeout=900)
    assert built.returncode == 0, built.stderr[-3000:]
    assert built.stderr == "" and built.stdout.startswith("Full build:")  # --quiet: no "Loading weights" bar
    home = installed.data_home / "hip-assistant"
    assert (home / "index" / "chroma.sqlite3").is_file() and (home / "models" / "all-MiniLM-L6-v2.onnx").is_file()

    answered = installed.run("ask", "how long should i ice my hip")
    assert answered.returncode == 0, answered.stderr[-3000:]
    assert "20 minutes at a time" in answered.stdout and "[1]" in answered.stdout
    assert "Sources:\n[1] Treatments for Hip Pain in Runners (chars " in answered.stdout
    assert list(installed.elsewhere.iterdir()) == []  # nothing written to the working directory


def test_the_installed_package_serves_the_page_the_widget_and_the_api(installed):
    if not (installed.data_home / "hip-assistant" / "index" / "chroma.sqlite3").is_file():
        assert installed.run("index", "--quiet", timeout=900).returncode == 0
    port = free_port()
    log_path = installed.elsewhere.parent / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(installed.venv / "bin" / "hip-assistant"), "serve", "--port", str(port)],
                                   cwd=installed.elsewhere, env=installed.env, stdout=log, stderr=subprocess.STDOUT)
    served = Served(f"http://127.0.0.1:{port}", process, log_path)
    try:
        def healthy():
            assert process.poll() is None, f"serve exited with {process.returncode}:\n{served.log()[-3000:]}"
            try:
                return served.get("/api/health").status_code == 200
            except httpx.TransportError:  # not listening yet
                return False

        wait_for(healthy, 180, "the installed app's /api/health")
        assert served.get("/api/health").json()["status"] == "ok"
        page = served.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        widget = served.get("/widget.js")
        assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
        assert widget.text == script(feedback=True).decode()  # the source tree's widget, examples and votes on
        chat = served.post("/api/chat", json={"message": "how long should i ice my hip"})
        assert chat.status_code == 200 and chat.json()["status"] == "answered" and chat.json()["citations"]
    finally:
        served.stop()
    assert "Could not import module" not in served.log()


@pytest.mark.parametrize("command", [["calibrate"], ["eval"], ["clean"], ["guard", "fit"]])
def test_commands_that_rewrite_the_repository_say_they_need_a_checkout(installed, command):
    said = installed.run(*command)
    assert said.returncode == 2 and "runs in a checkout of the repository" in said.stderr, said.stderr[-2000:]
    assert "Traceback" not in said.stderr
