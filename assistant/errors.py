"""A small exception hierarchy whose messages say what to do next; the API maps them to HTTP codes."""


class AssistantError(Exception):
    """Base class: the message is shown to the user as is."""


class CorpusError(AssistantError):
    """The corpus files are missing or malformed."""


class IndexNotReady(AssistantError):
    """The index is missing, stale, corrupted or unreachable; the message names the repair command."""


class IndexUnreachable(IndexNotReady):
    """The Chroma server cannot be reached. A process that loaded the index before answers from it meanwhile, and
    says so with `what` (the fault alone) rather than with `fix` (how to bring the server back)."""

    def __init__(self, what: str, fix: str):
        super().__init__(what, fix)
        self.what, self.fix = what, fix

    def __str__(self) -> str:
        return f"{self.what} — {self.fix}"


class ConfigError(AssistantError):
    """Settings contradict each other or name something that does not exist."""


class BadInput(AssistantError):
    """A question or request the assistant cannot take as it is."""


class MessageTooLong(BadInput):
    """A message, or an earlier user turn, over `HIP_MAX_MESSAGE_CHARS`; the API answers 413 with the limit."""


class FeedbackNotSaved(AssistantError):
    """A vote could not be written; it is held in memory and written with the next vote that can be saved."""
