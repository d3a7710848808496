#include <check.h>
Suite *lint_suite(void);
Suite *lint_suite(void) { return suite_create("lint"); }
