"""Read a function's source: its ``interrupt(...)`` calls and how each answer is used.

`call_sites(func)` parses the function once (cached by code object) and returns one
`Site` per ``interrupt(...)`` call: what its payload looks like in the code (a dict
literal's keys, a string) and a `Use` of the answer: the string literals it is compared
to, the keys read from it (and the literals those are compared to), whether it is tested
for truth, whether it is used as a value, and its annotation or ``isinstance`` checks.

Example::

    def approve(state):
        decision = interrupt({"question": "OK?", "llm_output": state["text"]})
        if decision == "approve": ...

    call_sites(approve)[0].use.text      # ['approve']
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Any

#: String methods that keep a value a string (``answer.strip().lower() == "yes"``).
STR_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "casefold",
                         "title", "capitalize"})


@dataclass
class Use:
    """How one interrupt's answer is used by the code around the call."""

    text: list[str] = field(default_factory=list)           # compared to these strings
    keys: dict[str, list[str]] = field(default_factory=dict)  # key -> compared strings
    truth: bool = False          # ``if answer``, ``not answer``, ``x if answer else y``
    value: bool = False          # passed on as it is (returned, stored, formatted)
    number: bool = False         # compared to a number or checked for int/float
    types: set[str] = field(default_factory=set)  # isinstance / annotation: str, dict, bool
    name: str = ""               # the variable it was assigned to
    #: the keys it is stored under as it is (``{"user_name": answer}``, ``f(text=answer)``)
    fields: list[str] = field(default_factory=list)
    #: compared string -> the ``if`` statements whose test compares to it
    tests: dict[str, set[int]] = field(default_factory=dict)
    #: key read -> (``if`` statement, "body" or "orelse") around each read
    where: dict[str, set[tuple[int, str]]] = field(default_factory=dict)


@dataclass
class Site:
    """One ``interrupt(...)`` call: the payload as written, and the answer's `Use`."""

    keys: frozenset[str] | None   # a dict literal's string keys; None when not a literal
    spread: bool                  # the dict literal has ``**other`` entries
    text: bool                    # the payload is a string literal or f-string
    use: Use
    literal: str | None = None    # the payload's text, when it is a plain string


_CACHE: dict[Any, list[Site]] = {}


def call_sites(func: Any, names: frozenset[str] = frozenset({"interrupt"})) -> list[Site]:
    """The ``interrupt`` calls in ``func``'s source (cached); [] when it cannot be read."""
    code = getattr(func, "__code__", None)
    key = (code, names) if code is not None else None
    if key is not None and key in _CACHE:
        return _CACHE[key]
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        sites: list[Site] = []
    else:
        sites = _Finder(names).run(tree)
    if key is not None:
        if len(_CACHE) > 4_096:  # re-run notebook cells make new code objects
            _CACHE.clear()
        _CACHE[key] = sites
    return sites


