#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"

/* What the kernel says about a process's isolation, read from /proc alone:
 * its namespaces against another process's (the host's: see below), its pids in
 * each pid namespace, its uid map, root, mounts, capabilities, seccomp mode
 * and cgroup limits. A container's record (the engine's JSON, passed in)
 * only names the flag that asked for what /proc shows; it is never the
 * evidence. Everything here is returned as JSON with stable keys, which the
 * CLI prints as tables, as text or as a picture (explain_graph_*).
 *
 * "The host" is the caller's own namespaces (/proc/self/ns): where the
 * engine runs is where --pid=host and --network=host put a container, and
 * PID 1's may be elsewhere (the engine in a network namespace of its own)
 * or unreadable (an init that is not ptrace-readable, in some sandboxes).
 *
 * Reading another process's /proc/PID/ns links, root and maps needs
 * ptrace-read access to it: root, on the host. */

/* The namespace types, in lsns's order. */
extern const char *const explain_ns_types[];
#define EXPLAIN_NS_TYPES 8

/* The inode of /proc/<pid>/ns/<type>, and its link text ("pid:[4026531836]")
 * into link (size n). Returns the inode, or 0 when the process or that
 * namespace type is not there. */
unsigned long long explain_ns_inode(pid_t pid, const char *type, char *link, size_t n);

/* The namespace table of `pid` against `ref_pid` (getpid(): the host): a JSON
 * array, one object per type with keys type, link, inode, ref_link,
 * ref_inode, state ("SHARED" or "PRIVATE") and flag, the option of the
 * container record `rec` (may be NULL) that asked for it ("--pid=host",
 * "--network=container:web"; "" when none did). New reference in *ret.
 * Returns 0 or -errno (-ESRCH: no such process). */
int explain_ns_table(pid_t pid, pid_t ref_pid, json_t *rec, json_t **ret, Error **ret_err);

/* The pids of `pid` in each pid namespace it is in, outermost first
 * (/proc/PID/status NSpid), as a JSON array of integers. */
json_t *explain_nspids(pid_t pid);

/* The answers for a container: an object with keys id, name, pid,
 * monitor_pid, monitor_command (its /proc comm), questions (an array of {key, question, answer ("yes"/"no"
 * or a word), text, evidence: [lines]} for pid, mnt, user and net),
 * processes ([{pid, nspid, ppid, uid, command}]), cgroup ({version, path,
 * memory_max, pids_max, cpu_max}), capabilities ({effective, bounding}:
 * names), seccomp ("disabled", "strict" or "filter") and network ({mode,
 * interfaces, veth, bridge, ip, ports}). `pids` (n) are the host pids of the
 * container's cgroup; `net_state` the engine's <state>/net directory.
 * New reference in *ret. Returns 0 or -errno. */
int explain_container(pid_t pid, json_t *rec, const pid_t *pids, size_t n, const char *net_state, json_t **ret,
                      Error **ret_err);

/* Every namespace held by the processes `pids` (n), with the container
 * names `names` (n, one per pid, NULL for none), that is not the host's
 * (the caller's): rows {ns, type, nprocs, pid, user, command, containers}, as
 * util-linux lsns counts them over every process on the host. New
 * reference in *ret. Returns 0 or -errno. */
int explain_lsns(const pid_t *pids, const char *const *names, size_t n, json_t **ret, Error **ret_err);

/* The chain of explain_container()'s object `x`, drawn: as text for the
 * terminal, as Graphviz dot, or as SVG. malloc'd string, NULL on ENOMEM. */
char *explain_graph_text(json_t *x);
char *explain_graph_dot(json_t *x);
char *explain_graph_svg(json_t *x);
