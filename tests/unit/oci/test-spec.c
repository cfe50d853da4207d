/* Unit tests for the config.json parser (src/oci/spec*.c). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "oci/spec.h"

/* A full config in the shape runc and podman write, touching every part of
 * the parser. */
static const char full_config[] =
        "{\n"
        "  \"ociVersion\": \"1.0.2-dev\",\n"
        "  \"process\": {\n"
        "    \"terminal\": true,\n"
        "    \"consoleSize\": { \"height\": 24, \"width\": 80 },\n"
        "    \"user\": { \"uid\": 1000, \"gid\": 1000, \"umask\": 18, \"additionalGids\": [5, 10] },\n"
        "    \"args\": [\"sh\", \"-c\", \"echo hi\"],\n"
        "    \"env\": [\"PATH=/usr/bin:/bin\", \"TERM=xterm\"],\n"
        "    \"cwd\": \"/home\",\n"
        "    \"capabilities\": {\n"
        "      \"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"],\n"
        "      \"effective\": [\"CAP_KILL\"],\n"
        "      \"permitted\": [\"CAP_KILL\"],\n"
        "      \"ambient\": []\n"
        "    },\n"
        "    \"rlimits\": [\n"
        "      { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 },\n"
        "      { \"type\": \"RLIMIT_CORE\", \"hard\": 18446744073709551615, \"soft\": 0 }\n"
        "    ],\n"
        "    \"noNewPrivileges\": true,\n"
        "    \"apparmorProfile\": \"husk-default\",\n"
        "    \"oomScoreAdj\": 100,\n"
        "    \"selinuxLabel\": \"system_u:system_r:container_t:s0\",\n"
        "    \"ioPriority\": { \"class\": \"IOPRIO_CLASS_BE\", \"priority\": 4 },\n"
        "    \"scheduler\": { \"policy\": \"SCHED_BATCH\", \"nice\": 5, \"flags\": [\"SCHED_FLAG_RESET_ON_FORK\"] },\n"
        "    \"execCPUAffinity\": { \"initial\": \"0\", \"final\": \"0-3\" },\n"
        "    \"futureField\": { \"anything\": [1, 2, 3] }\n"
        "  },\n"
        "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
        "  \"hostname\": \"web\",\n"
        "  \"domainname\": \"example.org\",\n"
        "  \"mounts\": [\n"
        "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
        "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
        "      \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"] },\n"
        "    { \"destination\": \"/data\", \"source\": \"/srv\", \"options\": [\"rbind\"],\n"
        "      \"uidMappings\": [{ \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 }],\n"
        "      \"gidMappings\": [{ \"containerID\": 0, \"hostID\": 100000, \"size\": 65536 }] }\n"
        "  ],\n"
        "  \"hooks\": {\n"
        "    \"prestart\": [{ \"path\": \"/usr/bin/hook\", \"args\": [\"hook\", \"pre\"], \"env\": [\"A=1\"], "
        "\"timeout\": 5 }],\n"
        "    \"poststop\": [{ \"path\": \"/usr/bin/hook\" }, { \"path\": \"/bin/true\" }]\n"
        "  },\n"
        "  \"annotations\": { \"org.example.key\": \"value\", \"io.husk.x\": \"y\" },\n"
        "  \"linux\": {\n"
        "    \"namespaces\": [\n"
        "      { \"type\": \"pid\" }, { \"type\": \"network\", \"path\": \"/var/run/netns/web\" },\n"
        "      { \"type\": \"ipc\" }, { \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"user\" },\n"
        "      { \"type\": \"cgroup\", \"path\": \"\" }, { \"type\": \"time\" }\n"
        "    ],\n"
        "    \"uidMappings\": [{ \"containerID\": 0, \"hostID\": 1000, \"size\": 1 }],\n"
        "    \"gidMappings\": [{ \"containerID\": 0, \"hostID\": 1000, \"size\": 1 }],\n"
        "    \"devices\": [\n"
        "      { \"type\": \"c\", \"path\": \"/dev/fuse\", \"major\": 10, \"minor\": 229, \"fileMode\": 438, \"uid\": "
        "0, \"gid\": 0 },\n"
        "      { \"type\": \"p\", \"path\": \"/dev/fifo\" }\n"
        "    ],\n"
        "    \"cgroupsPath\": \"/husk/web\",\n"
        "    \"resources\": {\n"
        "      \"devices\": [{ \"allow\": false, \"access\": \"rwm\" }, { \"allow\": true, \"type\": \"c\", \"major\": "
        "10, \"minor\": 229, \"access\": \"rw\" }],\n"
        "      \"memory\": { \"limit\": 536870912, \"reservation\": 268435456, \"swap\": -1, \"kernel\": -1, "
        "\"kernelTCP\": -1,\n"
        "                  \"swappiness\": 60, \"disableOOMKiller\": false, \"useHierarchy\": true, "
        "\"checkBeforeUpdate\": true },\n"
        "      \"cpu\": { \"shares\": 1024, \"quota\": 50000, \"burst\": 1000, \"period\": 100000, "
        "\"realtimeRuntime\": 950000,\n"
        "               \"realtimePeriod\": 1000000, \"cpus\": \"0-1\", \"mems\": \"0\", \"idle\": 0 },\n"
        "      \"pids\": { \"limit\": 100 },\n"
        "      \"blockIO\": { \"weight\": 500, \"leafWeight\": 300,\n"
        "                   \"weightDevice\": [{ \"major\": 8, \"minor\": 0, \"weight\": 600 }],\n"
        "                   \"throttleReadBpsDevice\": [{ \"major\": 8, \"minor\": 0, \"rate\": 104857600 }],\n"
        "                   \"throttleWriteBpsDevice\": [{ \"major\": 8, \"minor\": 0, \"rate\": 1 }],\n"
        "                   \"throttleReadIOPSDevice\": [{ \"major\": 8, \"minor\": 0, \"rate\": 2 }],\n"
        "                   \"throttleWriteIOPSDevice\": [{ \"major\": 8, \"minor\": 0, \"rate\": 3 }] },\n"
        "      \"hugepageLimits\": [{ \"pageSize\": \"2MB\", \"limit\": 209715200 }],\n"
        "      \"network\": { \"classID\": 1048577, \"priorities\": [{ \"name\": \"eth0\", \"priority\": 500 }] },\n"
        "      \"unified\": { \"memory.high\": \"max\", \"io.weight\": \"default 100\" }\n"
        "    },\n"
        "    \"rootfsPropagation\": \"rslave\",\n"
        "    \"sysctl\": { \"net.ipv4.ip_forward\": \"1\" },\n"
        "    \"maskedPaths\": [\"/proc/kcore\", \"/proc/keys\"],\n"
        "    \"readonlyPaths\": [\"/proc/sys\"],\n"
        "    \"mountLabel\": \"system_u:object_r:container_file_t:s0\",\n"
        "    \"seccomp\": {\n"
        "      \"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,\n"
        "      \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],\n"
        "      \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],\n"
        "      \"listenerPath\": \"/run/seccomp.sock\", \"listenerMetadata\": \"meta\",\n"
        "      \"syscalls\": [\n"
        "        { \"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\" },\n"
        "        { \"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
        "          \"args\": [{ \"index\": 0, \"value\": 18446744073709551615, \"valueTwo\": 0, \"op\": "
        "\"SCMP_CMP_EQ\" }] },\n"
        "        { \"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38 }\n"
        "      ]\n"
        "    },\n"
        "    \"personality\": { \"domain\": \"LINUX32\", \"flags\": [] },\n"
        "    \"timeOffsets\": { \"monotonic\": { \"secs\": -10, \"nanosecs\": 5 }, \"boottime\": { \"secs\": 3600 } "
        "},\n"
        "    \"intelRdt\": { \"closID\": \"guaranteed\" }\n"
        "  }\n"
        "}\n";

