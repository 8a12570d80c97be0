"""Imports potentiel's modules from source text held in one file (xlwings Lite's main.py).

xlwings Lite keeps a workbook's Python in the workbook itself, in its main.py; ``potentiel
lite`` copies the modules the formulas and buttons need into that file as text, and this
finder (whose source is copied there too) lets ``import addin...`` find them there.  A module
of potentiel that was not copied (file writers, the sync) is reported as missing rather than
looked for elsewhere.
"""

import importlib.abc
import importlib.machinery
import importlib.util
import linecache
import sys
import types


class Bundle(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Modules of the packages ``roots`` from ``sources``: name -> (is a package, source)."""

    potentiel_bundle = True  # how a later install() recognises this finder

    def __init__(self, roots: set[str], sources: dict[str, tuple[bool, str]]) -> None:
        self.roots, self.sources = roots, sources

    def find_spec(self, fullname: str, path: object = None,
                  target: object = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.sources:
            if fullname.partition(".")[0] in self.roots:
                raise ModuleNotFoundError(f"{fullname} is not part of potentiel in xlwings Lite",
                                          name=fullname)
            return None
        spec = importlib.util.spec_from_loader(fullname, self,
                                               is_package=self.sources[fullname][0])
        if spec is not None:
            spec.origin, spec.has_location = self.filename(fullname), True
        return spec

    def filename(self, fullname: str) -> str:
        """Where tracebacks say a line is: the module's path in the potentiel package."""
        tail = "/__init__.py" if self.sources[fullname][0] else ".py"
        return fullname.replace(".", "/") + tail

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # the default module object

    def exec_module(self, module: types.ModuleType) -> None:
        source, filename = self.sources[module.__name__][1], self.filename(module.__name__)
        lines = source.splitlines(keepends=True)
        linecache.cache[filename] = (len(source), None, lines, filename)
        module.__file__ = filename
        exec(compile(source, filename, "exec"), module.__dict__)


def install(roots: set[str], sources: dict[str, tuple[bool, str]]) -> None:
    """Make the modules importable, ahead of any installed copy of the same packages.

    xlwings Lite runs main.py again in the same Python after every edit: the finder and the
    modules of the previous run are dropped first, so the new text is what runs.
    """
    sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "potentiel_bundle", False)]
    for name in [n for n in sys.modules if n.partition(".")[0] in roots]:
        del sys.modules[name]
    sys.meta_path.insert(0, Bundle(roots, sources))
