"""The global random number generators (`random`, `numpy.random`) carried from step to step, as in one kernel.

A step whose spec has `randomState` saves both states after its cells (`random-state.pkl` in its output folder);
with `randomState.dir` it first restores the states an earlier step saved there, so `random.seed(0)` in one step
and draws in later ones give the notebook's numbers.
"""

import os
import pickle
import random
import sys

FILE_NAME = "random-state.pkl"


def before_cells(spec):
    """Restores the RNG state of the step this one continues, if the spec names one."""
    state = spec.get("randomState")
    if isinstance(state, dict) and isinstance(state.get("dir"), str):
        restore(state["dir"])


def after_cells(spec, out_dir):
    """Saves the RNG state for the next step that uses it, if this step uses it."""
    if isinstance(spec.get("randomState"), dict):
        save(out_dir)


def restore(directory):
    """Sets the global RNG states saved in `directory` (numpy's only if that step had numpy imported)."""
    with open(os.path.join(directory, FILE_NAME), "rb") as handle:
        states = pickle.load(handle)
    random.setstate(states["random"])
    if "numpy" in states:
        import numpy

        numpy.random.set_state(states["numpy"])


def save(directory):
    """Writes the global RNG states into `directory`, atomically."""
    states = {"random": random.getstate()}
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        states["numpy"] = numpy.random.get_state()
    path = os.path.join(directory, FILE_NAME)
    temporary = path + ".tmp"
    with open(temporary, "wb") as handle:
        pickle.dump(states, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)