static Spec *parse_ok(const char *text)
{
        Error *err = NULL;
        Spec *spec = NULL;
        int r;

        r = spec_parse(text, strlen(text), "config.json", &spec, &err);
        if (r < 0)
                fail_msg("unexpected error: %s", err ? err->msg : "(none)");
        assert_int_equal(r, 0);
        assert_non_null(spec);
        assert_null(err);
        return spec;
}

/* Parse and expect EINVAL with `want` as a substring of the message. */
static void parse_fails(const char *text, const char *want)
{
        _cleanup_error_ Error *err = NULL;
        Spec *spec = NULL;
        int r;

        r = spec_parse(text, strlen(text), "config.json", &spec, &err);
        assert_int_equal(r, -EINVAL);
        assert_null(spec);
        assert_non_null(err);
        assert_int_equal(err->code, EINVAL);
        if (!strstr(err->msg, want))
                fail_msg("message \"%s\" lacks \"%s\"", err->msg, want);
}

/* A minimal valid config with a process: `extra_process` and `extra_top`
 * (each starting with a comma, or empty) are spliced in. */
static char *config_with(const char *extra_process, const char *extra_top)
{
        char *s = NULL;

        assert_true(
                asprintf(&s,
                         "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"rootfs\"},"
                         " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}%s}%s}",
                         extra_process, extra_top) >= 0);
        return s;
}

static void fails_with(const char *extra_process, const char *extra_top, const char *want)
{
        _cleanup_free_ char *text = config_with(extra_process, extra_top);

        parse_fails(text, want);
}

