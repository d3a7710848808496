/* sim/store: sparse memory contents and FIFO registers. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/store.h"
#include "testutil.h"

static void pattern(uint8_t *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 131 + seed * 7 + (i >> 8));
}

START_TEST(round_trip_across_chunks)
{
    Store *st = store_new(1ULL << 30);
    size_t n = 3 * STORE_CHUNK_BYTES + 123;
    uint8_t *in = malloc(n), *out = malloc(n);
    pattern(in, n, 1);
    uint64_t off = STORE_CHUNK_BYTES - 17; /* straddles four chunks */
    store_write(st, off, in, n);
    store_read(st, off, out, n);
    ck_assert(memcmp(in, out, n) == 0);
    ck_assert_uint_eq(store_touched_bytes(st), 5 * STORE_CHUNK_BYTES);
    /* Bytes around the write are still zero. */
    uint8_t z[32];
    store_read(st, off - 16, z, 16);
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(z[i], 0);
    store_read(st, off + n, z, 32);
    for (int i = 0; i < 32; i++)
        ck_assert_uint_eq(z[i], 0);
    free(in);
    free(out);
    store_free(st);
}
END_TEST

START_TEST(untouched_costs_nothing)
{
    /* 16 EiB - 1 of address space; a few scattered bytes. */
    Store *st = store_new(UINT64_MAX);
    uint8_t buf[8] = {0};
    store_read(st, 0x123456789ULL, buf, sizeof buf);
    ck_assert_uint_eq(store_touched_bytes(st), 0);
    static const uint64_t at[] = {0, 1ULL << 40, UINT64_MAX - 8,
                                  0x8000000000000000ULL};
    for (size_t i = 0; i < 4; i++) {
        uint8_t v[8];
        memset(v, (int)i + 1, sizeof v);
        store_write(st, at[i], v, sizeof v);
    }
    ck_assert_uint_eq(store_touched_bytes(st), 4 * STORE_CHUNK_BYTES);
    for (size_t i = 0; i < 4; i++) {
        store_read(st, at[i], buf, sizeof buf);
        for (int k = 0; k < 8; k++)
            ck_assert_uint_eq(buf[k], i + 1);
    }
    store_free(st);
}
END_TEST

START_TEST(many_chunks)
{
    /* Enough chunks to grow the table several times, in random order. */
    Store *st = store_new(1ULL << 40);
    uint64_t x = 12345;
    for (int i = 0; i < 3000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t c = (x >> 20) % 100000;
        uint64_t v = c * 2654435761u;
        store_write(st, c * STORE_CHUNK_BYTES + 8, &v, sizeof v);
    }
    x = 12345;
    for (int i = 0; i < 3000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t c = (x >> 20) % 100000, v;
        store_read(st, c * STORE_CHUNK_BYTES + 8, &v, sizeof v);
        ck_assert_uint_eq(v, c * 2654435761u);
    }
    ck_assert_uint_le(store_touched_bytes(st), 3000ULL * STORE_CHUNK_BYTES);
    store_free(st);
}
END_TEST

/* A fill: byte i of its sequence is (i * 7 + base) mod 256. */
static void seq7(void *ctx, uint64_t from, uint8_t *buf, uint64_t n)
{
    unsigned base = *(const unsigned *)ctx;
    for (uint64_t i = 0; i < n; i++)
        buf[i] = (uint8_t)((from + i) * 7 + base);
}

