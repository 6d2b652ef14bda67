"""Entry point for ASGI servers run from the repository root (`uvicorn app:app`); the app lives in the package."""

from assistant.web.app import app, create_app  # noqa: F401
