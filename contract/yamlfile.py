"""Load YAML and remember the line of every value, so that errors can name it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError


class Located:
    """A loaded YAML document plus the source line of each path in it."""

    def __init__(self, file: str, data: Any, lines: dict[tuple, int]):
        self.file = file
        self.data = data
        self.lines = lines

    def line(self, path: tuple) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def error(self, path: tuple, message: str) -> InputError:
        field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")
        return InputError(message, file=self.file, line=self.line(path), field=field or None)


def _construct(node: yaml.Node, path: tuple, lines: dict[tuple, int], file: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key in out:
                raise InputError(f"duplicate key {key!r}", file=file, line=key_node.start_mark.line + 1)
            out[key] = _construct(value_node, path + (key,), lines, file)
            lines[path + (key,)] = key_node.start_mark.line + 1  # errors point at the key, not its block
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, path + (i,), lines, file) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    # A throwaway loader resolves the scalar's tag (int, bool, date...) as safe_load would.
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def load(path: str | Path) -> Located:
    """Parse a YAML file (UTF-8) into plain data with line numbers; InputError on any problem."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=file) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", file=file) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputError("not valid UTF-8 (save the file as UTF-8)", file=file, line=line) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        raise InputError(f"invalid YAML: {problem}", file=file, line=mark.line + 1 if mark else None) from None
    lines: dict[tuple, int] = {}
    data = None if node is None else _construct(node, (), lines, file)
    return Located(file, data, lines)
