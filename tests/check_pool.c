/* sim/run/pool: the sweep's worker pool with tasks that need no
 * simulation — the same lines whatever the number of workers, what is
 * saved when a task fails or the pool is stopped, and half-written tasks
 * left out. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/run/pool.h"
#include "testutil.h"

/* Task t writes "t,a" and "t,b"; task `fail` fails (after writing its
 * first line when `half`), task `stop` sends the pool SIGTERM. */
typedef struct Tasks {
    size_t fail, stop;
    bool half;
} Tasks;

static bool task(void *ctx, size_t t, FILE *out)
{
    const Tasks *k = ctx;
    if (t == k->stop) {
        kill(getppid(), SIGTERM);
        pause(); /* until the pool stops this worker */
    }
    if (t == k->fail) {
        if (k->half) {
            fprintf(out, "%zu,a\n", t);
            fflush(out);
        }
        return false;
    }
    fprintf(out, "%zu,a\n%zu,b\n", t, t);
    return true;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = NULL;
    size_t n = 0;
    ck_assert(getdelim(&buf, &n, '\0', f) >= 0);
    fclose(f);
    return buf;
}

/* "0,a 0,b 1,a ..." */
static char *joined(const Lines *l)
{
    size_t cap = 1;
    for (size_t i = 0; i < l->n; i++)
        cap += strlen(l->v[i]) + 1;
    char *s = calloc(cap, 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, l->v[i]);
    }
    return s;
}

/* Ten tasks given in reverse: back sorted by task, the same for one
 * worker as for three. */
START_TEST(same_lines_any_jobs)
{
    size_t todo[10];
    for (size_t i = 0; i < 10; i++)
        todo[i] = 9 - i;
    Tasks k = {SIZE_MAX, SIZE_MAX, false};
    char *first = NULL;
    for (unsigned jobs = 1; jobs <= 3; jobs += 2) {
        Lines out = {0};
        int sig = 0;
        ck_assert_int_eq(pool_run(task, &k, todo, 10, jobs, NULL, &out, &sig),
                         POOL_DONE);
        ck_assert_uint_eq(out.n, 20);
        char *s = joined(&out);
        if (!first) {
            first = s;
            ck_assert(!strncmp(s, "0,a 0,b 1,a 1,b 2,a", 19));
        } else {
            ck_assert_str_eq(s, first);
            free(s);
        }
        lines_free(&out);
    }
    free(first);
}
END_TEST

/* Task 5 fails with one worker: tasks 0 to 4 are saved, with the lines
 * the file kept; task 5's half is not. */
START_TEST(failure_saves_finished)
{
    char csv[512];
    snprintf(csv, sizeof csv, "%s", tu_write("pool.csv", ""));
    remove(csv);
    size_t todo[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    Lines have = {0};
    lines_add(&have, strdup("9,a"));
    lines_add(&have, strdup("9,b"));
    PoolSave save = {csv, "point,x", &have, 2};
    for (int half = 0; half <= 1; half++) {
        Tasks k = {5, SIZE_MAX, half};
        Lines out = {0};
        int sig = 0;
        ck_assert_int_eq(pool_run(task, &k, todo, 8, 1, &save, &out, &sig),
                         POOL_FAILED);
        ck_assert_uint_eq(out.n, 0);
        char *s = slurp(csv);
        ck_assert_str_eq(s, "point,x\n0,a\n0,b\n1,a\n1,b\n2,a\n2,b\n3,a\n"
                            "3,b\n4,a\n4,b\n9,a\n9,b\n");
        free(s);
    }
    lines_free(&have);
}
END_TEST

static pid_t caller;
static char ran_in_worker[512];

/* The caller's own SIGTERM handler, which a worker must not run. */
static void caller_handler(int sig)
{
    (void)sig;
    if (getpid() != caller)
        close(open(ran_in_worker, O_WRONLY | O_CREAT, 0644));
}

/* SIGTERM while task 4 runs: the pool stops its workers, saves tasks 0
 * to 3 and says which signal it was.  The workers die of the signal, not
 * by the handler the caller had (Check's own kills its process group). */
START_TEST(stopped_by_signal)
{
    char csv[512];
    snprintf(csv, sizeof csv, "%s", tu_write("stop.csv", ""));
    remove(csv);
    snprintf(ran_in_worker, sizeof ran_in_worker, "%s",
             tu_write("ran-in-worker", ""));
    remove(ran_in_worker);
    caller = getpid();
    struct sigaction sa = {.sa_handler = caller_handler};
    sigaction(SIGTERM, &sa, NULL);
    size_t todo[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    PoolSave save = {csv, "point,x", NULL, 2};
    Tasks k = {SIZE_MAX, 4, false};
    Lines out = {0};
    int sig = 0;
    ck_assert_int_eq(pool_run(task, &k, todo, 8, 1, &save, &out, &sig),
                     POOL_STOPPED);
    ck_assert_int_eq(sig, SIGTERM);
    char *s = slurp(csv);
    ck_assert_str_eq(s, "point,x\n0,a\n0,b\n1,a\n1,b\n2,a\n2,b\n3,a\n3,b\n");
    free(s);
    ck_assert_msg(access(ran_in_worker, F_OK) != 0,
                  "a worker ran the caller's SIGTERM handler");
    lines_free(&out);
}
END_TEST

Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("workers");
    tcase_add_test(tc, same_lines_any_jobs);
    tcase_add_test(tc, failure_saves_finished);
    tcase_add_test(tc, stopped_by_signal);
    suite_add_tcase(s, tc);
    return s;
}
