#!/usr/bin/env python3
"""embed.py SYMBOL INPUT OUTPUT: write a C file that defines INPUT's bytes as
`const char SYMBOL[]` (NUL-terminated) and their count as `SYMBOL_len`, so
that the binary carries its data and depends on no install path."""
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: embed.py SYMBOL INPUT OUTPUT")
    symbol, src, dst = sys.argv[1:]
    with open(src, "rb") as f:
        data = f.read()
    if b"\0" in data:
        sys.exit(f"embed.py: {src}: a NUL byte would cut the string short")
    lines = [
        f"/* Generated from {src.rsplit('/', 1)[-1]} by data/embed.py. */",
        "#include <stddef.h>",
        f"extern const char {symbol}[];",
        f"extern const size_t {symbol}_len;",
        f"const char {symbol}[] = {{",
    ]
    for i in range(0, len(data), 16):
        lines.append("        " + " ".join(f"0x{b:02x}," for b in data[i:i + 16]))
    lines.append("        0x00,")
    lines.append("};")
    lines.append(f"const size_t {symbol}_len = {len(data)};")
    with open(dst, "w") as f:
        f.write("\n".join(lines) + "\n")


main()
