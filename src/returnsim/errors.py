"""The one exception type for bad input: files, keys, options and values."""

import unicodedata


class InputError(Exception):
    """Bad user input. Its message is one line naming the file, key and what is allowed.

    User text quoted in a message (a key with a newline in it, a NUL in a file name) is
    shown with its control characters escaped, so the message stays one line.
    """

    def __init__(self, message: str) -> None:
        super().__init__("".join(_printable(ch) for ch in str(message)))


def _printable(ch: str) -> str:
    if unicodedata.category(ch)[0] == "C" or ch in "\u2028\u2029":
        return ch.encode("unicode_escape").decode("ascii")
    return ch
