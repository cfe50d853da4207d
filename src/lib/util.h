#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"

/* Small helpers shared by every layer: strings, files, numbers, processes. */

size_t strv_length(char *const *v);
/* Deep copy; NULL in, NULL out. Returns NULL on ENOMEM with errno set. */
char **strv_copy(char *const *v);
/* Append a copy of s; returns 0 or -ENOMEM. */
int strv_push(char ***v, const char *s);
bool strv_contains(char *const *v, const char *s);
/* Environment lists: the length of the key of "KEY=VALUE" (all of it
 * without "="); set or add `kv` in *env, a key already there keeping its
 * place. 0 or -ENOMEM. */
size_t strv_env_key_len(const char *kv);
int strv_env_set(char ***env, const char *kv);

/* Read a whole file (fd or path) into a NUL-terminated buffer. */
int read_full_fd(int fd, char **ret, size_t *ret_len, Error **ret_err);
int read_full_file(const char *path, char **ret, size_t *ret_len, Error **ret_err);
/* Read a small file, strip one trailing newline. */
int read_one_line(const char *path, char **ret);

/* Write `len` bytes to fd, retrying on EINTR/short writes. */
int write_all(int fd, const void *buf, size_t len);
/* Write a string to a file that must exist (sysfs, procfs, cgroupfs).
 * Returns 0 or -errno; no Error (callers add what they wrote where). */
int write_string_file(const char *path, const char *s);
int write_string_fileat(int dirfd, const char *path, const char *s);
/* Atomically replace `path` with content: temp file in the same directory,
 * fsync, rename. */
int write_file_atomic(const char *path, const char *content, size_t len, mode_t mode, Error **ret_err);
/* The same; without `sync`, no fsync: readers still see the old content or
 * the new, but after a crash of the machine the file may be empty. */
int write_file_replace(const char *path, const char *content, size_t len, mode_t mode, bool sync, Error **ret_err);

/* Strict number parsing: the whole string, no sign for unsigned, range checked. */
int parse_u64(const char *s, uint64_t *ret);
int parse_i64(const char *s, int64_t *ret);
int parse_int(const char *s, int *ret);
/* A uid or gid in decimal: 0 .. 4294967294 ((uid_t)-1 means "no change" to
 * the kernel, so a process given it would stay who it was). -EINVAL/-ERANGE. */
int parse_id(const char *s, uint32_t *ret);

/* A Go duration (time.ParseDuration, which runc's --interval takes):
 * an optional sign, then one or more decimal numbers, each with an optional
 * fraction and a unit ("ns", "us", "µs", "ms", "s", "m", "h"): "5s",
 * "1m30s", "1.5h", "-2ms". A bare "0" needs no unit. *ret is in
 * nanoseconds. Returns 0, -EINVAL (malformed, a missing or unknown unit) or
 * -ERANGE (past int64). */
int parse_duration(const char *s, int64_t *ret);

/* A size in bytes as Docker reads --memory and --shm-size (go-units
 * RAMInBytes): digits with an optional fraction, an optional space, then an
 * optional unit k, m, g, t or p (any case, powers of 1024), an optional
 * "i" and an optional "b": "512m", "1g", "1.5GiB", "100", "64 MB". The
 * fraction is kept until the unit is applied and then truncated. Returns
 * 0, -EINVAL (malformed) or -ERANGE (past int64). */
int parse_ram_size(const char *s, int64_t *ret);

/* mkdir -p, 0 if it exists already. */
int mkdir_p(const char *path, mode_t mode);

/* Field 22 of /proc/PID/stat (start time in clock ticks) or 0 on error. */
unsigned long long proc_start_time(pid_t pid);
/* Process state letter from /proc/PID/stat ('R', 'S', 'Z', ...), or 0 if gone. */
char proc_state(pid_t pid);

/* RFC 3339 UTC timestamp with nanoseconds, malloc'd. */
char *now_rfc3339(void);

/* Signal names: "KILL", "SIGKILL", "9" -> 9. Returns -EINVAL if unknown. */
int signal_from_string(const char *s);
const char *signal_to_string(int sig); /* "SIGKILL" or NULL */

/* The lowest fd >= `from` that is not open, or -errno. */
int lowest_free_fd(int from);

/* Close every fd >= `from` except those listed in keep[] (close_range where
 * possible). */
int close_all_fds(int from, const int *keep, size_t n_keep);

/* pidfd helpers; -errno when the kernel lacks them. */
int pidfd_open_(pid_t pid, unsigned flags);
int pidfd_send_signal_(int pidfd, int sig);

/* clone(2) with a fork's semantics plus `flags` (namespaces, CLONE_PARENT),
 * into the cgroup2 directory cgroup_fd when it is >= 0 and the kernel can
 * (clone3 CLONE_INTO_CGROUP, Linux 5.7): the child then runs nothing
 * outside it. *ret_in_cgroup tells which happened; where the kernel
 * refused, the caller moves the child itself. The child's pid, 0 in the
 * child, or -1 with errno. */
pid_t clone_fork(unsigned long flags, int cgroup_fd, bool *ret_in_cgroup);

/* Send/receive one fd over a unix socket (SCM_RIGHTS) with a payload.
 * send_fd_iov: fd < 0 sends no fd. recv_fd_iov: returns the bytes read
 * (0 at EOF) or -errno; *ret_fd is the fd received (O_CLOEXEC) or -EBADF;
 * *ret_flags (may be NULL) gets msg_flags (MSG_TRUNC, MSG_CTRUNC). */
struct iovec;
int send_fd_iov(int sock, int fd, const struct iovec *iov, size_t n_iov);
ssize_t recv_fd_iov(int sock, struct iovec *iov, size_t n_iov, int *ret_fd, int *ret_flags);
/* The same with one buffer: recv_fd fails with -ECONNRESET at EOF and
 * -EBADMSG when no fd came. */
int send_fd(int sock, int fd, const void *data, size_t len);
int recv_fd(int sock, int *ret_fd, void *data, size_t len);

/* The directory of this process's executable, read from /proc/self/exe at
 * the first call and kept: call it before anything can change what that
 * link names (husk-runtime's create maps a sealed copy of the binary).
 * NULL when it cannot be read. */
const char *self_exe_dir(void);

/* Whether the caller runs as root in the initial user namespace. */
bool running_in_init_userns(void);
