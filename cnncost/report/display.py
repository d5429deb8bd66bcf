"""A thin mixin through which reports show themselves, without report/ importing a
renderer: the package's top (cnncost/__init__.py) registers the module that shows them
(cnncost.render.display), imported only when a report is first printed. Until one is
registered a report shows as its dataclass fields."""
from __future__ import annotations

from typing import Callable

# "module": a function returning the module with as_str(obj), as_repr(obj) and
# as_html(obj); set by cnncost/__init__.py (it imports cnncost.render.display when called)
DISPLAY: dict[str, Callable] = {}


def _shower(how: str):
    module = DISPLAY.get("module")
    return getattr(module(), how) if module else None


class Displayed:
    def __str__(self) -> str:
        show = _shower("as_str")
        return show(self) if show else self.__repr__()

    def __repr__(self) -> str:
        show = _shower("as_repr")
        if show:
            return show(self)
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__dataclass_fields__)
        return f"{type(self).__name__}({fields})"

    def _repr_html_(self) -> str | None:
        show = _shower("as_html")
        return show(self) if show else None
