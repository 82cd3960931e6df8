"""Load YAML and remember the line of every value, so that errors can name it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError


class Located:
    """A loaded YAML document plus the source line of each path in it."""

    def __init__(self, file: str, data: Any, lines: dict[tuple[Any, ...], int]):
        self.file = file
        self.data = data
        self.lines = lines

    def line(self, path: tuple[Any, ...]) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def error(self, path: tuple[Any, ...], message: str) -> InputError:
        field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")
        return InputError(message, file=self.file, line=self.line(path), field=field or None)


MAX_ALIASES = 100  # uses of an anchor (`*name`): plenty for a registry, and no "billion laughs" expansion
MAX_VALUES = 200_000  # values in one document, aliases expanded: a national registry has a few thousand


class _Budget:
    """What one document may cost to build: aliases are expanded, so a small file could otherwise grow without
    bound (an alias of an alias of ... is exponential); refused with a one-line error instead."""

    def __init__(self, file: str):
        self.file = file
        self.seen: set[int] = set()
        self.aliases = 0
        self.values = 0

    def visit(self, node: yaml.Node) -> None:
        self.values += 1
        if (id(node) in self.seen and not isinstance(node, yaml.ScalarNode)) or self.values > MAX_VALUES:
            self.aliases += 1
            if self.aliases > MAX_ALIASES or self.values > MAX_VALUES:
                raise InputError(
                    f"too many YAML aliases: anchors (&name) may be used at most {MAX_ALIASES} times "
                    f"and a document may hold at most {MAX_VALUES} values",
                    file=self.file,
                    line=node.start_mark.line + 1,
                )
        self.seen.add(id(node))


def _construct(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int], budget: _Budget) -> Any:
    budget.visit(node)
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key in out:
                raise InputError(f"duplicate key {key!r}", file=budget.file, line=key_node.start_mark.line + 1)
            out[key] = _construct(value_node, (*path, key), lines, budget)
            lines[(*path, key)] = key_node.start_mark.line + 1  # errors point at the key, not its block
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, i), lines, budget) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
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
    lines: dict[tuple[Any, ...], int] = {}
    data = None if node is None else _construct(node, (), lines, _Budget(file))
    return Located(file, data, lines)
