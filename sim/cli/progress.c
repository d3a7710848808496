#include "sim/cli/progress.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

typedef struct Shown {
    const char *what;
    double start, last;
    const char *scheme;
    bool on; /* a line is on the terminal */
} Shown;

static Shown shown;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show(void *ctx, const char *scheme, uint64_t done, uint64_t total)
{
    Shown *s = ctx;
    double t = now_s();
    if (scheme != s->scheme) {
        s->scheme = scheme;
        s->start = t;
    }
    if (done >= total) {
        if (s->on)
            fputs("\r\033[K", stderr);
        s->on = false;
        return;
    }
    if (s->on && t - s->last < 0.25)
        return;
    s->last = t;
    s->on = true;
    fprintf(stderr, "\r%s: %s: %llu of %llu operations (%.0f%%), %.0f s\033[K",
            s->what, scheme, (unsigned long long)done,
            (unsigned long long)total, total ? 100.0 * done / total : 0,
            t - s->start);
    fflush(stderr);
}

RunHooks cli_run_hooks(const char *what, struct Trace *trace)
{
    RunHooks h = {trace, NULL, NULL};
    if (isatty(STDERR_FILENO)) {
        shown = (Shown){.what = what};
        h.progress = show;
        h.progress_ctx = &shown;
    }
    return h;
}
