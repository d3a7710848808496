/* The correctness oracle's eyes (DESIGN §2, docs/schemes.md): every write
 * a target takes is checked against the places writes are expected — the
 * operations' destinations and the schemes' own bounce and descriptor
 * memory — and what lands anywhere else is counted as misdirected.  It
 * also reads and fills the targets' memory, without simulated time, to lay
 * down patterns and compare results. */
#ifndef DMASIM_ORACLE_H
#define DMASIM_ORACLE_H

#include "sim/core/store.h"
#include "sim/hw/platform.h"

typedef struct Oracle Oracle;

/* Watches every write on p; addresses are physical ones of CPU `cpu`. */
Oracle *oracle_new(Platform *p, int cpu);
void oracle_free(Oracle *o);

/* A place in a target: region `region` of component `comp`, from `off`
 * on. */
typedef struct Place {
    int comp, region;
    uint64_t off;
} Place;

/* Where the CPU's physical address pa leads, through the windows as the
 * platform has them now; false unless [pa, pa + len) lies wholly in one
 * target region. */
bool oracle_locate(const Oracle *o, uint64_t pa, uint64_t len, Place *pl);

/* Writes to len bytes from pl (from the CPU's pa) are expected. */
void oracle_allow_at(Oracle *o, const Place *pl, uint64_t len);
void oracle_allow(Oracle *o, uint64_t pa, uint64_t len);
/* Writes to a whole region (a FIFO register) are expected. */
void oracle_allow_region(Oracle *o, int comp, int region);

uint64_t oracle_misdirected(const Oracle *o);

/* Which bytes of len from pl writes land in from now on: an operation's
 * destination, so that only the bytes the operation wrote can count as
 * correct (a byte the destination held already may equal the source's by
 * chance). */
typedef struct OracleMark OracleMark;
OracleMark *oracle_mark_at(Oracle *o, const Place *pl, uint64_t len);
/* Byte i (from pl) has been written since oracle_mark_at. */
bool oracle_marked(const OracleMark *m, uint64_t i);
/* Of bytes 0 .. n - 1 from pl, those written since oracle_mark_at whose
 * got[i] equals want[i]. */
uint64_t oracle_count_right(const OracleMark *m, const uint8_t *got,
                            const uint8_t *want, uint64_t n);
/* Stops watching and frees m. */
void oracle_unmark(Oracle *o, OracleMark *m);
/* Where the first misdirected write landed, "" if none. */
const char *oracle_first_misdirected(const Oracle *o);

/* A target's memory, outside simulated time.  False if the region holds
 * no memory. */
bool oracle_peek_at(Oracle *o, const Place *pl, void *buf, uint64_t len);
/* len bytes from pl hold fn's bytes from `from` on until written
 * (store_fill).  False as oracle_peek_at. */
bool oracle_fill_at(Oracle *o, const Place *pl, uint64_t len,
                    StoreFillFn *fn, void *ctx, uint64_t from);

#endif
