#include "sim/run/pool.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(size_t done, size_t total, double t0)
{
    double el = now_s() - t0, rate = el > 0 ? done / el : 0;
    int width = 30, fill = total ? (int)(width * done / total) : width;
    fprintf(stderr, "\r[%.*s%.*s] %zu/%zu points, %.1f/s, ETA %.0f s ", fill,
            "##############################", width - fill,
            "..............................", done, total, rate,
            rate > 0 ? (total - done) / rate : 0.0);
    fflush(stderr);
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

/* The complete tasks (a line each of lines_per_task, each ended by a
 * newline) of a worker's file so far. */
static void read_complete(const char *path, size_t lines_per_task,
                          Lines *out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0, start = out->n;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0 && line[n - 1] == '\n') {
        line[n - 1] = '\0';
        char *c = strdup(line);
        if (!c)
            abort();
        lines_add(out, c);
    }
    free(line);
    fclose(f);
    /* A worker writes its tasks one after another: drop a last task whose
     * lines are not all there yet. */
    size_t end = out->n;
    if (end > start && lines_per_task) {
        size_t last = point_of(out->v[end - 1]), k = end;
        while (k > start && point_of(out->v[k - 1]) == last)
            k--;
        if (end - k < lines_per_task)
            while (out->n > k)
                free(out->v[--out->n]);
    }
}

/* The save file rewritten (temporary file and rename) with the lines it
 * keeps and every complete task the workers have finished. */
static void checkpoint(const PoolSave *save, const char *dir, unsigned jobs)
{
    if (!save || !save->csv)
        return;
    Lines all = {0};
    for (size_t i = 0; save->have && i < save->have->n; i++) {
        char *c = strdup(save->have->v[i]);
        if (!c)
            abort();
        lines_add(&all, c);
    }
    for (unsigned w = 0; w < jobs; w++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%u", dir, w);
        read_complete(path, save->lines_per_task, &all);
    }
    sort_lines(&all);
    write_lines(save->csv, save->header, &all);
    lines_free(&all);
}

/* A worker: its share of the tasks into its file, a byte per task done
 * to the pipe. */
static void worker(PoolTaskFn *fn, void *ctx, const size_t *todo, size_t n,
                   unsigned w, unsigned jobs, const char *dir, int pipe_fd)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%u", dir, w);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "dmasim sweep: cannot write %s: %s\n", path,
                strerror(errno));
        _exit(2);
    }
    for (size_t i = w; i < n; i += jobs) {
        if (!fn(ctx, todo[i], f))
            _exit(2);
        /* Every line on disk before the task counts as done. */
        errno = 0;
        if (fflush(f) || ferror(f)) {
            fprintf(stderr, "dmasim sweep: cannot write %s: %s\n", path,
                    strerror(errno ? errno : EIO));
            _exit(2);
        }
        if (write(pipe_fd, "", 1) != 1)
            _exit(2);
    }
    if (fclose(f)) {
        fprintf(stderr, "dmasim sweep: cannot write %s: %s\n", path,
                strerror(errno));
        _exit(2);
    }
    _exit(0);
}

static void remove_files(const char *dir, unsigned jobs)
{
    for (unsigned w = 0; w < jobs; w++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%u", dir, w);
        remove(path);
    }
    rmdir(dir);
}

PoolResult pool_run(PoolTaskFn *fn, void *ctx, const size_t *todo, size_t n,
                    unsigned jobs, const PoolSave *save, Lines *out,
                    int *sig)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4000]; /* worker files are DIR/N in 4096 bytes */
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if ((size_t)snprintf(dir, sizeof dir, "%s/dmasim-sweep-XXXXXX", tmp) >=
        sizeof dir) {
        fprintf(stderr, "dmasim sweep: TMPDIR is too long\n");
        return POOL_FAILED;
    }
    if (!mkdtemp(dir)) {
        fprintf(stderr, "dmasim sweep: cannot make a directory in %s: %s\n",
                tmp, strerror(errno));
        return POOL_FAILED;
    }
    if (jobs > n)
        jobs = n ? (unsigned)n : 1;
    int fds[2];
    if (pipe(fds)) {
        perror("dmasim sweep: pipe");
        rmdir(dir);
        return POOL_FAILED;
    }
    pid_t *pids = calloc(jobs, sizeof *pids);
    if (!pids)
        abort();
    bool ok = true;
    /* Caught from before the first worker starts, so that no signal is
     * lost; the workers hold the signals blocked until they have their
     * own dispositions. */
    interrupted = 0;
    struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
    sigset_t both, old_mask;
    sigemptyset(&both);
    sigaddset(&both, SIGINT);
    sigaddset(&both, SIGTERM);
    sigprocmask(SIG_BLOCK, &both, &old_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    fflush(NULL);
    for (unsigned w = 0; w < jobs; w++) {
        pids[w] = fork();
        if (pids[w] < 0) {
            perror("dmasim sweep: fork");
            ok = false;
            jobs = w;
            break;
        }
        if (pids[w] == 0) {
            /* A worker dies of either signal (what the pool and a
             * terminal send it), unless the process ignored it: it runs
             * no handler inherited from the caller, which may act for
             * the whole process (remove its temporary files, signal its
             * process group). */
            struct sigaction dfl = {.sa_handler = SIG_DFL};
            sigaction(SIGINT, old_int.sa_handler == SIG_IGN ? &old_int : &dfl,
                      NULL);
            sigaction(SIGTERM,
                      old_term.sa_handler == SIG_IGN ? &old_term : &dfl, NULL);
            sigprocmask(SIG_SETMASK, &old_mask, NULL);
            close(fds[0]);
            worker(fn, ctx, todo, n, w, jobs, dir, fds[1]);
        }
    }
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    close(fds[1]);
    bool tty = isatty(STDERR_FILENO);
    double t0 = now_s(), saved = t0;
    size_t done = 0;
    char b[256];
    ssize_t got;
    if (tty)
        progress(0, n, t0);
    while (!interrupted && ((got = read(fds[0], b, sizeof b)) > 0 ||
                            (got < 0 && errno == EINTR))) {
        if (got > 0)
            done += (size_t)got;
        if (tty)
            progress(done, n, t0);
        if (now_s() - saved > 2) {
            checkpoint(save, dir, jobs);
            saved = now_s();
        }
    }
    close(fds[0]);
    if (interrupted) {
        for (unsigned w = 0; w < jobs; w++)
            kill(pids[w], SIGTERM);
        for (unsigned w = 0; w < jobs; w++)
            waitpid(pids[w], NULL, 0);
        checkpoint(save, dir, jobs);
        fprintf(stderr, "%sdmasim sweep: interrupted after %zu of %zu "
                        "points%s\n",
                tty ? "\n" : "", done, n,
                save && save->csv ? "; --resume goes on from there" : "");
        remove_files(dir, jobs);
        free(pids);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        *sig = interrupted;
        return POOL_STOPPED;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (tty)
        fputc('\n', stderr);
    for (unsigned w = 0; w < jobs; w++) {
        int st;
        while (waitpid(pids[w], &st, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(st) || WEXITSTATUS(st))
            ok = false;
    }
    if (!ok)
        checkpoint(save, dir, jobs); /* keep what the others finished */
    for (unsigned w = 0; ok && w < jobs; w++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%u", dir, w);
        read_lines(path, NULL, out, NULL);
    }
    remove_files(dir, jobs);
    free(pids);
    sort_lines(out);
    return ok ? POOL_DONE : POOL_FAILED;
}
