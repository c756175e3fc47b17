"""Reading planners' YAML files safely: bounded aliases, impossible dates kept as text, line numbers.

PyYAML's ``safe_load`` has three traps for files people type by hand or
receive from others:

- an unquoted impossible date (``start: 2027-02-30``) raises a bare
  ``ValueError`` traceback instead of a message; here it stays the text
  ``"2027-02-30"`` so the plan's date check reports it exactly like the
  quoted form (``公历 2027年2月30日 不存在``);
- anchors and aliases expand without limit ("billion laughs": ten nested
  aliases of ten give 10^10 values), which hangs any code that walks the
  result; here the expanded size is counted (memoised, so counting is cheap)
  and a file over :data:`MAX_NODES` values or with a recursive alias is
  refused before anything walks it;
- errors carry no line; :func:`read_yaml` returns, beside the data, a map
  from each value's path (``("categories", "dibao", "cash")``) to its line.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from reliefplan.core.errors import ConfigError

MAX_NODES = 200_000      # values after alias expansion; the demo plan has ~1 000
MAX_BYTES = 5_000_000    # a plan or case library is a few kB


class _Loader(yaml.SafeLoader):
    """SafeLoader whose timestamps never raise: an impossible date stays its text."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _expanded_size(root, path, what_zh: str, what_en: str) -> int:
    """Number of values once aliases are expanded; ConfigError when too many or recursive."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ConfigError(f"{what_zh}含有递归引用(锚点 & / 别名 *)",
                              f"the {what_en} holds a recursive alias (& anchor / * alias)",
                              file=path, row=node.start_mark.line + 1)
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                total += size(v)
        active.discard(key)
        if total > MAX_NODES:
            raise ConfigError(f"{what_zh}展开后超过 {MAX_NODES:,} 个值(锚点/别名嵌套过深?)",
                              f"the {what_en} expands to more than {MAX_NODES:,} values (nested anchors/aliases?)",
                              file=path, row=node.start_mark.line + 1)
        sizes[key] = total
        return total

    return size(root)


def _line_numbers(root) -> dict[tuple, int]:
    out: dict[tuple, int] = {}

    def walk(node, at):
        out.setdefault(at, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                out.setdefault(at + (str(k.value),), k.start_mark.line + 1)
                walk(v, at + (str(k.value),))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, at + (i,))

    walk(root, ())
    return out


def parse_yaml(text: str, path=None, *, what_zh: str = "YAML 文件", what_en: str = "YAML file"):
    """Parse ``text``; returns (data, lines) where lines maps a value's path to its 1-based line.

    Raises ConfigError (naming ``path`` and the line) for syntax errors,
    recursive aliases and alias bombs.
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, {}
        _expanded_size(root, path, what_zh, what_en)
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        raise ConfigError("YAML 格式错误", f"YAML syntax error: {exc}", file=path, row=row) from exc
    finally:
        loader.dispose()
    return data, _line_numbers(root)


def read_yaml(path, *, what_zh: str = "YAML 文件", what_en: str = "YAML file"):
    """Read and parse a UTF-8 YAML file: (data, lines). Errors are ConfigError naming the file."""
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        raise ConfigError(f"{what_zh}过大(超过 {MAX_BYTES // 1_000_000} MB)",
                          f"the {what_en} is too large (over {MAX_BYTES // 1_000_000} MB)", file=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what_zh}须为 UTF-8 编码", f"the {what_en} must be UTF-8", file=path) from exc
    return parse_yaml(text, path, what_zh=what_zh, what_en=what_en)