static void test_full_config(void **state)
{
        _cleanup_spec_ Spec *s = parse_ok(full_config);
        const SpecProcess *p = &s->process;
        const SpecLinux *l = &s->linux_;
        const SpecResources *res = &l->resources;

        assert_string_equal(s->oci_version, "1.0.2-dev");
        assert_string_equal(s->root_path, "rootfs");
        assert_true(s->root_readonly);
        assert_string_equal(s->hostname, "web");
        assert_string_equal(s->domainname, "example.org");

        assert_true(s->has_process);
        assert_true(p->terminal);
        assert_true(p->has_console_size);
        assert_int_equal(p->console_size.width, 80);
        assert_int_equal(p->user.uid, 1000);
        assert_int_equal(p->user.gid, 1000);
        assert_true(p->user.has_umask);
        assert_int_equal(p->user.umask, 022);
        assert_int_equal(p->user.n_additional_gids, 2);
        assert_int_equal(p->user.additional_gids[1], 10);
        assert_int_equal(p->n_args, 3);
        assert_string_equal(p->args[2], "echo hi");
        assert_null(p->args[3]);
        assert_int_equal(p->n_env, 2);
        assert_string_equal(p->cwd, "/home");
        assert_true(p->has_capabilities);
        assert_string_equal(p->capabilities.bounding[1], "CAP_CHOWN");
        assert_null(p->capabilities.inheritable);
        assert_non_null(p->capabilities.ambient);
        assert_null(p->capabilities.ambient[0]);
        assert_int_equal(p->n_rlimits, 2);
        assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
        assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
        assert_true(p->rlimits[1].hard == UINT64_MAX);
        assert_true(p->no_new_privileges);
        assert_string_equal(p->apparmor_profile, "husk-default");
        assert_true(p->has_oom_score_adj);
        assert_int_equal(p->oom_score_adj, 100);
        assert_true(p->has_io_priority);
        assert_string_equal(p->io_priority_class, "IOPRIO_CLASS_BE");
        assert_int_equal(p->io_priority, 4);
        assert_true(p->has_scheduler);
        assert_string_equal(p->scheduler.policy, "SCHED_BATCH");
        assert_int_equal(p->scheduler.nice, 5);
        assert_string_equal(p->exec_cpu_affinity_final, "0-3");

        assert_int_equal(s->n_mounts, 3);
        assert_null(s->mounts[0].options);
        assert_int_equal(s->mounts[1].n_options, 4);
        assert_string_equal(s->mounts[1].options[3], "size=65536k");
        assert_string_equal(s->mounts[2].destination, "/data");
        assert_null(s->mounts[2].type);
        assert_int_equal(s->mounts[2].n_uid_mappings, 1);
        assert_int_equal(s->mounts[2].uid_mappings[0].host_id, 100000);
        assert_int_equal(s->n_warnings, 0);

        assert_int_equal(s->n_hooks[HOOK_PRESTART], 1);
        assert_string_equal(s->hooks[HOOK_PRESTART][0].path, "/usr/bin/hook");
        assert_string_equal(s->hooks[HOOK_PRESTART][0].args[1], "pre");
        assert_true(s->hooks[HOOK_PRESTART][0].has_timeout);
        assert_int_equal(s->hooks[HOOK_PRESTART][0].timeout, 5);
        assert_int_equal(s->n_hooks[HOOK_POSTSTOP], 2);
        assert_false(s->hooks[HOOK_POSTSTOP][1].has_timeout);
        assert_int_equal(s->n_hooks[HOOK_CREATE_RUNTIME], 0);

        assert_int_equal(s->n_annotations, 2);
        assert_string_equal(spec_annotation(s, "org.example.key"), "value");
        assert_null(spec_annotation(s, "nope"));

        assert_true(s->has_linux);
        assert_int_equal(l->n_namespaces, 8);
        assert_string_equal(spec_namespace(s, NS_NET)->path, "/var/run/netns/web");
        assert_null(spec_namespace(s, NS_CGROUP)->path); /* "" means new */
        assert_non_null(spec_namespace(s, NS_TIME));
        assert_int_equal(l->n_uid_mappings, 1);
        assert_int_equal(l->uid_mappings[0].host_id, 1000);
        assert_int_equal(l->n_devices, 2);
        assert_int_equal(l->devices[0].type, 'c');
        assert_int_equal(l->devices[0].minor, 229);
        assert_true(l->devices[0].has_file_mode);
        assert_int_equal(l->devices[0].file_mode, 0666);
        assert_int_equal(l->devices[1].type, 'p');
        assert_string_equal(l->cgroups_path, "/husk/web");

        assert_true(l->has_resources);
        assert_int_equal(res->n_devices, 2);
        assert_false(res->devices[0].allow);
        assert_int_equal(res->devices[0].type, 'a');
        assert_int_equal(res->devices[0].major, -1);
        assert_int_equal(res->devices[1].type, 'c');
        assert_string_equal(res->devices[1].access, "rw");
        assert_true(res->has_memory_limit);
        assert_int_equal(res->memory_limit, 536870912);
        assert_int_equal(res->memory_swap, -1);
        assert_int_equal(res->memory_swappiness, 60);
        assert_true(res->has_memory_disable_oom_killer);
        assert_false(res->memory_disable_oom_killer);
        assert_true(res->memory_check_before_update);
        assert_int_equal(res->cpu_shares, 1024);
        assert_int_equal(res->cpu_quota, 50000);
        assert_int_equal(res->cpu_burst, 1000);
        assert_int_equal(res->cpu_realtime_period, 1000000);
        assert_string_equal(res->cpu_cpus, "0-1");
        assert_true(res->has_cpu_idle);
        assert_int_equal(res->pids_limit, 100);
        assert_int_equal(res->blkio_weight, 500);
        assert_int_equal(res->blkio_leaf_weight, 300);
        assert_int_equal(res->n_blkio_weight_devices, 1);
        assert_int_equal(res->blkio_weight_devices[0].weight, 600);
        assert_false(res->blkio_weight_devices[0].has_leaf_weight);
        assert_int_equal(res->blkio_throttle_read_bps[0].rate, 104857600);
        assert_int_equal(res->blkio_throttle_write_iops[0].rate, 3);
        assert_string_equal(res->hugepage_limits[0].page_size, "2MB");
        assert_int_equal(res->network_class_id, 1048577);
        assert_string_equal(res->network_priorities[0].name, "eth0");
        assert_int_equal(res->n_unified, 2);

        assert_string_equal(l->rootfs_propagation, "rslave");
        assert_string_equal(l->sysctl[0].key, "net.ipv4.ip_forward");
        assert_int_equal(l->n_masked_paths, 2);
        assert_int_equal(l->n_readonly_paths, 1);
        assert_true(l->has_seccomp);
        assert_string_equal(l->seccomp.default_action, "SCMP_ACT_ERRNO");
        assert_int_equal(l->seccomp.default_errno_ret, 1);
        assert_string_equal(l->seccomp.architectures[1], "SCMP_ARCH_X86");
        assert_string_equal(l->seccomp.listener_path, "/run/seccomp.sock");
        assert_int_equal(l->seccomp.n_syscalls, 3);
        assert_int_equal(l->seccomp.syscalls[0].n_names, 2);
        assert_true(l->seccomp.syscalls[1].args[0].value == UINT64_MAX);
        assert_string_equal(l->seccomp.syscalls[1].args[0].op, "SCMP_CMP_EQ");
        assert_true(l->seccomp.syscalls[2].has_errno_ret);
        assert_int_equal(l->seccomp.syscalls[2].errno_ret, 38);
        assert_true(l->has_personality);
        assert_string_equal(l->personality_domain, "LINUX32");
        assert_true(l->has_time_offsets);
        assert_int_equal(l->time_offset_monotonic.secs, -10);
        assert_int_equal(l->time_offset_monotonic.nanosecs, 5);
        assert_int_equal(l->time_offset_boottime.secs, 3600);
        assert_string_equal(l->intel_rdt_clos_id, "guaranteed");
}

