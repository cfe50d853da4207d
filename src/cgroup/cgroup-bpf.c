/* The cgroup v2 device controller: a BPF_PROG_TYPE_CGROUP_DEVICE program,
 * assembled here from the OCI device rules (no libbpf, no compiler), loaded
 * and attached to the container's cgroup with BPF_F_ALLOW_MULTI.
 *
 * The kernel runs it on every device open/mknod with ctx =
 * struct bpf_cgroup_dev_ctx { access_type = (access << 16) | type, major,
 * minor }; returning 0 denies. The program checks the rules from the last
 * to the first and returns at the first match, so the last matching rule
 * wins, as the runtime spec (and v1's devices.allow/deny replay) has it.
 * With no match it denies. */
#include "cgroup/cgroup-internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "lib/macros.h"

/* Registers: R1 ctx (then scratch), R2 device type, R3 access, R4 major,
 * R5 minor, R0 return value. */
#define R0 0
#define R1 1
#define R2 2
#define R3 3
#define R4 4
#define R5 5

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
        struct bpf_insn i = { .code = code, .dst_reg = dst & 0xf, .src_reg = src & 0xf, .off = off, .imm = imm };
        return i;
}

static int access_mask(const char *access, uint32_t *ret)
{
        uint32_t m = 0;

        if (!access || !*access)
                access = "rwm";
        for (const char *p = access; *p; p++) {
                switch (*p) {
                case 'r': m |= BPF_DEVCG_ACC_READ; break;
                case 'w': m |= BPF_DEVCG_ACC_WRITE; break;
                case 'm': m |= BPF_DEVCG_ACC_MKNOD; break;
                default: return -EINVAL;
                }
        }
        *ret = m;
        return 0;
}

#define ACC_ALL (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

int cgroup_bpf_device_program(const SpecDeviceRule *rules, size_t n_rules, struct bpf_insn **ret, size_t *ret_n)
{
        /* At most 11 instructions per rule, 6 prologue, 2 epilogue. */
        struct bpf_insn *p;
        size_t n = 0;
        bool terminal = false;

        if (n_rules > 4096)
                return -E2BIG;
        p = calloc(n_rules * 11 + 8, sizeof(*p));
        if (!p)
                return -ENOMEM;

        p[n++] = insn(BPF_LDX | BPF_W | BPF_MEM, R2, R1, 0, 0);
        p[n++] = insn(BPF_ALU | BPF_AND | BPF_K, R2, 0, 0, 0xffff);
        p[n++] = insn(BPF_LDX | BPF_W | BPF_MEM, R3, R1, 0, 0);
        p[n++] = insn(BPF_ALU | BPF_RSH | BPF_K, R3, 0, 0, 16);
        p[n++] = insn(BPF_LDX | BPF_W | BPF_MEM, R4, R1, 4, 0);
        p[n++] = insn(BPF_LDX | BPF_W | BPF_MEM, R5, R1, 8, 0);

        for (size_t k = n_rules; k-- > 0;) {
                const SpecDeviceRule *r = &rules[k];
                const char type = r->type ? r->type : (char)'a';
                size_t jumps[4], n_jumps = 0;
                uint32_t acc;

                if (access_mask(r->access, &acc) < 0 || (type != 'a' && type != 'b' && type != 'c') ||
                    r->major > INT32_MAX || r->minor > INT32_MAX) {
                        free(p);
                        return -EINVAL;
                }
                if (type != 'a') {
                        jumps[n_jumps++] = n;
                        p[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, R2, 0, 0,
                                      type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
                }
                if (acc != ACC_ALL) {
                        /* allow: every requested access must be allowed;
                         * deny: any requested access that is denied denies. */
                        p[n++] = insn(BPF_ALU | BPF_MOV | BPF_X, R1, R3, 0, 0);
                        p[n++] = insn(BPF_ALU | BPF_AND | BPF_K, R1, 0, 0, (int32_t)acc);
                        jumps[n_jumps++] = n;
                        if (r->allow)
                                p[n++] = insn(BPF_JMP | BPF_JNE | BPF_X, R1, R3, 0, 0);
                        else
                                p[n++] = insn(BPF_JMP | BPF_JEQ | BPF_K, R1, 0, 0, 0);
                }
                if (r->major >= 0) {
                        jumps[n_jumps++] = n;
                        p[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, R4, 0, 0, (int32_t)r->major);
                }
                if (r->minor >= 0) {
                        jumps[n_jumps++] = n;
                        p[n++] = insn(BPF_JMP | BPF_JNE | BPF_K, R5, 0, 0, (int32_t)r->minor);
                }
                p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, r->allow ? 1 : 0);
                p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
                /* A mismatch jumps to the next block, right after exit. */
                for (size_t j = 0; j < n_jumps; j++)
                        p[jumps[j]].off = (int16_t)(n - jumps[j] - 1);
                if (n_jumps == 0) {
                        /* Matches everything: the earlier rules can never
                         * be reached, and the verifier refuses dead code. */
                        terminal = true;
                        break;
                }
        }
        if (!terminal) {
                p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0);
                p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        }
        *ret = p;
        *ret_n = n;
        return 0;
}

