/* The correctness oracle's eyes (DESIGN §2, docs/schemes.md): every write
 * a target takes is checked against the places writes are expected — the
 * operations' destinations and the schemes' own bounce and descriptor
 * memory — and what lands anywhere else is counted as misdirected.  It
 * also reads and writes memory as the CPU sees it, without simulated time,
 * to lay down patterns and compare results. */
#ifndef DMASIM_ORACLE_H
#define DMASIM_ORACLE_H

#include "sim/core/store.h"
#include "sim/hw/platform.h"

typedef struct Oracle Oracle;

/* Watches every write on p; addresses are physical ones of CPU `cpu`. */
Oracle *oracle_new(Platform *p, int cpu);
void oracle_free(Oracle *o);

/* Writes to [pa, pa + len) are expected. */
void oracle_allow(Oracle *o, uint64_t pa, uint64_t len);
/* Writes to a whole region (a FIFO register) are expected. */
void oracle_allow_region(Oracle *o, int comp, int region);

uint64_t oracle_misdirected(const Oracle *o);

/* Which bytes of [pa, pa + len) writes land in from now on: an operation's
 * destination, so that only the bytes the operation wrote can count as
 * correct (a byte the destination held already may equal the source's by
 * chance).  NULL if the range is not wholly in one target region. */
typedef struct OracleMark OracleMark;
OracleMark *oracle_mark(Oracle *o, uint64_t pa, uint64_t len);
/* Byte i (from pa) has been written since oracle_mark. */
bool oracle_marked(const OracleMark *m, uint64_t i);
/* Stops watching and frees m. */
void oracle_unmark(Oracle *o, OracleMark *m);
/* Where the first misdirected write landed, "" if none. */
const char *oracle_first_misdirected(const Oracle *o);

/* Memory as the CPU sees it, outside simulated time.  False if
 * [pa, pa + len) is not wholly inside one memory region. */
bool oracle_peek(Oracle *o, uint64_t pa, void *buf, uint64_t len);
bool oracle_poke(Oracle *o, uint64_t pa, const void *buf, uint64_t len);
/* [pa, pa + len) holds fn's bytes from `from` on until written
 * (store_fill).  False as oracle_peek. */
bool oracle_fill(Oracle *o, uint64_t pa, uint64_t len, StoreFillFn *fn,
                 void *ctx, uint64_t from);

#endif
