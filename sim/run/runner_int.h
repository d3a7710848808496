/* Private to the runner's files: runner.c (a run: buffers, results,
 * expectations), run_ops.c (a stream's operations on the hardware),
 * run_judge.c (the oracle's intent and verdict) and run_cache.c (the
 * driver through the CPU's data cache). */
#ifndef DMASIM_RUNNER_INT_H
#define DMASIM_RUNNER_INT_H

#include "models/cpu.h"
#include "models/dma.h"
#include "sim/run/oracle.h"
#include "sim/hw/platform.h"
#include "sim/run/runner.h"

/* A buffer's seeded pattern: byte i is run_pattern's. */
typedef struct Pattern {
    uint64_t seed;
    size_t idx;
} Pattern;

/* Bytes [from, from + n) of a pattern (a StoreFillFn: ctx is a Pattern);
 * any range at once, so buffers are filled only where they are read. */
void run_pattern(void *ctx, uint64_t from, uint8_t *buf, uint64_t n);

/* A buffer during a run: where it is, and what it should hold. */
typedef struct BufState {
    ApiBuffer ab;
    char *broken;       /* dma_alloc_coherent refused: why */
    Pattern pat;        /* what it holds at the start */
    Store *intended;    /* memory: what it should hold now (sparse: the
                           pattern until an operation writes it) */
    uint64_t feed_len, feed_pos; /* FIFO source: its pattern, read so far */
    int comp, region;   /* FIFO, and device memory (placed) */
    bool placed;        /* device memory: its bytes are region `region` of
                           `comp` from place_off on, whatever the CPU's
                           windows do */
    uint64_t place_off;
    Pattern before;     /* cached memory: what it held before the driver
                           wrote the buffer */
    uint64_t busy_version; /* busy: stores so far */
} BufState;

typedef struct Run Run;

typedef struct Stream {
    Run *run;
    size_t idx;
    const StreamParams *sp;
    OpReport *reports;  /* one per op of the stream */
    ApiCtx ctx;
    size_t op;
    unsigned rep;
    Plan plan;
    size_t step;
    unsigned calls_left;
    uint64_t copy_off;
    uint64_t fifo_mark;
    uint8_t *fifo_want; /* FIFO destination: what the operation sends */
    Fifo *fifo_ff;      /* and the FIFO, while fifo_want is set */
    bool failed;
    bool draining; /* waiting for its posted writes to land */
    bool waited;   /* its operation has waited for a window */
    bool flushed;  /* its IOMMU step has written the invalidate register */
    bool *uses_bus; /* per bus: the running operation's plan crosses it */
    SimTime step_start;
    int mover;      /* whose in_flight counts the running operation; -1 */
    SimTime op_start;
    StreamReport *srep; /* its results */
    /* The running operation's destination, a mark per physical piece:
     * which bytes it has written (oracle_mark_at). */
    struct StreamMark {
        struct OracleMark *m;
        uint64_t off; /* of the piece in the operation */
    } *marks;
    size_t n_marks, cap_marks;
    CpuOp cpu;
    DmaXfer dx;
    uint64_t scratch_va[3], scratch_pa[3], scratch_size[3];
} Stream;

struct Run {
    const Scenario *s;
    const DmaApi *api;
    const Topology *t;
    Platform *p;
    Sim *sim;
    SwView *sw;
    KMem *k;
    Oracle *o;
    BufState *bufs;
    Stream *streams;
    SchemeResult *r;
    unsigned *in_flight;  /* per component: operations whose bytes it
                             moves now (a master, or the CPU copying) */
    unsigned *bus_load;   /* per bus: operations in flight across it */
    struct Trace *trace;  /* NULL: none */
    const RunHooks *hooks; /* NULL: none */
    uint64_t runs_total, runs_done; /* operation runs, for progress */
    uint64_t plans_made;  /* the stamp of the next plan (window LRU) */
    Swiotlb *swiotlb;     /* the scheme's bounce pool, if it booted one */
    Stream **waiting;     /* operations waiting for a window or IOMMU
                             page another holds, until an operation ends */
    size_t n_waiting, cap_waiting;
    size_t streams_left;
    SimTime first_start, last_end;
    bool started;
    /* DMA transfers: how many run now, since when at least one has, the
     * time at least one ran, and the bytes they moved (dma_throughput). */
    unsigned dma_running;
    SimTime dma_since, dma_busy;
    uint64_t dma_bytes;
    uint64_t cache_lost;  /* bytes of busy buffers the CPU lost */
};

/* A message for the report; counted per distinct text. */
void run_add_reason(Run *run, const char *kind, const char *text);

/* Calls fn on each piece of [off, off + len) of buffer bs where it lies
 * in one target region: device memory where the scenario places it, other
 * memory by its pages' physical addresses as the CPU reaches them (off is
 * from the start of the range).  False at the first unmapped page, place
 * the CPU does not reach, or failing piece. */
typedef bool PlaceFn(void *ctx, const Place *pl, uint64_t off, uint64_t n);
bool run_each_place(Run *run, const BufState *bs, uint64_t off, uint64_t len,
                    PlaceFn *fn, void *ctx);

/* Memory through the oracle, outside simulated time: PlaceFns over a
 * buffer of the operation's bytes. */
typedef struct PieceCtx {
    Oracle *o;
    uint8_t *buf;
} PieceCtx;
bool run_peek_place(void *c, const Place *pl, uint64_t off, uint64_t n);

/* ApiCtx.scratch: the stream's kmalloc bounce and descriptor memory. */
bool run_scratch(void *opaque, unsigned slot, uint64_t size, uint64_t *va,
                 uint64_t *pa);
/* Starts a stream's next operation (an event; the stream is opaque). */
void run_op_begin(Sim *sim, void *opaque);
/* Platform drain watch: operations waiting for posted writes go on. */
void run_drain_watch(void *opaque, int master);

/* ---- the oracle's part (sim/run/run_judge.c) ---------------------------- */

/* When the stream's operation starts: what its destination should hold
 * after (from what its source holds now), and from now on which bytes
 * of the destination it writes. */
void run_intend(Stream *st);
void run_mark_destination(Stream *st);
/* When it ends: the oracle's verdict, into the reports. */
void run_judge(Stream *st);

/* ---- the driver through the CPU's data cache (sim/run/run_cache.c) ---- */

/* The CPU's cache holds data and bs is memory it caches. */
bool run_cached(const Run *run, const BufState *bs);
/* fn on each physically contiguous piece of kernel virtual [va, va +
 * len): its physical address and offset in the range.  False at an
 * unmapped page or a failing piece. */
typedef bool PaFn(void *ctx, uint64_t pa, uint64_t off, uint64_t n);
bool run_each_pa(Run *run, uint64_t va, uint64_t len, PaFn *fn, void *ctx);
/* Before the stream's operation first runs: the driver writes its source
 * (what it should hold) through the CPU. */
void run_driver_fill(Stream *st);
/* After an operation: what the driver reads of a destination. */
bool run_driver_read(Run *run, const BufState *bs, uint64_t off,
                     uint64_t len, uint8_t *buf);
/* When the DMA step ps starts: source bytes the device will read stale,
 * counted and explained. */
void run_stale_source(Stream *st, const PlanStep *ps);
/* Busy buffers: what their earlier stores lost is counted, then the CPU
 * stores new bytes to each; run_busy_check only counts. */
void run_busy_touch(Run *run);
void run_busy_check(Run *run);

#endif
