/* The worker pool of a sweep (docs/cli.md, "sweep"): tasks run in forked
 * worker processes, each writing the CSV lines of its tasks to a file of
 * its own; a progress line on a terminal; finished tasks saved to the CSV
 * every two seconds and when the pool stops, so an interrupted sweep
 * loses little.  Every line a task writes starts with the task's index
 * (csvlines.h, point_of). */
#ifndef DMASIM_POOL_H
#define DMASIM_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sim/run/csvlines.h"

/* Runs task `task`, writing its lines to out; false if it failed (it says
 * why on stderr).  Called in a worker process. */
typedef bool PoolTaskFn(void *ctx, size_t task, FILE *out);

/* Where finished tasks are saved while the pool runs. */
typedef struct PoolSave {
    const char *csv;        /* NULL: nothing is saved */
    const char *header;     /* the CSV's first line */
    const Lines *have;      /* lines the file keeps besides the new ones */
    size_t lines_per_task;  /* a task is complete with this many lines */
} PoolSave;

typedef enum {
    POOL_DONE,    /* every task ran */
    POOL_FAILED,  /* a task or a worker failed */
    POOL_STOPPED, /* SIGINT or SIGTERM */
} PoolResult;

/* Runs tasks todo[0..n) in `jobs` worker processes (task i in worker
 * i mod jobs).  POOL_DONE: every task's lines come back in out, sorted by
 * task.  Otherwise save->csv holds the complete tasks finished (those it
 * had too), and for POOL_STOPPED *sig is the signal.  Temporary files go
 * under $TMPDIR (default /tmp) and are removed. */
PoolResult pool_run(PoolTaskFn *fn, void *ctx, const size_t *todo, size_t n,
                    unsigned jobs, const PoolSave *save, Lines *out,
                    int *sig);

#endif
