/* The bytes held by memories and device regions.
 *
 * A Store is sparse: 64 KiB chunks are allocated on first write and
 * untouched addresses read as zero (or as their fill, store_fill) and cost
 * nothing, so a 64 GiB SDRAM of which a scenario touches 1 MiB holds
 * 1 MiB.  A Fifo keeps every byte
 * written to a FIFO register, in order, and hands out bytes queued for
 * reading. */
#ifndef DMASIM_STORE_H
#define DMASIM_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_CHUNK_BYTES (64u * 1024u)

typedef struct Store Store;

/* A store of size_bytes (> 0); nothing is allocated until written. */
Store *store_new(uint64_t size_bytes);
void store_free(Store *st);
uint64_t store_size(const Store *st);

/* [off, off + len) must lie inside the store (callers route first). */
void store_write(Store *st, uint64_t off, const void *src, uint64_t len);
void store_read(const Store *st, uint64_t off, void *dst, uint64_t len);
/* Bytes of chunks allocated so far: what the store costs in memory. */
uint64_t store_touched_bytes(const Store *st);

/* What [off, off + len) holds before anything is written there: fn(ctx,
 * from + i, buf, n) fills buf with the n bytes that start at byte
 * from + i of its sequence (a seeded pattern, computed on demand: a
 * 1 GiB buffer of which a workload reads 4 KiB costs 64 KiB).  Ranges may
 * not overlap; elsewhere untouched bytes read as zero. */
typedef void StoreFillFn(void *ctx, uint64_t from, uint8_t *buf, uint64_t n);
void store_fill(Store *st, uint64_t off, uint64_t len, StoreFillFn *fn,
                void *ctx, uint64_t from);

typedef struct Fifo Fifo;

Fifo *fifo_new(void);
void fifo_free(Fifo *f);
/* Appends to the log of bytes written. */
void fifo_write(Fifo *f, const void *src, uint64_t len);
/* The log of everything written, in order; valid until the next write
 * (only while nothing is forgotten). */
const uint8_t *fifo_written(const Fifo *f, uint64_t *len);
/* Bytes written so far, forgotten ones included. */
uint64_t fifo_count(const Fifo *f);
/* The log from byte `from` (counting every byte ever written; not one
 * forgotten) to the end, *n bytes; valid until the next write. */
const uint8_t *fifo_log(const Fifo *f, uint64_t from, uint64_t *n);
/* Bytes before `upto` will not be asked for again: a FIFO written for
 * hours keeps only what is still to be judged. */
void fifo_forget(Fifo *f, uint64_t upto);
/* Queues bytes for reads to return; reads beyond them return zeros. */
void fifo_feed(Fifo *f, const void *src, uint64_t len);
/* The same for len bytes that fn makes as reads reach them (StoreFillFn
 * with from counting from 0), in place of any queued bytes. */
void fifo_feed_fn(Fifo *f, uint64_t len, StoreFillFn *fn, void *ctx);
void fifo_read(Fifo *f, void *dst, uint64_t len);

#endif
