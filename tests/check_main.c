/* Runs every suite.  CK_RUN_SUITE=name or CK_RUN_CASE=name picks a subset;
 * CK_FORK=no runs in one process for gdb. */
#include <check.h>
#include <stdlib.h>

#include "testutil.h"

int main(void)
{
    tu_begin();
    SRunner *sr = srunner_create(units_suite());
    srunner_add_suite(sr, sim_suite());
    srunner_add_suite(sr, outfile_suite());
    srunner_add_suite(sr, store_suite());
    srunner_add_suite(sr, yaml_load_suite());
    srunner_add_suite(sr, topology_suite());
    srunner_add_suite(sr, route_suite());
    srunner_add_suite(sr, lint_suite());
    srunner_add_suite(sr, platform_suite());
    srunner_add_suite(sr, dma_suite());
    srunner_add_suite(sr, cpu_suite());
    srunner_add_suite(sr, swview_suite());
    srunner_add_suite(sr, scheme_suite());
    srunner_add_suite(sr, scenario_suite());
    srunner_add_suite(sr, pool_suite());
    srunner_add_suite(sr, html_suite());
    srunner_add_suite(sr, cli_suite());
    srunner_add_suite(sr, contention_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_end();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
