"""The one exception type for bad input: files, keys, options and values."""


class InputError(Exception):
    """Bad user input. Its message is one line naming the file, key and what is allowed."""
