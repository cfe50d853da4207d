/* husk info, husk version and husk system df: what Docker's daemon
 * reports about itself, read from the store, the containers and the host. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cli/husk-cli.h"
#include "cli/template.h"
#include "config.h"
#include "engine/engine.h"
#include "lib/macros.h"
#include "lib/util.h"

/* Run a --format template over one object and print it with a newline
 * (info, version: Docker's templates over a single value). */
static int print_template(const char *fmt, json_t *data, const char *type_name)
{
        _cleanup_template_ Template *t = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *out = NULL;
        TemplateExecOpts o = { .strict = true, .type_name = type_name };
        bool table;
        const char *body = template_format_body(fmt, &table);

        if (template_parse(body, &t, &err) < 0) {
                fprintf(stderr, "template parsing error: %s\n", err->msg);
                return 1;
        }
        if (template_exec_string(t, data, &o, &out, &err) < 0) {
                fprintf(stderr, "%s\n", err->msg);
                return 1;
        }
        printf("%s\n", out);
        return 0;
}

static char *os_pretty_name(void)
{
        _cleanup_free_ char *s = NULL;
        char *p, *e;

        if (read_full_file("/etc/os-release", &s, NULL, NULL) < 0)
                return strdup("Linux");
        p = strstr(s, "PRETTY_NAME=");
        if (!p)
                return strdup("Linux");
        p += 12;
        if (*p == '"')
                p++;
        e = p + strcspn(p, "\"\n");
        return strndup(p, (size_t)(e - p));
}

/* The filesystem under the storage root, named as Docker's "Backing
 * Filesystem" line names it. */
static const char *backing_fs(const char *root)
{
        struct statfs sf;

        if (statfs(root, &sf) < 0)
                return "unknown";
        switch ((unsigned long)sf.f_type) {
        case EXT4_SUPER_MAGIC: return "extfs";
        case XFS_SUPER_MAGIC: return "xfs";
        case BTRFS_SUPER_MAGIC: return "btrfs";
        case TMPFS_MAGIC: return "tmpfs";
        case OVERLAYFS_SUPER_MAGIC: return "overlayfs";
        case 0x2fc12fc1: return "zfs";
        default: return "unknown";
        }
}

typedef struct Counts {
        size_t total, running, paused, stopped;
        uint64_t size, reclaimable;
        json_t *used_images; /* image id -> count */
        json_t *rows;        /* -v */
} Counts;

static void count_containers(Engine *e, Counts *c, bool sizes)
{
        _cleanup_strv_ char **ids = NULL;

        *c = (Counts){ .used_images = json_object(), .rows = json_array() };
        if (engine_list(e, &ids, NULL) < 0)
                return;
        for (char **id = ids; *id; id++) {
                json_t *rec = NULL, *st;
                const char *status, *img;
                uint64_t sz = 0;
                if (engine_load(e, *id, &rec, NULL) < 0)
                        continue;
                st = json_object_get(rec, "State");
                status = json_string_value(json_object_get(st, "Status")) ?: "";
                img = json_string_value(json_object_get(rec, "Image")) ?: "";
                c->total++;
                if (streq(status, "paused"))
                        c->paused++;
                else if (streq(status, "running"))
                        c->running++;
                else
                        c->stopped++;
                json_object_set_new(c->used_images, img,
                                    json_integer(json_integer_value(json_object_get(c->used_images, img)) + 1));
                if (sizes) {
                        _cleanup_free_ char *upper = engine_container_path(e, *id, "upper");
                        sz = upper ? cli_dir_size(upper) : 0;
                        c->size += sz;
                        if (!json_is_true(json_object_get(st, "Running")))
                                c->reclaimable += sz;
                        json_array_append_new(
                                c->rows,
                                json_pack("{s:s,s:s,s:I,s:s,s:s}", "ID", *id, "Image",
                                          json_string_value(json_object_get(json_object_get(rec, "Config"), "Image"))
                                                  ?: "",
                                          "Size", (json_int_t)sz, "Status", status, "Name",
                                          (json_string_value(json_object_get(rec, "Name")) ?: "/") + 1));
                }
                json_decref(rec);
        }
}

/* ---- info ---- */

