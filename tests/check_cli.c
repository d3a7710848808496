#include <check.h>
Suite *cli_suite(void);
Suite *cli_suite(void) { return suite_create("cli"); }
