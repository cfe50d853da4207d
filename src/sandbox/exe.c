/* Detaching the runtime from its own binary: see exe.h for the threat. */
#include "sandbox/exe.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/macros.h"
#include "lib/util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* The linker's mark of our ELF header: file offset 0, in memory. */
extern const char __ehdr_start[];

#define EXE_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* Whether a container could not write our binary anyway. */
static bool exe_already_safe(void)
{
        _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        int seals;

        if (fd >= 0) {
                seals = fcntl(fd, F_GET_SEALS);
                if (seals >= 0 && (seals & F_SEAL_WRITE))
                        return true;
        }
        /* A read-only mount, not ours, immutable: then not a container's
         * either, whose root is at most what we are. */
        if (faccessat(AT_FDCWD, "/proc/self/exe", W_OK, AT_EACCESS) < 0)
                return errno == EACCES || errno == EROFS || errno == EPERM;
        return false;
}

static int memfd_new(const char *name)
{
        int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

        if (fd < 0 && errno == EINVAL) /* before Linux 6.3 */
                fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        return fd;
}

/* A word-wise copy that sanitizers leave alone: the source is our own data
 * segment, globals and their redzones alike. (volatile: no memcpy call.) */
__attribute__((no_sanitize("address"))) static void copy_words(void *dst, const void *src, size_t len)
{
        volatile const unsigned long *s = src;
        unsigned long *d = dst;

        for (size_t i = 0; i < len / sizeof(*d); i++)
                d[i] = s[i];
}

/* Replace [addr, addr+len) by an anonymous copy: for what the loader
 * wrote to (relocations). mremap swaps it in one step. */
static int mapping_to_anon(uintptr_t addr, size_t len, Error **ret_err)
{
        void *copy = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

        if (copy == MAP_FAILED)
                return error_set(ret_err, errno, "mmap %zu bytes", len);
        copy_words(copy, (const void *)addr, len);
        if (mremap(copy, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)addr) == MAP_FAILED) {
                int e = errno;

                (void)munmap(copy, len);
                return error_set(ret_err, e, "move %#lx to anonymous memory", (unsigned long)addr);
        }
        return 0;
}

/* Map every piece of our image (its PT_LOAD segments, as the loader did)
 * from `fd`, the same file through a read-only mount: the same page
 * cache, nothing copied. The writable segment, which the loader has
 * relocated, becomes an anonymous copy (a few pages), read-only again
 * where PT_GNU_RELRO says. The kernel swaps each mapping in one step, so
 * the code doing this, which lives there, runs on from identical bytes.
 * A mapping left over makes the exe switch fail with EBUSY, not the
 * container unsafe. */
static int image_remap(int fd, Error **ret_err)
{
        const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
        size_t n = getauxval(AT_PHNUM), ps = (size_t)sysconf(_SC_PAGESIZE);
        uintptr_t bias = 0, relro_lo = 0, relro_hi = 0;

        if (!ph)
                return error_setx(ret_err, ENOENT, "no program headers in the auxiliary vector");
        /* File offset 0 (the ELF header) is mapped at __ehdr_start. */
        for (size_t i = 0; i < n; i++) {
                if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
                        bias = (uintptr_t)__ehdr_start - ph[i].p_vaddr;
                if (ph[i].p_type == PT_GNU_RELRO) {
                        relro_lo = ph[i].p_vaddr;
                        relro_hi = ph[i].p_vaddr + ph[i].p_memsz;
                }
        }
        for (size_t i = 0; i < n; i++) {
                uintptr_t lo, hi;
                int prot;

                if (ph[i].p_type != PT_LOAD || ph[i].p_filesz == 0)
                        continue;
                lo = (bias + ph[i].p_vaddr) & ~(ps - 1);
                hi = (bias + ph[i].p_vaddr + ph[i].p_filesz + ps - 1) & ~(ps - 1);
                prot = (ph[i].p_flags & PF_R ? PROT_READ : 0) | (ph[i].p_flags & PF_W ? PROT_WRITE : 0) |
                       (ph[i].p_flags & PF_X ? PROT_EXEC : 0);
                if (prot & PROT_WRITE) {
                        if (mapping_to_anon(lo, hi - lo, ret_err) < 0)
                                return -EIO;
                } else if (mmap((void *)lo, hi - lo, prot, MAP_PRIVATE | MAP_FIXED, fd,
                                (off_t)(ph[i].p_offset & ~(ps - 1))) == MAP_FAILED) {
                        return error_set(ret_err, errno, "map %#lx from the read-only binary", (unsigned long)lo);
                }
        }
        /* As the loader rounds it: whole pages inside the range. */
        relro_lo = (bias + relro_lo) & ~(ps - 1);
        relro_hi = (bias + relro_hi) & ~(ps - 1);
        if (relro_hi > relro_lo && mprotect((void *)relro_lo, relro_hi - relro_lo, PROT_READ) < 0)
                return error_set(ret_err, errno, "mprotect RELRO");
        return 0;
}

/* The binary, opened through a read-only bind mount (detached: in no mount
 * namespace) of its directory, so that /proc/PID/exe reads
 * "/husk-runtime"; of the file itself if the directory no longer holds it
 * (replaced by an upgrade). */