static void test_minimal(void **state)
{
        _cleanup_spec_ Spec *s = parse_ok("{\"ociVersion\": \"1.0.0\"}");

        assert_false(s->has_process);
        assert_false(s->has_linux);
        assert_null(s->root_path);
        assert_null(spec_namespace(s, NS_PID));
}

static void test_malformed_json(void **state)
{
        /* jansson's line and column, then its text. */
        parse_fails("{\n  \"ociVersion\": \"1.0.0\",\n  \"root\": }\n", "config.json:3:11: unexpected token near '}'");
        parse_fails("{\"ociVersion\": \"1.0.0\",}", "config.json:1:24: ");
        parse_fails("", "config.json:1:0: ");
        parse_fails("{\"ociVersion\": \"1.0.0\"} trailing", "config.json:1:");
        parse_fails("[1, 2]", "config.json: the top level must be a JSON object");
        /* too big even for a uint64: jansson's error, with its position */
        parse_fails("{\"ociVersion\": \"1.0.0\", \"x\": 99999999999999999999}", "config.json:1:49: too big integer");
}

static void test_oci_version(void **state)
{
        static const char *const good[] = { "1.0.0", "1.0.0-rc5", "1.0.0-rc2-dev", "1.0.2-dev", "1.1.0", "1.2.0",
                                            "1.2.1", "1.3.0",     "1.3.0-rc.1",    "1.1.0+dev", NULL };
        static const char *const unsupported[] = { "1.3.1", "1.4.0", "2.0.0", "0.9.0", "1.10.0", NULL };
        static const char *const garbage[] = { "abc", "1", "1.0", "1.0.0.0", "v1.0.0", "01.0.0", "1.0.0-", "", NULL };

        for (const char *const *v = good; *v; v++) {
                char text[128];

                snprintf(text, sizeof(text), "{\"ociVersion\": \"%s\"}", *v);
                spec_free(parse_ok(text));
        }
        for (const char *const *v = unsupported; *v; v++) {
                char text[128], want[128];

                snprintf(text, sizeof(text), "{\"ociVersion\": \"%s\"}", *v);
                snprintf(want, sizeof(want),
                         "config.json: ociVersion \"%s\" is not supported (allowed: 1.0.0 to 1.3.0)", *v);
                parse_fails(text, want);
        }
        for (const char *const *v = garbage; *v; v++) {
                char text[128], want[128];

                snprintf(text, sizeof(text), "{\"ociVersion\": \"%s\"}", *v);
                snprintf(want, sizeof(want), "ociVersion \"%s\" is not a valid version", *v);
                parse_fails(text, want);
        }
        parse_fails("{}", "config.json: ociVersion is required");
        parse_fails("{\"ociVersion\": 1}", "config.json: ociVersion must be a string");
}

