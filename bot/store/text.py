"""`position(text, part)`: where `part` first occurs in `text` (1-based; 0 when it does not), in SQL.

SQLite calls it instr(text, part), PostgreSQL strpos(text, part): one name for queries that take keys
apart on both databases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class _Position(FunctionElement[int]):
    type = Integer()
    inherit_cache = True
    name = "position"


def position(text: Any, part: Any) -> Any:
    return _Position(text, part)


@compiles(_Position, "sqlite")
def _sqlite(element: _Position, compiler: Any, **kw: Any) -> str:
    text, part = (compiler.process(c, **kw) for c in element.clauses)
    return f"instr({text}, {part})"


@compiles(_Position, "postgresql")
def _postgresql(element: _Position, compiler: Any, **kw: Any) -> str:
    text, part = (compiler.process(c, **kw) for c in element.clauses)
    return f"strpos({text}, {part})"