def _is_call(node: ast.AST, names: frozenset[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    return (isinstance(f, ast.Name) and f.id in names) or \
        (isinstance(f, ast.Attribute) and f.attr == "interrupt")


def _strings(node: ast.AST) -> list[str]:
    """The string constants of ``"x"`` or ``("x", "y")`` / ``["x"]`` / ``{"x"}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [e.value for e in node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def _stored_as(node: ast.AST, parent: ast.AST | None) -> str:
    """The key ``node`` is the value of: ``{"k": node}`` or ``f(k=node)`` ("" if none)."""
    if isinstance(parent, ast.Dict):
        for key, value in zip(parent.keys, parent.values, strict=True):
            if value is node and isinstance(key, ast.Constant) and isinstance(key.value, str):
                return key.value
    if isinstance(parent, ast.keyword) and parent.arg:
        return parent.arg
    return ""


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
        and not isinstance(node.value, bool)


class _Finder:
    """Walk one module-level function: find the calls, then the uses of their answers."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def run(self, tree: ast.AST) -> list[Site]:
        parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        self.parents = parents
        self.tree = tree
        sites = []
        for node in ast.walk(tree):
            if _is_call(node, self.names):
                sites.append(self._site(node))
        return sites

    def _site(self, call: ast.Call) -> Site:
        payload = call.args[0] if call.args else next(
            (k.value for k in call.keywords if k.arg == "value"), None)
        keys: frozenset[str] | None = None
        spread = False
        if isinstance(payload, ast.Dict):
            spread = any(k is None for k in payload.keys)
            keys = frozenset(k.value for k in payload.keys
                             if isinstance(k, ast.Constant) and isinstance(k.value, str))
        text = isinstance(payload, ast.JoinedStr) or (
            isinstance(payload, ast.Constant) and isinstance(payload.value, str))
        use = Use()
        target = self._target(call, use)
        if target:
            use.name = target
            self._uses_of(target, call, use)
        else:
            self._used(call, use)
        literal = payload.value if isinstance(payload, ast.Constant) and text else None
        return Site(keys, spread, text, use, literal)

    def _target(self, call: ast.Call, use: Use) -> str:
        """The variable the answer is assigned to (``x = interrupt(...)``), if any."""
        parent = self.parents.get(call)
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 \
                and isinstance(parent.targets[0], ast.Name):
            return parent.targets[0].id
        if isinstance(parent, ast.AnnAssign) and isinstance(parent.target, ast.Name):
            ann = parent.annotation
            if isinstance(ann, ast.Name):
                use.types.add(ann.id)
            return parent.target.id
        if isinstance(parent, ast.NamedExpr):
            return parent.target.id
        return ""

    def _uses_of(self, name: str, call: ast.Call, use: Use) -> None:
        """Every later load of ``name``, of its string aliases (``d = name.lower()``)
        and of the keys read into variables (``action = name["action"]``)."""
        aliases, keyed = {name}, {}
        line = getattr(call, "lineno", 0)
        loads = sorted((n for n in ast.walk(self.tree)
                        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)),
                       key=lambda n: (n.lineno, n.col_offset))
        for node in loads:
            if node.lineno < line:
                continue
            if node.id in keyed:
                self._branches(self._climb(node)[0], keyed[node.id], use)
                continue
            if node.id not in aliases:
                continue
            top, read = self._used(node, use)
            target = self._assigned(top)
            if target and read is not None:
                keyed[target] = read
            elif target and top is not node and isinstance(top, ast.Call):
                aliases.add(target)

    def _branches(self, holder: ast.AST, key: str, use: Use) -> None:
        """Note the strings ``key``'s value is compared to, the ``if`` tests doing it,
        and the side of each enclosing ``if`` where the key is read."""
        said = [w for w in self._compared(holder, use) if w not in use.keys[key]]
        use.keys[key] += said
        node, child = self.parents.get(holder), holder
        while node is not None and not isinstance(node, (ast.FunctionDef,
                                                         ast.AsyncFunctionDef)):
            if isinstance(node, ast.If):
                if child is node.test:
                    for word in said:
                        use.tests.setdefault(word, set()).add(id(node))
                else:
                    side = "body" if child in node.body else "orelse"
                    use.where.setdefault(key, set()).add((id(node), side))
            node, child = self.parents.get(node), node

    def _assigned(self, node: ast.AST) -> str:
        parent = self.parents.get(node)
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1 \
                and isinstance(parent.targets[0], ast.Name):
            return parent.targets[0].id
        return ""

    def _compared(self, top: ast.AST, use: Use) -> list[str]:
        """The strings ``top`` is compared to (``==``, ``in``, ``.startswith``)."""
        parent = self.parents.get(top)
        if isinstance(parent, ast.Compare):
            found: list[str] = []
            for other in [parent.left, *parent.comparators]:
                if other is top:
                    continue
                found += _strings(other)
                if isinstance(other, ast.Constant) and isinstance(other.value, bool):
                    use.truth = True
                if _is_number(other):
                    use.number = True
            return found
        if isinstance(parent, ast.Attribute) and parent.attr in ("startswith", "endswith"):
            call = self.parents.get(parent)
            if isinstance(call, ast.Call) and call.args:
                return _strings(call.args[0])
        return []

    def _used(self, node: ast.AST, use: Use) -> tuple[ast.AST, str | None]:
        """Record what the expression around ``node`` does with it; return the outermost
        expression that still stands for it (``answer.strip().lower()``, or the key read
        ``answer.get("k")``) and the key read, if any."""
        top, stringy = self._climb(node)
        if stringy:
            use.types.add("str")
        parent = self.parents.get(top)
        key = self._key(top, parent)
        if key is not None:
            read, holder = key
            use.keys.setdefault(read, [])
            holder, _ = self._climb(holder)
            self._branches(holder, read, use)
            return holder, read
        if isinstance(parent, ast.Compare) and parent.left is not top and \
                any(isinstance(op, ast.In | ast.NotIn) for op in parent.ops) and \
                _strings(parent.left):
            use.keys.update({s: use.keys.get(s, []) for s in _strings(parent.left)})
            return top, None
        if isinstance(parent, ast.FormattedValue):  # f"{query} {feedback}": a text
            use.types.add("str")
            return top, None
        said = self._compared(top, use)
        if isinstance(parent, ast.Compare) or said:
            use.text += [w for w in said if w not in use.text]
            return top, None
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name):
            if parent.func.id == "isinstance" and len(parent.args) == 2:
                kinds = parent.args[1]
                elts = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
                use.types.update(e.id for e in elts if isinstance(e, ast.Name))
                return top, None
            if parent.func.id == "bool":
                use.truth = True
                return top, None
        tested = isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) \
            and getattr(parent, "test", None) is top
        negated = isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)
        if tested or negated or isinstance(parent, ast.BoolOp):
            use.truth = True
        else:
            use.value = True
            stored = _stored_as(top, parent)
            if stored and stored not in use.fields:
                use.fields.append(stored)
        return top, None

    def _climb(self, node: ast.AST) -> tuple[ast.AST, bool]:
        """``node`` followed up through what keeps standing for it: string methods
        (``x.strip().lower()``), ``str(x)``, and a default (``x or {}``)."""
        top, stringy = node, False
        while True:
            parent = self.parents.get(top)
            if isinstance(parent, ast.Attribute) and parent.attr in STR_METHODS \
                    and isinstance(self.parents.get(parent), ast.Call):
                top, stringy = self.parents[parent], True
            elif isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) \
                    and parent.func.id == "str" and parent.args == [top]:
                top, stringy = parent, True
            elif isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.Or) \
                    and parent.values[0] is top and len(parent.values) == 2 \
                    and isinstance(parent.values[1], (ast.Dict, ast.Constant)):
                top = parent
            else:
                return top, stringy

    def _key(self, node: ast.AST, parent: ast.AST | None) -> tuple[str, ast.AST] | None:
        """``answer["k"]`` or ``answer.get("k", ...)``: (``"k"``, that expression)."""
        if isinstance(parent, ast.Subscript) and parent.value is node:
            found = _strings(parent.slice)
            return (found[0], parent) if found else None
        if isinstance(parent, ast.Attribute) and parent.attr == "get":
            call = self.parents.get(parent)
            if isinstance(call, ast.Call) and call.args:
                found = _strings(call.args[0])
                return (found[0], call) if found else None
        return None
