#!/usr/bin/env python3
"""vm/extract-vmlinux.py BZIMAGE OUT — write the uncompressed kernel ELF held in a bzImage.

QEMU boots that ELF directly through its PVH entry point (every Debian kernel has CONFIG_PVH),
which skips the in-guest decompression: under TCG, unpacking a ZSTD kernel costs seconds.
Like the kernel's scripts/extract-vmlinux: find a compression magic, decompress from there
with the host tool, keep the first result that is an ELF file. Exit 1 when none is.
"""
import subprocess
import sys

MAGICS = [
    (b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"]),
    (b"\x02\x21\x4c\x18", ["lz4", "-dcq"]),
    (b"\xfd7zXZ\x00", ["xz", "-dcq"]),
    (b"\x1f\x8b\x08", ["gzip", "-dcq"]),
]


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    for magic, cmd in MAGICS:
        pos = data.find(magic)
        tries = 0
        while pos >= 0 and tries < 8:
            tries += 1
            try:
                p = subprocess.run(cmd, input=data[pos:], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, check=False)
            except OSError:
                break  # tool missing: try the next format
            if p.stdout[:4] == b"\x7fELF":
                with open(sys.argv[2] + ".tmp", "wb") as f:
                    f.write(p.stdout)
                import os
                os.replace(sys.argv[2] + ".tmp", sys.argv[2])
                return 0
            pos = data.find(magic, pos + 1)
    print(f"extract-vmlinux: no compressed ELF found in {sys.argv[1]}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