int cmd_info(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        _cleanup_free_ char *os = os_pretty_name();
        StoreImage **imgs = NULL;
        size_t nimg = 0;
        const char *fmt = NULL;
        struct utsname u;
        struct sysinfo si;
        char host[256] = "", mem[32];
        Counts c;
        CgroupLayout layout = cgroup_layout();
        json_t *info;
        int ch, ret = 0;
        double gib;

        GETOPT_LOOP(cmd, argc, argv, "f:", lo, ch) if (ch == 'f') fmt = optarg;
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
        (void)store_list(s, &imgs, &nimg, NULL);
        store_image_list_free(imgs, nimg);
        count_containers(e, &c, false);
        uname(&u);
        (void)gethostname(host, sizeof(host) - 1);
        if (sysinfo(&si) < 0)
                memset(&si, 0, sizeof(si));
        gib = (double)si.totalram * si.mem_unit / (1024.0 * 1024 * 1024);
        snprintf(mem, sizeof(mem), "%.4gGiB", gib);
        info = json_pack("{s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s}", "Containers",
                         (json_int_t)c.total, "ContainersRunning", (json_int_t)c.running, "ContainersPaused",
                         (json_int_t)c.paused, "ContainersStopped", (json_int_t)c.stopped, "Images", (json_int_t)nimg,
                         "ServerVersion", HUSK_VERSION, "Driver", "overlay2", "CgroupDriver", "cgroupfs",
                         "CgroupVersion", layout == CGROUP_LAYOUT_V2 ? "2" : "1", "KernelVersion", u.release,
                         "OperatingSystem", os ? os : "Linux", "OSType", "linux", "Architecture", u.machine, "NCPU",
                         (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "MemTotal",
                         (json_int_t)((uint64_t)si.totalram * si.mem_unit), "Name", host, "DockerRootDir",
                         store_root(s));
        json_decref(c.used_images);
        json_decref(c.rows);
        if (!info)
                return 1;
        if (fmt)
                ret = print_template(fmt, info, "*info.Info");
        else {
                printf("Client:\n Version:    %s\n Context:    default\n Debug Mode: false\n\n", HUSK_VERSION);
                printf("Server:\n Containers: %zu\n  Running: %zu\n  Paused: %zu\n  Stopped: %zu\n Images: %zu\n"
                       " Server Version: %s\n Storage Driver: overlay2\n  Backing Filesystem: %s\n Cgroup Driver: "
                       "cgroupfs\n Cgroup Version: %s\n Runtimes: husk-runtime\n"
                       " Default Runtime: husk-runtime\n Kernel Version: %s\n Operating System: %s\n OSType: linux\n"
                       " Architecture: %s\n CPUs: %ld\n Total Memory: %s\n Name: %s\n Docker Root Dir: %s\n"
                       " Debug Mode: false\n",
                       c.total, c.running, c.paused, c.stopped, nimg, HUSK_VERSION, backing_fs(store_root(s)),
                       layout == CGROUP_LAYOUT_V2 ? "2" : "1", u.release, os ? os : "Linux", u.machine,
                       sysconf(_SC_NPROCESSORS_ONLN), mem, host, store_root(s));
        }
        json_decref(info);
        return ret;
}

/* ---- version ---- */

int cmd_version(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "format", required_argument, NULL, 'f' },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        const char *fmt = NULL;
        struct utsname u;
        json_t *v;
        int ch, ret = 0;
        const char *arch;

        GETOPT_LOOP(cmd, argc, argv, "f:", lo, ch) if (ch == 'f') fmt = optarg;
        uname(&u);
        /* Go's GOARCH names */
        arch = streq(u.machine, "x86_64") ? "amd64" : streq(u.machine, "aarch64") ? "arm64" : u.machine;
        v = json_pack("{s:{s:s,s:s,s:s,s:s,s:s},s:{s:s,s:s,s:s,s:s,s:s,s:[{s:s,s:s}]}}", "Client", "Version",
                      HUSK_VERSION, "GitCommit", HUSK_COMMIT, "Os", "linux", "Arch", arch, "Context", "default",
                      "Server", "Version", HUSK_VERSION, "GitCommit", HUSK_COMMIT, "Os", "linux", "Arch", arch,
                      "KernelVersion", u.release, "Components", "Name", "Engine", "Version", HUSK_VERSION);
        if (!v)
                return 1;
        if (fmt)
                ret = print_template(fmt, v, "types.VersionInfo");
        else
                printf("Client:\n Version:           %s\n Git commit:        %s\n OS/Arch:           linux/%s\n"
                       " Context:           default\n\nServer:\n Engine:\n  Version:          %s\n"
                       "  Git commit:       %s\n  OS/Arch:          linux/%s\n  Kernel Version:   %s\n"
                       " husk-runtime:\n  Version:          %s\n",
                       HUSK_VERSION, HUSK_COMMIT, arch, HUSK_VERSION, HUSK_COMMIT, arch, u.release, HUSK_VERSION);
        json_decref(v);
        return ret;
}

/* ---- system df ---- */

static void percent(uint64_t part, uint64_t whole, char *buf, size_t n)
{
        char sz[32];

        cli_human_size(part, sz, sizeof(sz));
        if (whole)
                snprintf(buf, n, "%s (%d%%)", sz, (int)(part * 100 / whole));
        else
                snprintf(buf, n, "%s", sz);
}