static void test_root(void **state)
{
        parse_fails("{\"ociVersion\": \"1.0.0\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}}",
                    "config.json: root is required when process is set");
        parse_fails("{\"ociVersion\": \"1.0.0\", \"root\": {}}", "config.json: root.path is required");
        parse_fails("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\", \"readonly\": \"yes\"}}",
                    "config.json: root.readonly must be a boolean");
        parse_fails("{\"ociVersion\": \"1.0.0\", \"root\": []}", "config.json: root must be an object");
}

static void test_process_errors(void **state)
{
        static const char args_msg[] = "config.json: process.args must be a non-empty array of strings";
#define base "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": %s}"
        char text[512];

        snprintf(text, sizeof(text), base, "{\"cwd\": \"/\"}");
        parse_fails(text, args_msg);
        snprintf(text, sizeof(text), base, "{\"args\": [], \"cwd\": \"/\"}");
        parse_fails(text, args_msg);
        snprintf(text, sizeof(text), base, "{\"args\": [\"sh\", 1], \"cwd\": \"/\"}");
        parse_fails(text, args_msg);
        snprintf(text, sizeof(text), base, "{\"args\": \"sh\", \"cwd\": \"/\"}");
        parse_fails(text, args_msg);
        snprintf(text, sizeof(text), base, "{\"commandLine\": \"sh -c x\", \"cwd\": \"/\"}");
        parse_fails(text, "commandLine is only used on Windows");
        snprintf(text, sizeof(text), base, "{\"args\": [\"sh\"]}");
        parse_fails(text, "config.json: process.cwd is required");
#undef base

        fails_with(", \"cwd\": \"relative/dir\"", "", "config.json: process.cwd must be an absolute path");
        /* runtime-spec 1.1: a mount destination MUST be absolute */
        fails_with("", ", \"mounts\": [{\"destination\": \"data\", \"type\": \"tmpfs\"}]",
                   "config.json: mounts[0].destination must be an absolute path, not \"data\"");
        fails_with(", \"env\": [\"A=1\", 2]", "", "config.json: process.env must be an array of strings");
        fails_with(", \"terminal\": 1", "", "config.json: process.terminal must be a boolean");
        fails_with(", \"oomScoreAdj\": 1001", "",
                   "config.json: process.oomScoreAdj must be an integer between -1000 and 1000");
        fails_with(", \"oomScoreAdj\": 1.5", "", "config.json: process.oomScoreAdj must be an integer");
        fails_with(", \"ioPriority\": {\"class\": \"IOPRIO_CLASS_NONE\"}", "",
                   "config.json: process.ioPriority.class: unknown class \"IOPRIO_CLASS_NONE\" (allowed: "
                   "IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)");
        fails_with(", \"capabilities\": {\"bounding\": [\"CAP_KILL\", null]}", "",
                   "config.json: process.capabilities.bounding must be an array of strings");
        fails_with(", \"scheduler\": {\"policy\": \"SCHED_FAST\"}", "",
                   "config.json: process.scheduler.policy: unknown policy \"SCHED_FAST\"");
}

static void test_user(void **state)
{
#define base                                                                     \
        "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": " \
        "{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": %s}}"
        char text[512];

        snprintf(text, sizeof(text), base, "{\"gid\": 0}");
        parse_fails(text, "config.json: process.user.uid is required");
        snprintf(text, sizeof(text), base, "{\"uid\": 0}");
        parse_fails(text, "config.json: process.user.gid is required");
        snprintf(text, sizeof(text), base, "{\"uid\": \"0\", \"gid\": 0}");
        parse_fails(text, "config.json: process.user.uid must be an integer between 0 and 4294967294");
        snprintf(text, sizeof(text), base, "{\"uid\": -1, \"gid\": 0}");
        parse_fails(text, "config.json: process.user.uid must be a non-negative integer (got -1)");
        /* (uid_t)-1 would mean "unchanged" to setresuid() */
        snprintf(text, sizeof(text), base, "{\"uid\": 4294967295, \"gid\": 0}");
        parse_fails(text, "config.json: process.user.uid must be an integer between 0 and 4294967294");
        snprintf(text, sizeof(text), base, "{\"uid\": 0, \"gid\": 0, \"additionalGids\": [1, -2]}");
        parse_fails(text, "config.json: process.user.additionalGids[1] must be a non-negative integer (got -2)");
#undef base
}

static void test_rlimits(void **state)
{
        fails_with(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1},"
                   " {\"type\": \"RLIMIT_BOGUS\", \"soft\": 1, \"hard\": 1}]",
                   "", "config.json: process.rlimits[1].type: unknown rlimit \"RLIMIT_BOGUS\" (allowed: RLIMIT_AS, ");
        fails_with(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1},"
                   " {\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 2}]",
                   "", "config.json: process.rlimits[1]: duplicate rlimit type \"RLIMIT_NOFILE\"");
        fails_with(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1}]", "",
                   "config.json: process.rlimits[0].hard is required");
        fails_with(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": -1, \"hard\": 1}]", "",
                   "config.json: process.rlimits[0].soft must be a non-negative integer (got -1)");
        fails_with(", \"rlimits\": {}", "", "config.json: process.rlimits must be an array");
        fails_with(", \"rlimits\": [\"RLIMIT_NOFILE\"]", "", "config.json: process.rlimits[0] must be an object");
}