START_TEST(fills_cost_what_is_written)
{
    /* 1 GiB filled from sequence byte 100 on, at store offset 1000 */
    Store *st = store_new(2ull << 30);
    unsigned base = 3;
    store_fill(st, 1000, 1ull << 30, seq7, &base, 100);
    uint8_t b[16];
    /* reads straddling the fill's start: zeros, then the sequence */
    store_read(st, 992, b, 16);
    for (int i = 0; i < 8; i++)
        ck_assert_uint_eq(b[i], 0);
    for (int i = 8; i < 16; i++) /* offset 1000 + k is byte 100 + k */
        ck_assert_uint_eq(b[i], (uint8_t)((100 + i - 8) * 7 + 3));
    ck_assert_uint_eq(store_touched_bytes(st), 0);
    /* a write materialises one chunk, which keeps the fill around it */
    uint64_t at = 1000 + 700000000ull;
    store_write(st, at, "xy", 2);
    ck_assert_uint_eq(store_touched_bytes(st), STORE_CHUNK_BYTES);
    store_read(st, at - 2, b, 6);
    ck_assert_uint_eq(b[0], (uint8_t)((100 + 700000000ull - 2) * 7 + 3));
    ck_assert_uint_eq(b[1], (uint8_t)((100 + 700000000ull - 1) * 7 + 3));
    ck_assert_uint_eq(b[2], 'x');
    ck_assert_uint_eq(b[3], 'y');
    ck_assert_uint_eq(b[4], (uint8_t)((100 + 700000000ull + 2) * 7 + 3));
    /* past the fill's end: zeros again */
    store_read(st, 1000 + (1ull << 30) - 1, b, 2);
    ck_assert_uint_eq(b[0], (uint8_t)((100 + (1ull << 30) - 1) * 7 + 3));
    ck_assert_uint_eq(b[1], 0);
    /* a fill over a chunk written before takes its range */
    store_write(st, (1ull << 31) - 10, "zzzzzzzzzz", 10);
    store_fill(st, (1ull << 31) - 4, 4, seq7, &base, 0);
    store_read(st, (1ull << 31) - 6, b, 6);
    ck_assert_uint_eq(b[0], 'z');
    ck_assert_uint_eq(b[1], 'z');
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(b[2 + i], (uint8_t)(i * 7 + 3));
    store_free(st);
}
END_TEST

/* A FIFO fed by a fill hands out its bytes in order, then zeros. */
START_TEST(fifo_fed_by_fill)
{
    Fifo *f = fifo_new();
    unsigned base = 0;
    fifo_feed_fn(f, 10, seq7, &base);
    uint8_t b[8];
    fifo_read(f, b, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_uint_eq(b[i], (uint8_t)(i * 7));
    fifo_read(f, b, 8);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(b[i], (uint8_t)((6 + i) * 7));
    for (int i = 4; i < 8; i++)
        ck_assert_uint_eq(b[i], 0);
    fifo_free(f);
}
END_TEST

/* A log that forgets what is judged keeps only the rest, with the same
 * numbering. */
START_TEST(fifo_forgets)
{
    Fifo *f = fifo_new();
    uint8_t b[100];
    for (int i = 0; i < 100; i++)
        b[i] = (uint8_t)i;
    for (int k = 0; k < 1000; k++) {
        fifo_write(f, b, 100); /* bytes 100k .. 100k + 99 */
        fifo_forget(f, 100 * (uint64_t)k + 50);
        uint64_t n;
        const uint8_t *p = fifo_log(f, 100 * (uint64_t)k + 50, &n);
        ck_assert_uint_eq(n, 50);
        ck_assert_uint_eq(p[0], 50);
        ck_assert_uint_eq(p[49], 99);
    }
    ck_assert_uint_eq(fifo_count(f), 100000);
    fifo_free(f);
}
END_TEST

START_TEST(fifo_order)
{
    Fifo *f = fifo_new();
    uint64_t n;
    fifo_written(f, &n);
    ck_assert_uint_eq(n, 0);
    fifo_write(f, "hel", 3);
    fifo_write(f, "lo, ", 4);
    fifo_write(f, "world", 5);
    const uint8_t *w = fifo_written(f, &n);
    ck_assert_uint_eq(n, 12);
    ck_assert(memcmp(w, "hello, world", 12) == 0);

    char r[8];
    fifo_read(f, r, 2); /* nothing fed: zeros */
    ck_assert(r[0] == 0 && r[1] == 0);
    fifo_feed(f, "abcdef", 6);
    fifo_read(f, r, 4);
    ck_assert(memcmp(r, "abcd", 4) == 0);
    fifo_read(f, r, 4); /* two left, then zeros */
    ck_assert(memcmp(r, "ef\0\0", 4) == 0);
    fifo_free(f);
}
END_TEST

Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_add_test(tc, round_trip_across_chunks);
    tcase_add_test(tc, untouched_costs_nothing);
    tcase_add_test(tc, many_chunks);
    tcase_add_test(tc, fifo_order);
    tcase_add_test(tc, fills_cost_what_is_written);
    tcase_add_test(tc, fifo_fed_by_fill);
    tcase_add_test(tc, fifo_forgets);
    suite_add_tcase(s, tc);
    return s;
}
