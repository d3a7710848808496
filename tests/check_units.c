/* sim/units: numbers, sizes and frequencies as files write them. */
#include <check.h>
#include <stdint.h>

#include "sim/core/units.h"
#include "testutil.h"

static uint64_t ok_u64(const char *s)
{
    uint64_t v = 0;
    char err[256] = "";
    ck_assert_msg(units_parse_u64(s, &v, err, sizeof err), "%s: %s", s, err);
    return v;
}

static const char *bad_u64(const char *s)
{
    static char err[256];
    uint64_t v;
    ck_assert_msg(!units_parse_u64(s, &v, err, sizeof err), "%s accepted", s);
    return err;
}

START_TEST(integers)
{
    ck_assert_uint_eq(ok_u64("0"), 0);
    ck_assert_uint_eq(ok_u64("4096"), 4096);
    ck_assert_uint_eq(ok_u64("0x3_8000_0000"), 0x380000000ULL);
    ck_assert_uint_eq(ok_u64("0XfF"), 255);
    ck_assert_uint_eq(ok_u64("1_000_000"), 1000000);
    ck_assert_uint_eq(ok_u64("010"), 10); /* decimal, never octal */
    ck_assert_uint_eq(ok_u64("0xFFFF_FFFF_FFFF_FFFF"), UINT64_MAX);
    ck_assert_uint_eq(ok_u64("18446744073709551615"), UINT64_MAX);
}
END_TEST

START_TEST(sizes)
{
    ck_assert_uint_eq(ok_u64("64KiB"), 65536);
    ck_assert_uint_eq(ok_u64("2 GiB"), 2ULL << 30);
    ck_assert_uint_eq(ok_u64("16MiB"), 16ULL << 20);
    ck_assert_uint_eq(ok_u64("8B"), 8);
    ck_assert_uint_eq(ok_u64("15EiB"), 15ULL << 60);
    ck_assert_uint_eq(ok_u64("0x10KiB"), 16384);
}
END_TEST

START_TEST(integer_errors)
{
    ck_assert_str_eq(bad_u64("-4"), "negative value '-4' not allowed");
    ck_assert_str_eq(bad_u64("0x1_0000_0000_0000_0000"),
                     "'0x1_0000_0000_0000_0000' does not fit in 64 bits");
    ck_assert_str_eq(bad_u64("18446744073709551616"),
                     "'18446744073709551616' does not fit in 64 bits");
    ck_assert_str_eq(bad_u64("16EiB"), "'16EiB' does not fit in 64 bits");
    ck_assert_str_eq(bad_u64("64KB"),
                     "'64KB': unknown unit 'KB' (sizes take B, KiB, MiB, "
                     "GiB, TiB, PiB or EiB)");
    ck_assert_str_eq(bad_u64("_1"), "'_1': '_' must stand between two digits");
    ck_assert_str_eq(bad_u64("1__0"),
                     "'1__0': '_' must stand between two digits");
    ck_assert_str_eq(bad_u64("10_"),
                     "'10_': '_' must stand between two digits");
    ck_assert_str_eq(bad_u64("0x"), "'0x' is not a number");
    ck_assert_str_eq(bad_u64("1.5"), "'1.5' must be a whole number");
    ck_assert_str_eq(bad_u64("abc"), "'abc' is not a number");
}
END_TEST

START_TEST(frequencies)
{
    uint64_t hz;
    char err[256];
    ck_assert(units_parse_freq("66MHz", &hz, err, sizeof err));
    ck_assert_uint_eq(hz, 66000000);
    ck_assert(units_parse_freq("133.33MHz", &hz, err, sizeof err));
    ck_assert_uint_eq(hz, 133330000);
    ck_assert(units_parse_freq("33.333333333MHz", &hz, err, sizeof err));
    ck_assert_uint_eq(hz, 33333333);
    ck_assert(units_parse_freq("1.5 GHz", &hz, err, sizeof err));
    ck_assert_uint_eq(hz, 1500000000);
    ck_assert(units_parse_freq("32768Hz", &hz, err, sizeof err));
    ck_assert_uint_eq(hz, 32768);
    ck_assert(!units_parse_freq("66", &hz, err, sizeof err));
    ck_assert_str_eq(err,
                     "'66' has no unit (frequencies take Hz, kHz, MHz or GHz)");
    ck_assert(!units_parse_freq("66mhz", &hz, err, sizeof err));
    ck_assert_str_eq(err, "'66mhz': unknown unit 'mhz' (frequencies take Hz, "
                          "kHz, MHz or GHz)");
    ck_assert(!units_parse_freq("0MHz", &hz, err, sizeof err));
    ck_assert_str_eq(err, "frequency must be greater than zero");
    ck_assert(!units_parse_freq("-1MHz", &hz, err, sizeof err));
    ck_assert_str_eq(err, "negative frequency '-1MHz' not allowed");
}
END_TEST

START_TEST(rates)
{
    uint64_t bps;
    char err[256];
    ck_assert(units_parse_rate("100MB/s", &bps, err, sizeof err));
    ck_assert_uint_eq(bps, 100000000);
    ck_assert(units_parse_rate("133.3 MB/s", &bps, err, sizeof err));
    ck_assert_uint_eq(bps, 133300000);
    ck_assert(units_parse_rate("2GB/s", &bps, err, sizeof err));
    ck_assert_uint_eq(bps, 2000000000);
    ck_assert(!units_parse_rate("100MiB/s", &bps, err, sizeof err));
    ck_assert_str_eq(err, "'100MiB/s': unknown unit 'MiB/s' (rates take B/s, "
                          "kB/s, MB/s or GB/s)");
    ck_assert(!units_parse_rate("100", &bps, err, sizeof err));
    ck_assert_str_eq(err,
                     "'100' has no unit (rates take B/s, kB/s, MB/s or GB/s)");
}
END_TEST

START_TEST(formatting)
{
    char b[40];
    ck_assert_str_eq(units_fmt_hex(0x380001000ULL, b, sizeof b),
                     "0x3_8000_1000");
    ck_assert_str_eq(units_fmt_hex(0, b, sizeof b), "0x0");
    ck_assert_str_eq(units_fmt_hex(0xffff, b, sizeof b), "0xffff");
    ck_assert_str_eq(units_fmt_hex(UINT64_MAX, b, sizeof b),
                     "0xffff_ffff_ffff_ffff");
    ck_assert_str_eq(units_fmt_hex_plain(0x380001000ULL, b, sizeof b),
                     "0x380001000");
    ck_assert_str_eq(units_fmt_size(2ULL << 30, b, sizeof b), "2 GiB");
    ck_assert_str_eq(units_fmt_size(8192, b, sizeof b), "8 KiB");
    ck_assert_str_eq(units_fmt_size(1, b, sizeof b), "1 byte");
    ck_assert_str_eq(units_fmt_size(1000, b, sizeof b), "1000 bytes");
    ck_assert_str_eq(units_fmt_freq(66000000, b, sizeof b), "66 MHz");
    ck_assert_str_eq(units_fmt_freq(133330000, b, sizeof b), "133.330 MHz");
}
END_TEST

Suite *units_suite(void)
{
    Suite *s = suite_create("units");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, integers);
    tcase_add_test(tc, sizes);
    tcase_add_test(tc, integer_errors);
    tcase_add_test(tc, frequencies);
    tcase_add_test(tc, rates);
    tcase_add_test(tc, formatting);
    suite_add_tcase(s, tc);
    return s;
}
