"""A chat assistant that answers runners' hip-pain questions strictly from one article, with citations.

Importing the package switches off every telemetry and hub download it could
trigger: nothing leaves the machine, and no model is fetched at run time.
"""

import os
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hip-pain-assistant")  # one source of truth: pyproject.toml, through the install
except PackageNotFoundError:  # the source tree on sys.path without an install
    __version__ = "0+unknown"

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