static void test_hooks(void **state)
{
        fails_with("", ", \"hooks\": {\"prestart\": [{\"path\": \"hook\"}]}",
                   "config.json: hooks.prestart[0].path must be an absolute path");
        fails_with("", ", \"hooks\": {\"createRuntime\": [{\"args\": []}]}",
                   "config.json: hooks.createRuntime[0].path is required");
        fails_with("", ", \"hooks\": {\"poststart\": [{\"path\": \"/h\"}, {\"path\": \"/h\", \"timeout\": 0}]}",
                   "config.json: hooks.poststart[1].timeout must be an integer between 1 and");
        fails_with("", ", \"hooks\": {\"startContainer\": [{\"path\": \"/h\", \"timeout\": -3}]}",
                   "config.json: hooks.startContainer[0].timeout must be an integer between 1 and");
}

static void test_mounts(void **state)
{
        fails_with("", ", \"mounts\": [{\"destination\": \"/proc\"}, {\"destination\": \"\"}]",
                   "config.json: mounts[1].destination must be an absolute path");
        fails_with("", ", \"mounts\": [{\"destination\": \"/proc\"}, {\"type\": \"tmpfs\"}]",
                   "config.json: mounts[1].destination is required");
        fails_with("", ", \"mounts\": [{\"destination\": \"/x\", \"options\": \"ro\"}]",
                   "config.json: mounts[0].options must be an array of strings");
        fails_with("",
                   ", \"mounts\": [{\"destination\": \"/x\", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1}]}]",
                   "config.json: mounts[0].uidMappings[0].size is required");
}

static void test_namespaces(void **state)
{
        fails_with("",
                   ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"foo\"}]}",
                   "config.json: linux.namespaces[2].type: unknown namespace type \"foo\" (allowed: pid, network, "
                   "mount, ipc, uts, user, cgroup, time)");
        fails_with("", ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"net\"}]}",
                   "linux.namespaces[1].type: unknown namespace type \"net\"");
        fails_with("", ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"uts\"}, {\"type\": \"pid\"}]}",
                   "config.json: linux.namespaces[2]: duplicate namespace type \"pid\" (also in linux.namespaces[0])");
        fails_with("", ", \"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"netns\"}]}",
                   "config.json: linux.namespaces[0].path must be an absolute path");
        fails_with("", ", \"linux\": {\"namespaces\": [{}]}", "config.json: linux.namespaces[0].type is required");
}

static void test_linux_errors(void **state)
{
        fails_with("", ", \"linux\": {\"devices\": [{\"type\": \"c\", \"path\": \"/dev/x\", \"major\": 1}]}",
                   "config.json: linux.devices[0].minor is required");
        fails_with("", ", \"linux\": {\"devices\": [{\"type\": \"x\", \"path\": \"/dev/x\"}]}",
                   "config.json: linux.devices[0].type: unknown device type \"x\" (allowed: c, b, u, p)");
        fails_with("",
                   ", \"linux\": {\"devices\": [{\"type\": \"b\", \"path\": \"dev/x\", \"major\": 1, \"minor\": 1}]}",
                   "config.json: linux.devices[0].path must be an absolute path");
        fails_with("", ", \"linux\": {\"rootfsPropagation\": \"recursive\"}",
                   "config.json: linux.rootfsPropagation: unknown propagation \"recursive\" (allowed: shared, slave, "
                   "private, unbindable, rshared, rslave, rprivate, runbindable)");
        fails_with("", ", \"linux\": {\"sysctl\": {\"kernel.x\": 1}}",
                   "config.json: linux.sysctl[\"kernel.x\"] must be a string");
        fails_with("", ", \"annotations\": {\"a\": true}", "config.json: annotations[\"a\"] must be a string");
        fails_with("", ", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 0}]}",
                   "config.json: linux.uidMappings[0].size must be a positive integer");
        fails_with("", ", \"linux\": {\"seccomp\": {\"syscalls\": []}}",
                   "config.json: linux.seccomp.defaultAction is required");
        fails_with("",
                   ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], "
                   "\"action\": \"SCMP_ACT_ERRNO\"}]}}",
                   "config.json: linux.seccomp.syscalls[0].names must be a non-empty array of strings");
        fails_with(
                "", ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_DENY\"}}",
                "config.json: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_DENY\" (allowed: SCMP_ACT_ALLOW");
        fails_with(
                "",
                ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                "[\"x\"], "
                "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}}",
                "config.json: linux.seccomp.syscalls[0].args[0].index must be an integer between 0 and 5");
        fails_with("",
                   ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
                   "[\"x\"], "
                   "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"EQ\"}]}]}}",
                   "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator \"EQ\"");
        fails_with("", ", \"linux\": {\"personality\": {\"domain\": \"LINUX64\"}}",
                   "config.json: linux.personality.domain: unknown domain \"LINUX64\" (allowed: LINUX, LINUX32)");
        fails_with("", ", \"linux\": {\"timeOffsets\": {\"realtime\": {\"secs\": 1}}}",
                   "config.json: linux.timeOffsets: unknown clock \"realtime\" (allowed: monotonic, boottime)");
        fails_with("", ", \"linux\": {\"timeOffsets\": {\"boottime\": {\"nanosecs\": 1000000000}}}",
                   "config.json: linux.timeOffsets.boottime.nanosecs must be an integer between 0 and 999999999");
}

