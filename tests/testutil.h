/* Helpers shared by the Check suites. */
#ifndef DMASIM_TESTUTIL_H
#define DMASIM_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "sim/core/diag.h"
#include "sim/hw/addrmap.h"
#include "sim/hw/topology.h"

Suite *units_suite(void);
Suite *sim_suite(void);
Suite *store_suite(void);
Suite *platform_suite(void);
Suite *dma_suite(void);
Suite *cpu_suite(void);
Suite *yaml_load_suite(void);
Suite *topology_suite(void);
Suite *route_suite(void);
Suite *lint_suite(void);
Suite *cli_suite(void);
Suite *scheme_suite(void);
Suite *scenario_suite(void);
Suite *swview_suite(void);
Suite *pool_suite(void);
Suite *html_suite(void);
Suite *outfile_suite(void);
Suite *contention_suite(void);

/* The run's temporary folder, under $TMPDIR (and $TMPDIR from then on),
 * and its removal with everything in it. */
void tu_begin(void);
void tu_end(void);

/* Writes text to a fresh file in a private temporary directory (one per
 * test process, in tu_begin's folder) and returns its path (static
 * storage, valid until the next call). */
const char *tu_write(const char *name, const char *text);
/* That private temporary directory. */
const char *tu_dir(void);
const char *tu_write_bytes(const char *name, const void *data, size_t len);

/* The first finding of a severity formatted as diag_print would, without
 * the trailing newline and with the tu_write directory removed, or "" if
 * there is none. */
const char *tu_first(const Diag *d, Severity sev);

/* Loads YAML text as a topology file named "t.yaml"; returns NULL on
 * input errors (then tu_first(d, SEV_FATAL) says why). */
Topology *tu_load(const char *yaml, Diag *d);

/* Runs $DMASIM (default build/dmasim) with args; returns its exit status
 * (128+signal if killed) and its stdout and stderr (malloc'd). */
int tu_run(char **out, char **err, const char *const *args);

/* Asserts that the first fatal finding of loading yaml is exactly
 * "t.yaml:" + where_what, e.g. "3:9: clocks.pci: ...". */
#define ck_load_error(yaml, where_what)                                     \
    do {                                                                    \
        Diag d_;                                                            \
        diag_init(&d_);                                                     \
        Topology *t_ = tu_load((yaml), &d_);                                \
        ck_assert_ptr_null(t_);                                             \
        ck_assert_str_eq(tu_first(&d_, SEV_FATAL), "t.yaml:" where_what);   \
        diag_free(&d_);                                                     \
    } while (0)

#endif
