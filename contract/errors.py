"""Errors about user input: they name the file, line and field, and print as one line."""

from __future__ import annotations


class InputError(Exception):
    """Unusable input (registry, criteria set, configuration). The CLI exits non-zero with str(self)."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None, field: str | None = None):
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = str(self.file)
            if self.line:
                where += f":{self.line}"
            where += ": "
        if self.field:
            where += f"{self.field}: "
        return where + self.message