int cmd_system_df(const Cmd *cmd, int argc, char **argv)
{
        static const struct option lo[] = { { "verbose", no_argument, NULL, 'v' },
                                            { "format", required_argument, NULL, 1 },
                                            { "help", no_argument, NULL, 'h' },
                                            { 0 } };
        _cleanup_store_ Store *s = NULL;
        _cleanup_engine_ Engine *e = NULL;
        _cleanup_error_ Error *err = NULL;
        StoreImage **imgs = NULL;
        size_t nimg = 0, active_imgs = 0;
        uint64_t isize = 0, ireclaim = 0;
        bool verbose = false;
        const char *fmt = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}";
        Counts c;
        json_t *rows, *h;
        char a[32], b[64], d[32], f[64];
        int ch, ret;

        GETOPT_LOOP(cmd, argc, argv, "v", lo, ch) switch (ch)
        {
        case 'v': verbose = true; break;
        case 1: fmt = optarg; break;
        }
        if (cli_open_engine(&s, &e, &err) < 0)
                return cli_fail125(err);
        if (store_list(s, &imgs, &nimg, &err) < 0)
                return cli_fail(err);
        count_containers(e, &c, true);
        for (size_t i = 0; i < nimg; i++) {
                bool used = json_object_get(c.used_images, imgs[i]->id) != NULL;
                isize += imgs[i]->size;
                if (used)
                        active_imgs++;
                else
                        ireclaim += imgs[i]->size;
        }
        cli_human_size(isize, a, sizeof(a));
        percent(ireclaim, isize, b, sizeof(b));
        cli_human_size(c.size, d, sizeof(d));
        percent(c.reclaimable, c.size, f, sizeof(f));
        rows = json_pack("[{s:s,s:I,s:I,s:s,s:s},{s:s,s:I,s:I,s:s,s:s},{s:s,s:i,s:i,s:s,s:s},{s:s,s:i,s:i,s:s,s:s}]",
                         "Type", "Images", "TotalCount", (json_int_t)nimg, "Active", (json_int_t)active_imgs, "Size", a,
                         "Reclaimable", b, "Type", "Containers", "TotalCount", (json_int_t)c.total, "Active",
                         (json_int_t)(c.running + c.paused), "Size", d, "Reclaimable", f, "Type", "Local Volumes",
                         "TotalCount", 0, "Active", 0, "Size", "0B", "Reclaimable", "0B", "Type", "Build Cache",
                         "TotalCount", 0, "Active", 0, "Size", "0B", "Reclaimable", "0B");
        h = json_pack("{s:s,s:s,s:s,s:s,s:s}", "Type", "TYPE", "TotalCount", "TOTAL", "Active", "ACTIVE", "Size",
                      "SIZE", "Reclaimable", "RECLAIMABLE");
        if (!verbose)
                ret = cli_format_rows(fmt, "*formatter.diskUsageImagesContext", h, rows);
        else {
                json_t *ir = json_array(), *ih, *cr = json_array(), *chd, *row;
                size_t i;
                for (size_t k = 0; k < nimg; k++) {
                        char sz[32];
                        const char *tag = imgs[k]->tags && imgs[k]->tags[0] ? imgs[k]->tags[0] : "<none>:<none>";
                        const char *colon = strrchr(tag, ':');
                        _cleanup_free_ char *repo = strndup(tag, colon ? (size_t)(colon - tag) : strlen(tag));
                        cli_human_size(imgs[k]->size, sz, sizeof(sz));
                        json_array_append_new(
                                ir, json_pack("{s:s,s:s,s:s%,s:s,s:I}", "Repository", repo ? repo : "", "Tag",
                                              colon ? colon + 1 : "<none>", "ID", imgs[k]->id + 7, (size_t)12, "Size",
                                              sz, "Containers",
                                              json_integer_value(json_object_get(c.used_images, imgs[k]->id))));
                }
                ih = json_pack("{s:s,s:s,s:s,s:s,s:s}", "Repository", "REPOSITORY", "Tag", "TAG", "ID", "IMAGE ID",
                               "Size", "SIZE", "Containers", "CONTAINERS");
                json_array_foreach(c.rows, i, row)
                {
                        char sz[32];
                        cli_human_size((uint64_t)json_integer_value(json_object_get(row, "Size")), sz, sizeof(sz));
                        json_array_append_new(cr, json_pack("{s:s%,s:O,s:s,s:O,s:O}", "ID",
                                                            json_string_value(json_object_get(row, "ID")), (size_t)12,
                                                            "Image", json_object_get(row, "Image"), "Size", sz,
                                                            "Status", json_object_get(row, "Status"), "Names",
                                                            json_object_get(row, "Name")));
                }
                chd = json_pack("{s:s,s:s,s:s,s:s,s:s}", "ID", "CONTAINER ID", "Image", "IMAGE", "Size", "SIZE",
                                "Status", "STATUS", "Names", "NAMES");
                puts("Images space usage:\n");
                ret = cli_format_rows("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}\t{{.Containers}}",
                                      "*formatter.imageContext", ih, ir);
                puts("\nContainers space usage:\n");
                ret |= cli_format_rows("table {{.ID}}\t{{.Image}}\t{{.Size}}\t{{.Status}}\t{{.Names}}",
                                       "*formatter.ContainerContext", chd, cr);
                puts("\nLocal Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\n\n"
                     "Build cache usage: 0B\n\nCACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     "
                     "SHARED");
                json_decref(ir);
                json_decref(ih);
                json_decref(cr);
                json_decref(chd);
        }
        json_decref(h);
        json_decref(rows);
        json_decref(c.used_images);
        json_decref(c.rows);
        store_image_list_free(imgs, nimg);
        return ret;
}