static int bpf_(int cmd, union bpf_attr *attr)
{
        long r = syscall(SYS_bpf, cmd, attr, sizeof(*attr));
        return r < 0 ? -errno : (int)r;
}

static int prog_load(const struct bpf_insn *insns, size_t n, Error **ret_err)
{
        union bpf_attr attr;
        char log[4096];
        int fd;

        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t)(uintptr_t)insns;
        attr.insn_cnt = (uint32_t)n;
        attr.license = (uint64_t)(uintptr_t) "Apache";
        fd = bpf_(BPF_PROG_LOAD, &attr);
        if (fd >= 0)
                return fd;
        if (fd == -EPERM)
                return error_set(ret_err, -fd,
                                 "load the device filter (bpf BPF_PROG_LOAD needs CAP_BPF or CAP_SYS_ADMIN)");
        /* Again with the verifier's log, for the message. */
        log[0] = '\0';
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = sizeof(log);
        attr.log_level = 1;
        fd = bpf_(BPF_PROG_LOAD, &attr);
        if (fd >= 0)
                return fd;
        log[sizeof(log) - 1] = '\0';
        return error_set(ret_err, -fd, "load the device filter (%.200s)", log[0] ? log : "bpf BPF_PROG_LOAD");
}

int cgroup_bpf_device_apply(const char *dir, const SpecDeviceRule *rules, size_t n_rules, Error **ret_err)
{
        _cleanup_free_ struct bpf_insn *insns = NULL;
        _cleanup_close_ int dfd = -EBADF, prog = -EBADF;
        uint32_t ids[64];
        uint32_t n_old = 0;
        union bpf_attr attr;
        size_t n;
        int r;

        r = cgroup_bpf_device_program(rules, n_rules, &insns, &n);
        if (r == -ENOMEM)
                return error_set(ret_err, ENOMEM, "device filter");
        if (r < 0)
                return error_setx(ret_err, -r, "invalid device rules");
        prog = prog_load(insns, n, ret_err);
        if (prog < 0)
                return prog;
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return error_set(ret_err, errno, "open %s", dir);

        /* The programs attached before (an update replaces them). */
        memset(&attr, 0, sizeof(attr));
        attr.query.target_fd = (uint32_t)dfd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
        attr.query.prog_cnt = ELEMENTSOF(ids);
        r = bpf_(BPF_PROG_QUERY, &attr);
        if (r == 0)
                n_old = attr.query.prog_cnt < ELEMENTSOF(ids) ? attr.query.prog_cnt : ELEMENTSOF(ids);

        /* Attach the new one before detaching the old ones, so that there
         * is no moment without a filter. */
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t)dfd;
        attr.attach_bpf_fd = (uint32_t)prog;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        r = bpf_(BPF_PROG_ATTACH, &attr);
        if (r < 0)
                return error_set(ret_err, -r, "attach the device filter to %s", dir);

        for (uint32_t i = 0; i < n_old; i++) {
                _cleanup_close_ int old = -EBADF;

                memset(&attr, 0, sizeof(attr));
                attr.prog_id = ids[i];
                old = bpf_(BPF_PROG_GET_FD_BY_ID, &attr);
                if (old < 0)
                        continue; /* gone meanwhile */
                memset(&attr, 0, sizeof(attr));
                attr.target_fd = (uint32_t)dfd;
                attr.attach_bpf_fd = (uint32_t)old;
                attr.attach_type = BPF_CGROUP_DEVICE;
                r = bpf_(BPF_PROG_DETACH, &attr);
                if (r < 0 && r != -ENOENT)
                        return error_set(ret_err, -r, "detach the previous device filter from %s", dir);
        }
        return 0;
}
