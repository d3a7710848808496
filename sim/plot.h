/* Drawing figures with gnuplot, from the scripts in plots/ (docs/cli.md,
 * "sweep --plot"). */
#ifndef DMASIM_PLOT_H
#define DMASIM_PLOT_H

#include <stdbool.h>
#include <stddef.h>

/* "png" or "svg" by the file's suffix; NULL for anything else. */
const char *plot_format(const char *path);

/* Throughput against the first varied value, one curve per scheme, from a
 * sweep's CSV (its header and lines).  Only points whose other varied
 * values are those of point 0 are drawn.  A swept value that reads as an
 * integer (sizes take units: 4KiB) or a frequency is a number, plotted on
 * a log scale when it spans 16× or more; otherwise points are drawn in
 * order, labelled.  False with a message when gnuplot is missing or
 * fails. */
bool plot_sweep(const char *path, const char *xname, const char *header,
                const char *const *lines, size_t n, char *err, size_t errlen);

#endif
