#!/usr/bin/env python3
"""tree-compare.py A B: compare two directory trees file by file.

Paths, file types, modes, owners, sizes and contents, symlink targets,
device numbers, xattrs (overlayfs's own trusted.overlay.* aside), the
mtimes of everything but directories, and which paths share an inode (hard
links). Prints every difference and exits 1 if there is one."""
import hashlib
import os
import stat
import sys


def xattrs(path):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return {}
    out = {}
    for n in names:
        if n.startswith("trusted.overlay.") or n == "security.selinux":
            continue
        try:
            out[n] = os.getxattr(path, n, follow_symlinks=False)
        except OSError as e:
            out[n] = "error %d" % e.errno
    return out


def describe(root):
    entries, inodes = {}, {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            d = {
                "mode": oct(st.st_mode),
                "uid": st.st_uid,
                "gid": st.st_gid,
                "xattrs": xattrs(full),
            }
            if not stat.S_ISDIR(st.st_mode):
                d["mtime"] = int(st.st_mtime)
            if stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    d["sha256"] = hashlib.sha256(f.read()).hexdigest()
                d["size"] = st.st_size
                if st.st_nlink > 1:
                    inodes.setdefault(st.st_ino, []).append(rel)
            elif stat.S_ISLNK(st.st_mode):
                d["target"] = os.readlink(full)
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                d["rdev"] = (os.major(st.st_rdev), os.minor(st.st_rdev))
            entries[rel] = d
    links = sorted(sorted(v) for v in inodes.values() if len(v) > 1)
    return entries, links


def main():
    a, b = sys.argv[1], sys.argv[2]
    ea, la = describe(a)
    eb, lb = describe(b)
    bad = 0
    for p in sorted(set(ea) | set(eb)):
        if p not in ea:
            print("only in %s: %s" % (b, p))
            bad += 1
        elif p not in eb:
            print("only in %s: %s" % (a, p))
            bad += 1
        elif ea[p] != eb[p]:
            for k in sorted(set(ea[p]) | set(eb[p])):
                if ea[p].get(k) != eb[p].get(k):
                    print("%s: %s %r != %r" % (p, k, ea[p].get(k), eb[p].get(k)))
            bad += 1
    if la != lb:
        print("hard links differ: %r != %r" % (la, lb))
        bad += 1
    print("%d entries compared, %d differ" % (len(ea), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
