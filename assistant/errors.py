"""A small exception hierarchy whose messages say what to do next; the API maps them to HTTP codes."""


class AssistantError(Exception):
    """Base class: the message is shown to the user as is."""


class CorpusError(AssistantError):
    """The corpus files are missing or malformed."""


class IndexNotReady(AssistantError):
    """The index is missing, stale, corrupted or unreachable; the message names the repair command."""


class IndexUnreachable(IndexNotReady):
    """The Chroma server cannot be reached. A process that loaded the index before answers from it meanwhile."""


class ConfigError(AssistantError):
    """Settings contradict each other or name something that does not exist."""


class BadInput(AssistantError):
    """A question or request the assistant cannot take as it is."""


class MessageTooLong(BadInput):
    """A message, or an earlier user turn, over `HIP_MAX_MESSAGE_CHARS`; the API answers 413 with the limit."""


class FeedbackNotSaved(AssistantError):
    """A vote could not be written; it is held in memory and written with the next vote that can be saved."""
