/* Running a scenario under one scheme (docs/schemes.md, "A run"): build
 * the platform and the kernel's memory, place the buffers and fill them
 * with the seeded pattern, run every stream's operations through the
 * scheme's plans on the timed hardware, and judge each operation with the
 * oracle. */
#ifndef DMASIM_RUNNER_H
#define DMASIM_RUNNER_H

#include "models/dma_api/dma_api.h"
#include "sim/core/diag.h"
#include "sim/core/hist.h"
#include "sim/core/sim.h"
#include "sim/run/scenario.h"

/* An error message and how many operations met it. */
typedef struct Reason {
    char *kind; /* "api" or "bus" */
    char *text;
    uint64_t count;
} Reason;

/* One operation of a stream, over all its repeats. */
typedef struct OpReport {
    const OpParams *op;
    const char *stream;
    uint64_t runs;
    uint64_t bytes_ok, bytes_wrong, bus_errors, api_errors, bounce_bytes;
    int engine;       /* of the first run: a master or ENGINE_CPU */
    char choice[600]; /* of the first run */
} OpReport;

/* One stream: its operations' runs, the bytes they moved (those without a
 * bus or API error), from its first operation's start to its last one's
 * end, and how long each run took. */
typedef struct StreamReport {
    const char *name;
    uint64_t runs, bytes_moved;
    SimTime first_start, last_end;
    Hist latency;
} StreamReport;

typedef struct SchemeResult {
    const char *scheme;
    bool correct, silent;
    uint64_t bytes_ok, bytes_wrong, bytes_misdirected;
    uint64_t bus_errors, api_errors, posted_lost, bounce_bytes;
    uint64_t bytes_moved; /* of operations without a bus or API error */
    /* programmable bridge windows the scheme set at run time, the idle
     * ones it replaced, IOMMU pages it mapped and the idle ones it
     * remapped, the register writes of both, and the time the
     * programming took (writes and read back) */
    uint64_t windows_programmed, window_evictions, register_writes;
    uint64_t iommu_pages_mapped, iommu_evictions;
    uint64_t cache_stale; /* bytes read stale: by a device from memory the
                             CPU's cache held dirty, or by the driver from
                             cache lines DMA had changed under */
    uint64_t window_waits; /* operations that waited for a window or IOMMU
                              page another operation held */
    SimTime map_ps;
    SimTime sim_time;     /* first operation's start to last one's end */
    double throughput_MBps;
    /* The masters' view: bytes the DMA transfers moved over the time at
     * least one of them ran; 0 when no DMA transfer ran. */
    uint64_t dma_bytes;
    SimTime dma_busy;
    double dma_throughput_MBps;
    uint64_t events;      /* as the burst-by-burst model runs them */
    uint64_t events_inline; /* of them, run without the kernel's queue
                               (sim_events_advanced; not a figure:
                               DMASIM_NO_COALESCE makes it 0) */
    uint64_t bursts;      /* bursts on every bus (platform_bursts) */
    double *bus_util;     /* per bus: its busier data path's busy time
                             over sim_time */
    size_t n_buses;
    OpReport *ops;
    size_t n_ops;
    Reason *reasons;
    size_t n_reasons;
    char misdirected_at[200];
    Hist latency;         /* every operation run's time, start to end */
    StreamReport *streams;
    size_t n_streams;
} SchemeResult;

/* A stream's throughput: its bytes moved over its time, MB/s (0 when it
 * took no time). */
double stream_throughput_MBps(const StreamReport *sr);

/* Runs s under api.  Input problems only a run finds (a device region the
 * CPU cannot ioremap, memory that runs out) go to d as fatal findings and
 * false is returned. */
bool run_scheme(const Scenario *s, const DmaApi *api, SchemeResult *r,
                Diag *d);
/* What a run tells its caller as it goes: every burst and step into
 * trace (sim/trace.h) when it is not NULL; how far it is to progress,
 * when set, every 2^16 operation runs and at the end (done == total). */
struct Trace;
typedef void RunProgressFn(void *ctx, const char *scheme, uint64_t done,
                           uint64_t total);
typedef struct RunHooks {
    struct Trace *trace;
    RunProgressFn *progress;
    void *progress_ctx;
} RunHooks;

/* The same, with hooks (NULL: none). */
bool run_scheme_with(const Scenario *s, const DmaApi *api, SchemeResult *r,
                     Diag *d, const RunHooks *hooks);
void scheme_result_free(SchemeResult *r);

/* Runs the scenario's schemes, or those of them named in `only` (all when
 * n_only is 0), into res[0..*n) (at most RUN_MAX_SCHEMES), each with its
 * expectation's verdict in why[i] (malloc'd; "" when it held or there is
 * none).  False on input errors (in d); what ran is in res all the same.
 * hooks may be NULL. */
#define RUN_MAX_SCHEMES 8
bool run_schemes(const Scenario *s, char *const *only, size_t n_only,
                 SchemeResult *res, char **why, size_t *n, Diag *d,
                 const RunHooks *hooks);
void run_schemes_free(SchemeResult *res, char **why, size_t n);

/* Checks r against the scenario's expectation for its scheme: true if it
 * holds (or there is none); otherwise why not, in why. */
bool expect_check(const Scenario *s, const SchemeResult *r, char *why,
                  size_t n);

#endif