static void test_resources_errors(void **state)
{
        fails_with("", ", \"linux\": {\"resources\": {\"cpu\": {\"shares\": -5}}}",
                   "config.json: linux.resources.cpu.shares must be a non-negative integer (got -5)");
        fails_with("", ", \"linux\": {\"resources\": {\"memory\": {\"limit\": \"1g\"}}}",
                   "config.json: linux.resources.memory.limit must be an integer");
        fails_with("", ", \"linux\": {\"resources\": {\"memory\": {\"limit\": 9223372036854775808}}}",
                   "config.json: linux.resources.memory.limit must be an integer between");
        fails_with("", ", \"linux\": {\"resources\": {\"devices\": [{\"access\": \"rwm\"}]}}",
                   "config.json: linux.resources.devices[0].allow is required");
        fails_with("", ", \"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}}",
                   "config.json: linux.resources.devices[0].access must be a combination of r, w and m");
        fails_with("", ", \"linux\": {\"resources\": {\"blockIO\": {\"weight\": 70000}}}",
                   "config.json: linux.resources.blockIO.weight must be an integer between 0 and 65535");
        fails_with("",
                   ", \"linux\": {\"resources\": {\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": "
                   "0}]}}}",
                   "config.json: linux.resources.blockIO.throttleReadBpsDevice[0].rate is required");
        fails_with("", ", \"linux\": {\"resources\": {\"hugepageLimits\": [{\"limit\": 1}]}}",
                   "config.json: linux.resources.hugepageLimits[0].pageSize is required");
        fails_with("", ", \"linux\": {\"resources\": {\"unified\": {\"memory.max\": 5}}}",
                   "config.json: linux.resources.unified[\"memory.max\"] must be a string");
}

static void test_big_integers(void **state)
{
        /* A big number in a signed field, and the same digits in a string
         * or after a minus sign, are not mistaken for one another. */
        _cleanup_free_ char *text = config_with(", \"rlimits\": [{\"type\": \"RLIMIT_AS\", \"soft\": "
                                                "9223372036854775808, \"hard\": 18446744073709551615}]"
                                                ", \"env\": [\"X=18446744073709551615\"]",
                                                ", \"annotations\": {\"n\": \"9223372036854775808\"}, \"linux\": "
                                                "{\"resources\": {\"memory\": {\"limit\": "
                                                "-9223372036854775808}}}");
        _cleanup_spec_ Spec *s = parse_ok(text);

        assert_true(s->process.rlimits[0].soft == UINT64_C(9223372036854775808));
        assert_true(s->process.rlimits[0].hard == UINT64_MAX);
        assert_string_equal(s->process.env[0], "X=18446744073709551615");
        assert_string_equal(s->annotations[0].value, "9223372036854775808");
        assert_true(s->linux_.resources.memory_limit == INT64_MIN);

        parse_fails("{\"ociVersion\": \"1.0.0\",\n \"x\": 18446744073709551616}", "config.json:2:");
}

static void test_null_is_absent(void **state)
{
        _cleanup_free_ char *text = config_with(", \"env\": null, \"capabilities\": null",
                                                ", \"hostname\": null, \"linux\": {\"resources\": null}");
        _cleanup_spec_ Spec *s = parse_ok(text);

        assert_null(s->process.env);
        assert_false(s->process.has_capabilities);
        assert_null(s->hostname);
        assert_true(s->has_linux);
        assert_false(s->linux_.has_resources);
}

static void test_duplicate_keys_last_wins(void **state)
{
        _cleanup_spec_ Spec *s = parse_ok("{\"ociVersion\": \"1.0.0\", \"hostname\": \"a\", \"hostname\": \"b\"}");

        assert_string_equal(s->hostname, "b");
}

