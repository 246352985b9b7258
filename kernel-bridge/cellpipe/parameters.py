"""Pipeline parameter values with Python's literal semantics: `parameterSources` are evaluated by `ast.literal_eval`.

JSON cannot tell `1.0` from `1`, a tuple from a list, `{1: 'a'}` from `{'1': 'a'}`, nor hold every digit of a big
int, so the compiler also sends the Python source of every value written as a literal.
"""

import ast

from cellpipe.spec import InvalidSpec


def values(document):
    """The parameter values to bind: `parameters`, with each name in `parameterSources` evaluated from its source."""
    result = dict(document.get("parameters", {}))
    sources = document.get("parameterSources", {})
    if not isinstance(sources, dict):
        raise InvalidSpec("spec.parameterSources must be an object")
    for name, source in sources.items():
        if not isinstance(source, str):
            raise InvalidSpec("spec.parameterSources[{!r}] must be a string".format(name))
        try:
            result[name] = ast.literal_eval(source)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as error:
            raise InvalidSpec("spec.parameterSources[{!r}] is not a Python literal: {}".format(name, error)) from None
    return result
