"""Arrays loaded as private (copy-on-write) maps of their .npy file, and the pages a step wrote into them.

The run-time check must tell whether a step changed an array a later step reads. Hashing a 1 GiB array
before and after the step costs more than loading it; a private map costs nothing: the kernel copies a page
the first time it is written, and `/proc/self/pagemap` says which pages are such copies. Only those pages are
compared with the file, so the answer is exact (a page written with the same bytes is not a change) at the
cost of reading a few bytes per page of the array. Where the pagemap cannot be read (not Linux), nothing is
mapped and the check digests the array instead.
"""

import ctypes
import mmap
import os
import weakref

_PAGE = mmap.PAGESIZE
_PRESENT, _SWAPPED, _FILE_PAGE = 1 << 63, 1 << 62, 1 << 61
# id of each array `load_npy` returned -> (a weak reference to it, its file, the offset of its data in the file).
_SOURCES = {}


def available():
    """Whether this process can see its own page table entries."""
    try:
        with open("/proc/self/pagemap", "rb") as pagemap:
            return len(pagemap.read(8)) == 8
    except OSError:
        return False


def load_npy(path):
    """The array in the .npy file at `path`, as a private writable map of the file (a plain ndarray)."""
    import numpy

    with open(path, "rb") as handle:
        version = numpy.lib.format.read_magic(handle)
        read_header = numpy.lib.format.read_array_header_1_0 if version == (1, 0) else numpy.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = read_header(handle)
        offset = handle.tell()
        count = 1
        for length in shape:
            count *= length
        if dtype.hasobject or count == 0 or dtype.itemsize == 0:
            return numpy.load(path, allow_pickle=False)
        mapping = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY)
    array = numpy.frombuffer(mapping, dtype=dtype, count=count, offset=offset)
    array = array.reshape(shape, order="F" if fortran_order else "C")
    _SOURCES[id(array)] = (weakref.ref(array), path, offset)
    return array


def is_mapped(value):
    """Whether `value` is an array `load_npy` returned (not a view or copy of one)."""
    source = _SOURCES.get(id(value))
    return source is not None and source[0]() is value


def reload(array):
    """A fresh map of the file a mapped array was loaded from: its value as the producer saved it."""
    return load_npy(_SOURCES[id(array)][1])


def changed(array):
    """Whether any byte of a mapped array differs from its file: only pages the process wrote are compared."""
    import numpy

    _, path, offset = _SOURCES[id(array)]
    start = _address(array)
    end = start + array.nbytes
    first, last = start // _PAGE, (end - 1) // _PAGE
    with open("/proc/self/pagemap", "rb") as pagemap:
        pagemap.seek(first * 8)
        entries = numpy.frombuffer(pagemap.read((last - first + 1) * 8), dtype="<u8")
    # A page of a private file map that is present but no longer the file's page was copied on a write.
    written = ((entries & numpy.uint64(_PRESENT)) != 0) & ((entries & numpy.uint64(_FILE_PAGE)) == 0)
    written |= (entries & numpy.uint64(_SWAPPED)) != 0
    with open(path, "rb") as source:
        for number in numpy.nonzero(written)[0].tolist():
            low = max(start, (first + number) * _PAGE)
            high = min(end, (first + number + 1) * _PAGE)
            if ctypes.string_at(low, high - low) != os.pread(source.fileno(), high - low, offset + low - start):
                return True
    return False


def _address(array):
    return array.__array_interface__["data"][0]