static int open_exe_readonly(Error **ret_err)
{
        struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
        struct stat want, got;
        char self[PATH_MAX], path[64], *slash;
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

        if (n <= 0 || stat("/proc/self/exe", &want) < 0)
                return error_set(ret_err, n < 0 ? errno : EIO, "/proc/self/exe");
        self[n] = '\0';
        slash = strrchr(self, '/');
        if (!slash)
                return error_setx(ret_err, EIO, "/proc/self/exe: not a path: %s", self);
        for (int whole_dir = 1; whole_dir >= 0; whole_dir--) {
                _cleanup_close_ int tree = -EBADF, fd = -EBADF;

                if (whole_dir) {
                        *slash = '\0';
                        tree = open_tree(AT_FDCWD, slash == self ? "/" : self, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                } else {
                        tree = open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                }
                if (tree < 0)
                        return error_set(ret_err, errno, "open_tree %s", whole_dir ? self : "/proc/self/exe");
                if (mount_setattr(tree, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
                        return error_set(ret_err, errno, "make a bind mount of the runtime binary read-only");
                if (whole_dir) {
                        fd = openat(tree, slash + 1, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                } else {
                        snprintf(path, sizeof(path), "/proc/self/fd/%d", tree);
                        fd = open(path, O_RDONLY | O_CLOEXEC);
                }
                if (fd >= 0 && fstat(fd, &got) == 0 && got.st_dev == want.st_dev && got.st_ino == want.st_ino)
                        return TAKE_FD(fd);
        }
        return error_setx(ret_err, ENOENT, "cannot open the runtime binary through a read-only mount");
}

/* The fields PR_SET_MM_MAP sets, as they are now: from /proc/self/stat
 * (fields 26-28 and 45-51, proc(5)) and brk(0). */
static int current_mm_map(struct prctl_mm_map *m, Error **ret_err)
{
        unsigned long long v[52] = { 0 };
        char buf[1024], *p, *tok, *save = NULL;
        _cleanup_close_ int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
        ssize_t n;
        int field = 3;

        if (fd < 0)
                return error_set(ret_err, errno, "open /proc/self/stat");
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return error_set(ret_err, n < 0 ? errno : EIO, "read /proc/self/stat");
        buf[n] = '\0';
        p = strrchr(buf, ')'); /* the command name may hold spaces */
        if (!p)
                return error_setx(ret_err, EIO, "/proc/self/stat: no command name");
        for (tok = strtok_r(p + 1, " \n", &save); tok && field < 52; tok = strtok_r(NULL, " \n", &save), field++)
                v[field] = strtoull(tok, NULL, 10);
        if (field < 52)
                return error_setx(ret_err, EIO, "/proc/self/stat: %d fields, want 51", field - 1);
        *m = (struct prctl_mm_map){
                .start_code = v[26],
                .end_code = v[27],
                .start_stack = v[28],
                .start_data = v[45],
                .end_data = v[46],
                .start_brk = v[47],
                .brk = (uint64_t)syscall(SYS_brk, 0),
                .arg_start = v[48],
                .arg_end = v[49],
                .env_start = v[50],
                .env_end = v[51],
                .exe_fd = (uint32_t)-1,
        };
        return 0;
}

/* Point /proc/self/exe at `fd`. The kernel wants no mapping of the old
 * file left (image_remap) and no writer of the new one. */
static int set_exe(int fd, Error **ret_err)
{
        struct prctl_mm_map m;

        if (current_mm_map(&m, ret_err) < 0)
                return -EIO;
        m.exe_fd = (uint32_t)fd;
        if (prctl(PR_SET_MM, PR_SET_MM_MAP, &m, sizeof(m), 0) < 0)
                return error_set(ret_err, errno, "prctl(PR_SET_MM_MAP)");
        return 0;
}

/* The fallback: run the same command line again from a sealed memfd copy
 * of the binary. Returns only on failure. */
static int reexec_from_memfd(Error **ret_err)
{
        _cleanup_close_ int src = -EBADF, mfd = -EBADF;
        _cleanup_free_ char *cmdline = NULL;
        _cleanup_free_ char **argv = NULL;
        size_t len, n = 0;
        struct stat st;
        off_t off = 0;

        src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (src < 0 || fstat(src, &st) < 0)
                return error_set(ret_err, errno, "open /proc/self/exe");
        mfd = memfd_new("husk-runtime");
        if (mfd < 0)
                return error_set(ret_err, errno, "memfd_create");
        while (off < st.st_size) {
                ssize_t k = sendfile(mfd, src, &off, (size_t)(st.st_size - off));

                if (k <= 0)
                        return error_set(ret_err, k < 0 ? errno : EIO, "copy /proc/self/exe to a memfd");
        }
        if (fcntl(mfd, F_ADD_SEALS, EXE_SEALS) < 0)
                return error_set(ret_err, errno, "seal memfd");
        if (read_full_file("/proc/self/cmdline", &cmdline, &len, ret_err) < 0)
                return -EIO;
        argv = calloc(len + 1, sizeof(char *));
        if (!argv)
                return error_set(ret_err, ENOMEM, "argv");
        for (size_t i = 0; i < len; i += strlen(cmdline + i) + 1)
                argv[n++] = cmdline + i;
        syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
        return error_set(ret_err, errno, "execveat memfd copy");
}

int sandbox_seal_exe(Error **ret_err)
{
        _cleanup_error_ Error *why = NULL;
        _cleanup_close_ int fd = -EBADF;

        if (exe_already_safe())
                return 0;
        fd = open_exe_readonly(&why);
        if (fd >= 0 && image_remap(fd, &why) >= 0 && set_exe(fd, &why) >= 0)
                return 0;
        /* Not allowed to mount (no CAP_SYS_ADMIN over our mount namespace),
         * no CONFIG_CHECKPOINT_RESTORE, or a seccomp policy in the way: do
         * it the slow way. */
        reexec_from_memfd(ret_err);
        return error_prefix(ret_err, "protect the runtime binary from containers (%s)",
                            why && why->msg ? why->msg : "?");
}
