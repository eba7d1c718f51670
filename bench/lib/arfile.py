"""Read the members of a Unix `ar` archive (GNU/SysV and BSD long names).

Only what the fixture builder needs: iterate (name, bytes) of regular
members, skipping the symbol index and the long-name table.
"""

MAGIC = b"!<arch>\n"


def members(path):
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(MAGIC):
        return  # e.g. a linker script named .a (libc.so-style): no members
    pos, longnames = len(MAGIC), b""
    while pos + 60 <= len(data):
        header = data[pos:pos + 60]
        raw_name = header[0:16].rstrip(b" ")
        size = int(header[48:58].decode().strip())
        start = pos + 60
        body = data[start:start + size]
        pos = start + size + (size & 1)
        if raw_name == b"//":  # GNU long-name table
            longnames = body
            continue
        if raw_name in (b"/", b"/SYM64/", b"__.SYMDEF", b"__.SYMDEF SORTED"):
            continue  # symbol index
        if raw_name.startswith(b"#1/"):  # BSD: name stored at the start of the body
            n = int(raw_name[3:])
            name, body = body[:n].rstrip(b"\0"), body[n:]
        elif raw_name.startswith(b"/") and raw_name[1:].isdigit():
            off = int(raw_name[1:])
            name = longnames[off:longnames.index(b"/\n", off)]
        else:
            name = raw_name.rstrip(b"/")
        yield name.decode("utf-8", "replace"), body
