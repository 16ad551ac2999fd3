"""Build time: which shared libraries ELF files ask for (their DT_NEEDED entries), read directly.

Reading the dynamic section in Python takes a second for the whole bundle, where running
ldd on each of its few hundred files takes half a minute.
"""

from __future__ import annotations

import struct
from pathlib import Path

PT_LOAD, PT_DYNAMIC = 1, 2
DT_NULL, DT_NEEDED, DT_STRTAB = 0, 1, 5


def is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def needed(path: Path) -> list[str]:
    """The sonames path links against; [] for a static or unreadable file."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or len(data) < 64:
        return []
    wide = data[4] == 2
    order = "<" if data[5] == 1 else ">"
    if wide:
        phoff, = struct.unpack_from(order + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(order + "HH", data, 0x36)
    else:
        phoff, = struct.unpack_from(order + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(order + "HH", data, 0x2A)
    loads: list[tuple[int, int, int]] = []  # (vaddr, offset, filesz)
    dynamic: tuple[int, int] | None = None
    for i in range(phnum):
        base = phoff + i * phentsize
        if wide:
            p_type, _flags, offset, vaddr, _paddr, filesz = struct.unpack_from(order + "IIQQQQ", data, base)
        else:
            p_type, offset, vaddr, _paddr, filesz = struct.unpack_from(order + "IIIII", data, base)
        if p_type == PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (offset, filesz)
    if dynamic is None:
        return []
    entry = struct.Struct(order + ("qQ" if wide else "iI"))
    names: list[int] = []
    strtab = None
    offset, size = dynamic
    for pos in range(offset, min(offset + size, len(data)) - entry.size + 1, entry.size):
        tag, value = entry.unpack_from(data, pos)
        if tag == DT_NULL:
            break
        if tag == DT_NEEDED:
            names.append(value)
        elif tag == DT_STRTAB:
            strtab = value
    if strtab is None:
        return []
    table = next((off + strtab - va for va, off, sz in loads if va <= strtab < va + sz), None)
    if table is None:
        return []
    result = []
    for name in names:
        start = table + name
        end = data.find(b"\0", start)
        if end > start:
            result.append(data[start:end].decode("ascii", "replace"))
    return result
