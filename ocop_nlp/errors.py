"""The exception tree. Messages are plain sentences for people: what, which item, what to do.

The library raises; only the CLI prints and chooses the exit status.
"""


class OcopError(Exception):
    """Base of every error ocop-nlp raises on purpose. `reason` is a short tag for summaries."""

    reason = "error"


class InputError(OcopError):
    """The input could not be read as an article."""

    reason = "bad input"


class EmptyTextError(InputError):
    reason = "empty text"


class EncodingError(InputError):
    reason = "bad encoding"


class TooLargeError(InputError):
    reason = "too large"


class FetchError(OcopError):
    reason = "fetch failed"


class TemplateError(OcopError):
    reason = "bad template"


class ConfigError(OcopError):
    reason = "bad config"
