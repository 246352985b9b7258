"""Compiles notebook cells (IPython syntax included) and runs them in the step's `__main__` namespace."""

import ast
import builtins
import inspect
import os
import re

from cellpipe import magics

NO_IPYTHON_VARIABLE = "CELLPIPE_NO_IPYTHON"
# Names the IPython shell provides to notebook code: `get_ipython()` and the `display()` builtin.
_USES_SHELL = re.compile(r"\bget_ipython\b|\bdisplay\s*\(")
_FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def _ipython_transformer():
    if os.environ.get(NO_IPYTHON_VARIABLE, "") not in ("", "0"):
        return None
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return None
    return TransformerManager()


class CellCompiler:
    """Plain Python first; IPython's own transformer for cells that are not plain Python, else `magics.transform`.

    IPython is imported only when a cell needs it: importing it costs more than most steps' own startup.
    """

    _UNLOADED = object()

    def __init__(self):
        self._loaded_transformer = self._UNLOADED
        self.needs_shell = False

    @property
    def _transformer(self):
        if self._loaded_transformer is self._UNLOADED:
            self._loaded_transformer = _ipython_transformer()
        return self._loaded_transformer

    def compile(self, source, filename):
        if _USES_SHELL.search(source) and self._transformer is not None:
            self.needs_shell = True
        try:
            return compile(source, filename, "exec", _FLAGS, dont_inherit=True)
        except SyntaxError as plain_error:
            transformer = self._transformer
            transformed = transformer.transform_cell(source) if transformer else magics.transform(source, filename)
            if transformed == source:
                raise plain_error
            code = compile(transformed, filename, "exec", _FLAGS, dont_inherit=True)
            if transformer is not None:
                self.needs_shell = True
            return code


def provide_display():
    """Without an IPython shell, `display(obj)` prints the plain-text form, as IPython does outside a kernel."""
    if not hasattr(builtins, "display"):
        builtins.display = magics.display


def start_shell(module):
    """A real IPython InteractiveShell bound to the step's `__main__`, so magics and `get_ipython()` work."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    # A pipeline step keeps no input history (and may have a read-only home).
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config, user_module=module, user_ns=module.__dict__)
    # Plots are not displayed in a step; the backend stays the non-interactive default.
    shell.register_magic_function(lambda line: None, "line", "matplotlib")
    return shell


class CellRunner:
    """Runs compiled code in a namespace; code with top-level `await` runs on one event loop kept for the step."""

    def __init__(self, namespace):
        self._namespace = namespace
        self._loop = None

    def run(self, code):
        if code.co_flags & inspect.CO_COROUTINE:
            if self._loop is None:
                import asyncio

                self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(eval(code, self._namespace))
        else:
            exec(code, self._namespace)

    def close(self):
        if self._loop is not None:
            self._loop.close()
