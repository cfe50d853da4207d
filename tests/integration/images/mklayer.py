#!/usr/bin/env python3
"""mklayer.py OUT.tar SPEC...: write a layer tarball with python's tarfile,
entry by entry, for tests that need entries no well-behaved tool makes.

SPEC is TYPE:NAME[:ARG], TYPE one of
  dir:NAME            a directory (0755)
  file:NAME[:TEXT]    a regular file (0644) holding TEXT
  sym:NAME:TARGET     a symbolic link
  hard:NAME:TARGET    a hard link to the member TARGET
  many:PREFIX:N       N empty files PREFIX0 .. PREFIX<N-1>
Options before the specs: --xattr NAME=VALUE (on the next entry),
--owner UID:GID, --mode OCTAL (for the next entry)."""
import io
import sys
import tarfile


def main():
    out = sys.argv[1]
    xattrs, owner, mode = {}, (0, 0), None
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        args = iter(sys.argv[2:])
        for spec in args:
            if spec == "--xattr":
                k, v = next(args).split("=", 1)
                xattrs["SCHILY.xattr." + k] = v
                continue
            if spec == "--owner":
                u, g = next(args).split(":")
                owner = (int(u), int(g))
                continue
            if spec == "--mode":
                mode = int(next(args), 8)
                continue
            kind, _, rest = spec.partition(":")
            name, _, arg = rest.partition(":")
            if kind == "many":
                for i in range(int(arg)):
                    ti = tarfile.TarInfo("%s%d" % (name, i))
                    tar.addfile(ti, io.BytesIO(b""))
                continue
            ti = tarfile.TarInfo(name)
            ti.mtime = 1600000000
            ti.uid, ti.gid = owner
            ti.pax_headers = dict(xattrs)
            data = None
            if kind == "dir":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            elif kind == "file":
                data = arg.encode()
                ti.size, ti.mode = len(data), 0o644
            elif kind == "sym":
                ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, arg, 0o777
            elif kind == "hard":
                ti.type, ti.linkname, ti.mode = tarfile.LNKTYPE, arg, 0o644
            else:
                sys.exit("mklayer: unknown entry type %s" % kind)
            if mode is not None:
                ti.mode = mode
            tar.addfile(ti, io.BytesIO(data) if data is not None else None)
            xattrs, owner, mode = {}, (0, 0), None


if __name__ == "__main__":
    main()
