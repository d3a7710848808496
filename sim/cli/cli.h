/* The dmasim commands (docs/cli.md). */
#ifndef DMASIM_CLI_H
#define DMASIM_CLI_H

enum {
    EXIT_CLEAN = 0,     /* success, clean, reached */
    EXIT_FINDINGS = 1,  /* lint findings, unreachable, failed expectation */
    EXIT_BAD_INPUT = 2, /* bad input or usage */
};

int cmd_check(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_regress(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_import(int argc, char **argv);

#endif
