/* runloop: the timing loop of run-bench.sh.
 *
 *   runloop ROUNDS BLOCK NAME PATH ROOT BUNDLE MNTNS [NAME PATH ...]
 *
 * Runs `PATH --root ROOT run --bundle BUNDLE ID` ROUNDS times for each
 * runtime, in blocks: BLOCK runs of one runtime, then BLOCK of the next, and
 * so on round the runtimes, so that all of them see the same moments of a
 * noisy machine while each still runs back to back, as in real use (the
 * first run of each block is a warm-up and not counted: the previous
 * runtime may have left the kernel in another state). MNTNS is "-" or a
 * mount namespace file to join first (crun on a hybrid cgroup host). Prints
 * one line per runtime: NAME, the median and the mean of the wall time of
 * one `run`, in ms. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct Runtime {
        const char *name, *path, *root, *bundle;
        int mntns; /* -1: none */
        double *ms;
} Runtime;

static double now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

/* One `run`; returns its wall time in ms, or -1 if it failed. */
static double run_once(const Runtime *rt, const char *id)
{
        double t0 = now_ms();
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return -1;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);

                if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
                        _exit(126);
                if (rt->mntns >= 0 && setns(rt->mntns, CLONE_NEWNS) < 0)
                        _exit(126);
                execl(rt->path, rt->path, "--root", rt->root, "run", "--bundle", rt->bundle, id, (char *)NULL);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -1;
        return now_ms() - t0;
}

int main(int argc, char **argv)
{
        int rounds, block, n;
        Runtime *rts;

        if (argc < 8 || (argc - 3) % 5 != 0) {
                fprintf(stderr, "usage: runloop ROUNDS BLOCK NAME PATH ROOT BUNDLE MNTNS...\n");
                return 2;
        }
        rounds = atoi(argv[1]);
        block = atoi(argv[2]);
        n = (argc - 3) / 5;
        if (rounds < 1 || block < 1 || !(rts = calloc((size_t)n, sizeof(*rts))))
                return 2;
        for (int i = 0; i < n; i++) {
                char **a = argv + 3 + 5 * i;

                rts[i] = (Runtime){ a[0], a[1], a[2], a[3], -1, calloc((size_t)rounds, sizeof(double)) };
                if (!rts[i].ms)
                        return 2;
                if (strcmp(a[4], "-") != 0 && (rts[i].mntns = open(a[4], O_RDONLY | O_CLOEXEC)) < 0) {
                        perror(a[4]);
                        return 1;
                }
        }
        for (int done = 0; done < rounds; done += block)
                for (int i = 0; i < n; i++)
                        for (int r = done - 1; r < done + block && r < rounds; r++) {
                                char id[64];
                                double ms;

                                snprintf(id, sizeof(id), "bench-%d", r + 1);
                                ms = run_once(&rts[i], id);
                                if (ms < 0) {
                                        fprintf(stderr, "runloop: %s: run %s failed\n", rts[i].name, id);
                                        return 1;
                                }
                                if (r >= done)
                                        rts[i].ms[r] = ms;
                        }
        for (int i = 0; i < n; i++) {
                double sum = 0;

                qsort(rts[i].ms, (size_t)rounds, sizeof(double), cmp_double);
                for (int r = 0; r < rounds; r++)
                        sum += rts[i].ms[r];
                printf("%s %.3f %.3f\n", rts[i].name, rts[i].ms[rounds / 2], sum / rounds);
        }
        return 0;
}
