/* Drawing figures with gnuplot, from the scripts in plots/ (docs/cli.md,
 * "sweep --plot"). */
#ifndef DMASIM_PLOT_H
#define DMASIM_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/core/hist.h"
#include "sim/core/sim.h"

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

/* Each bus's busy fraction under each scheme, as clustered bars;
 * util[k * n_buses + b] is scheme k's fraction for bus b. */
bool plot_utilization(const char *path, const char *title,
                      const char *const *schemes, size_t n_schemes,
                      const char *const *buses, size_t n_buses,
                      const double *util, char *err, size_t errlen);

/* The distribution of operation latencies under each scheme, as
 * cumulative curves on a log time axis (operations that took no time
 * start a curve at the axis's left end). */
bool plot_latency(const char *path, const char *title,
                  const char *const *schemes, size_t n_schemes,
                  const Hist *const *lat, char *err, size_t errlen);

#endif
