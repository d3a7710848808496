/* The event kernel: simulated time in picoseconds and the events that run
 * at given times.
 *
 * Events run in time order, and in the order they were scheduled among
 * equal times (or in the place reserved for them: sim_reserve).  Scheduling and running are amortised O(1): a calendar of
 * narrow sorted buckets (mostly one event or none) with a bitmap of those
 * that hold one, re-tuned to the observed spacing of events and how far
 * ahead they are scheduled, and a heap for events beyond its span
 * (docs/performance.md).  Cancelling only marks an event; the kernel
 * reaps it when its time comes.  Event records are pooled: the steady state
 * allocates nothing. */
#ifndef DMASIM_SIM_H
#define DMASIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t SimTime; /* picoseconds */
#define SIM_TIME_MAX UINT64_MAX
#define PS_PER_NS 1000ULL
#define PS_PER_US 1000000ULL
#define PS_PER_S 1000000000000ULL

typedef struct Sim Sim;
typedef void EventFn(Sim *sim, void *opaque);
typedef uint64_t EventId; /* 0 is never a valid id */

Sim *sim_new(void);
void sim_free(Sim *sim); /* pending events are dropped, not run */

SimTime sim_now(const Sim *sim);
size_t sim_pending(const Sim *sim);   /* scheduled, not run, not cancelled */
uint64_t sim_events_run(const Sim *sim);

/* Schedules fn(sim, opaque) at time t >= sim_now(); scheduling in the past
 * is a simulator bug and stops the program with an internal error.
 * SIM_TIME_MAX is the end of time (2^64 ps, about 213 days): an event due
 * then is not scheduled (the id is 0); the run stops, and sim_past_end()
 * is true from then on.  The clock functions saturate there. */
EventId sim_at(Sim *sim, SimTime t, EventFn *fn, void *opaque);
EventId sim_after(Sim *sim, SimTime delay, EventFn *fn, void *opaque);
/* A place in the order of events of equal time, as if an event were
 * scheduled now, for one that is scheduled later (sim_at_reserved) or
 * perhaps never: events run in (time, place) order, and sim_at takes the
 * next place. */
uint64_t sim_reserve(Sim *sim);
/* Schedules at t in the place `seq` reserved; (t, seq) must come after
 * the running event's (sim_current_seq), or it is an internal error. */
EventId sim_at_reserved(Sim *sim, SimTime t, uint64_t seq, EventFn *fn,
                        void *opaque);
/* The running event's place (of one run by sim_then or sim_advance, the
 * place it would have had). */
uint64_t sim_current_seq(const Sim *sim);
/* Marks a pending event so that it never runs.  Returns false if it has
 * already run or been cancelled (an id is never reused). */
bool sim_cancel(Sim *sim, EventId id);

/* Runs events until none is left, or the next is later than `until`
 * (then now becomes `until`), or a callback calls sim_stop().  Returns the
 * number of events run. */
uint64_t sim_run_until(Sim *sim, SimTime until);
/* From a callback: moves now on to t when nothing is pending at or
 * before t (and t is within the run's `until`, and the run is not
 * stopping), so that the caller may do at once what an event at t would
 * do; that counts as an event run (sim_events_run), and in
 * sim_events_advanced.  False, and nothing changes, otherwise. */
bool sim_advance(Sim *sim, SimTime t);
/* From a callback: fn(sim, opaque) runs right after it, as an event at
 * now scheduled then would (sim_after(sim, 0, ...)), when nothing is
 * pending at or before now: without a trip through the queue.  False,
 * and nothing scheduled, otherwise (the caller then schedules it). */
bool sim_then(Sim *sim, EventFn *fn, void *opaque);
uint64_t sim_events_advanced(const Sim *sim);
/* From a callback: n events at or before now that nothing could see were
 * taken into account without being run; they count as run. */
void sim_count_inline(Sim *sim, uint64_t n);
uint64_t sim_run(Sim *sim);
void sim_stop(Sim *sim);
bool sim_past_end(const Sim *sim);

/* ---- clocks ----------------------------------------------------------- */
/* A clock of `hz`: its period, 10^12 / hz ps, is kept as a fraction in
 * lowest terms (133.33 MHz: 10^8 / 13333), so that its edges are worked
 * out in 64 bits for as long as n * num fits (there 1.8 x 10^11 edges,
 * 23 minutes), not only while n * 10^12 does (18 million edges, 0.14 s
 * there); past 64 bits it takes GCC's 128-bit division and the
 * instructions around it (docs/performance.md). */
typedef struct Clock {
    uint64_t hz;       /* its rate, >= 1 */
    uint64_t num, den; /* 10^12 / hz in lowest terms */
} Clock;

Clock clock_of(uint64_t hz);
/* Edge n of clock c is at ceil(n * 10^12 / hz) ps, computed exactly so
 * that long runs do not drift (133.33 MHz is not a whole number of
 * picoseconds). */
SimTime clock_edge(const Clock *c, uint64_t n);
/* The index of the first edge at or after t. */
uint64_t clock_edge_index(const Clock *c, SimTime t);
/* The first edge at or after t. */
SimTime clock_align(const Clock *c, SimTime t);
/* The edge `cycles` cycles after the first edge at or after t. */
SimTime clock_after(const Clock *c, SimTime t, uint64_t cycles);
/* The same from that first edge's index n (clock_edge_index), for a
 * caller that computes several times from one t. */
SimTime clock_edge_after(const Clock *c, uint64_t n, uint64_t cycles);

#endif