static void test_parse_process(void **state)
{
        static const char good[] = "{\"args\": [\"ls\", \"-l\"], \"cwd\": \"/tmp\", \"env\": [\"A=B\"], "
                                   "\"user\": {\"uid\": 1, \"gid\": 2}, \"terminal\": false}";
        _cleanup_error_ Error *err = NULL;
        SpecProcess *p = NULL;

        assert_int_equal(spec_parse_process(good, strlen(good), "process.json", &p, &err), 0);
        assert_string_equal(p->args[1], "-l");
        assert_string_equal(p->cwd, "/tmp");
        assert_int_equal(p->user.gid, 2);
        spec_process_free(p);
        p = NULL;

        assert_int_equal(spec_parse_process("{\"cwd\": \"/\"}", 12, "process.json", &p, &err), -EINVAL);
        assert_null(p);
        assert_string_equal(err->msg, "process.json: args must be a non-empty array of strings");
        assert_int_equal(spec_parse_process("{\"args\": [\"x\"], \"cwd\": \"x\"}", 27, "process.json", &p, &err),
                         -EINVAL);
        assert_non_null(strstr(err->msg, "process.json: cwd must be an absolute path"));
        assert_int_equal(spec_parse_process("{\"args\": [\"x\"],\n\"cwd\": }", 24, "process.json", &p, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "process.json:2:8: "));
}

static void test_parse_resources(void **state)
{
        static const char good[] = "{\"memory\": {\"limit\": 1048576, \"swap\": -1}, \"pids\": {\"limit\": 10}, "
                                   "\"cpu\": {\"cpus\": \"0\"}}";
        _cleanup_error_ Error *err = NULL;
        SpecResources *r = NULL;

        assert_int_equal(spec_parse_resources(good, strlen(good), "resources.json", &r, &err), 0);
        assert_true(r->has_memory_limit);
        assert_int_equal(r->memory_limit, 1048576);
        assert_true(r->has_pids_limit);
        assert_false(r->has_cpu_shares);
        assert_string_equal(r->cpu_cpus, "0");
        spec_resources_free(r);
        r = NULL;

        assert_int_equal(spec_parse_resources("{\"pids\": {\"limit\": \"x\"}}", 24, "-", &r, &err), -EINVAL);
        assert_null(r);
        assert_string_equal(err->msg, "-: pids.limit must be an integer");
}

static void test_lookups(void **state)
{
        assert_string_equal(ns_type_to_string(NS_NET), "network");
        assert_string_equal(ns_type_to_string(NS_MNT), "mount");
        assert_string_equal(ns_type_proc_name(NS_NET), "net");
        assert_string_equal(ns_type_proc_name(NS_MNT), "mnt");
        assert_string_equal(ns_type_proc_name(NS_TIME), "time");
        assert_int_equal(ns_type_from_string("cgroup"), NS_CGROUP);
        assert_int_equal(ns_type_from_string("net"), -EINVAL);
        assert_int_equal(ns_type_from_string(NULL), -EINVAL);
        assert_null(ns_type_to_string(_NS_MAX));
        assert_int_equal(ns_type_clone_flag(NS_PID), 0x20000000);
        assert_int_equal(ns_type_clone_flag(NS_USER), 0x10000000);
        assert_int_equal(ns_type_clone_flag(NS_TIME), 0x80);
        for (int t = 0; t < _NS_MAX; t++) {
                assert_int_equal(ns_type_from_string(ns_type_to_string((NsType)t)), t);
                assert_int_not_equal(ns_type_clone_flag((NsType)t), 0);
        }
        assert_string_equal(hook_kind_to_string(HOOK_CREATE_RUNTIME), "createRuntime");
        assert_string_equal(hook_kind_to_string(HOOK_POSTSTOP), "poststop");
        assert_null(hook_kind_to_string(_HOOK_MAX));
}

static void test_spec_load(void **state)
{
        char path[] = "/tmp/husk-test-spec-XXXXXX";
        _cleanup_error_ Error *err = NULL;
        Spec *spec = NULL;
        int fd;

        fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, full_config, strlen(full_config)), (ssize_t)strlen(full_config));
        close(fd);
        assert_int_equal(spec_load(path, &spec, &err), 0);
        assert_string_equal(spec->hostname, "web");
        spec_free(spec);
        unlink(path);

        assert_true(spec_load(path, &spec, &err) < 0);
        assert_int_equal(err->code, ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_config),
                cmocka_unit_test(test_minimal),
                cmocka_unit_test(test_malformed_json),
                cmocka_unit_test(test_oci_version),
                cmocka_unit_test(test_root),
                cmocka_unit_test(test_process_errors),
                cmocka_unit_test(test_user),
                cmocka_unit_test(test_rlimits),
                cmocka_unit_test(test_hooks),
                cmocka_unit_test(test_mounts),
                cmocka_unit_test(test_namespaces),
                cmocka_unit_test(test_linux_errors),
                cmocka_unit_test(test_resources_errors),
                cmocka_unit_test(test_big_integers),
                cmocka_unit_test(test_null_is_absent),
                cmocka_unit_test(test_duplicate_keys_last_wins),
                cmocka_unit_test(test_parse_process),
                cmocka_unit_test(test_parse_resources),
                cmocka_unit_test(test_lookups),
                cmocka_unit_test(test_spec_load),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
