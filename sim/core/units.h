/* Numbers as topology and scenario files write them, and as dmasim prints
 * them back. */
#ifndef DMASIM_UNITS_H
#define DMASIM_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An unsigned integer: decimal ("4096") or hex ("0x3_8000_0000"), with
 * '_' allowed between digits, and an optional binary unit (B, KiB, MiB,
 * GiB, TiB, PiB, EiB), as in "64KiB" or "2 GiB".  On failure writes a
 * message (no position) into err and returns false. */
bool units_parse_u64(const char *s, uint64_t *out, char *err, size_t errlen);

/* A frequency with a unit (Hz, kHz, MHz, GHz) and an optional decimal
 * fraction ("133.33MHz"), rounded to the nearest Hz. */
bool units_parse_freq(const char *s, uint64_t *hz, char *err, size_t errlen);

/* A rate in bytes per second with a decimal unit (B/s, kB/s, MB/s, GB/s:
 * 1 MB = 10^6 bytes, as bus figures are published), "100MB/s". */
bool units_parse_rate(const char *s, uint64_t *bps, char *err, size_t errlen);

/* "0x3_8000_0000": hex grouped by 4 digits, for people. */
char *units_fmt_hex(uint64_t v, char *buf, size_t len);
/* "0x380000000": plain hex, for JSON and machines. */
char *units_fmt_hex_plain(uint64_t v, char *buf, size_t len);
/* "2 GiB" when exact in a binary unit, else "12345 bytes". */
char *units_fmt_size(uint64_t v, char *buf, size_t len);
/* "133.333 MHz" style. */
char *units_fmt_freq(uint64_t hz, char *buf, size_t len);

#endif
