/* JUnit XML, the test report CI servers read (Jenkins, GitLab, GitHub
 * actions that publish test results): `check --junit F` and
 * `regress --junit F` (docs/cli.md).  One <testsuite> of <testcase>s, each
 * passed, failed (<failure>: the check did not hold) or in error
 * (<error>: its input could not be used). */
#ifndef DMASIM_JUNIT_H
#define DMASIM_JUNIT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { JUNIT_PASS, JUNIT_FAIL, JUNIT_ERROR } JUnitOutcome;

typedef struct JUnitCase {
    char *classname, *name; /* the file or scenario; the check */
    double seconds;
    JUnitOutcome outcome;
    char *message; /* one line: why it failed (NULL when it passed) */
    char *detail;  /* the full text: findings, reasons (may be NULL) */
} JUnitCase;

typedef struct JUnit {
    const char *suite; /* "dmasim check", "dmasim regress" */
    JUnitCase *v;
    size_t n, cap;
} JUnit;

void junit_init(JUnit *j, const char *suite);
/* Adds a case; the strings are copied (message and detail may be NULL). */
void junit_add(JUnit *j, const char *classname, const char *name,
               double seconds, JUnitOutcome outcome, const char *message,
               const char *detail);
/* The report to path through the one writer of outputs (outfile.h);
 * false with the reason in err. */
bool junit_write(const JUnit *j, const char *path, char *err, size_t n);
void junit_free(JUnit *j);

/* Seconds on a monotonic clock, for the cases' times. */
double junit_now(void);

#endif
