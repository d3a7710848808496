/* dmasim: the command-line entry point. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"

#define DMASIM_VERSION "0.1.0"

typedef struct Command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *synopsis;
} Command;

static const Command commands[] = {
    {"check", cmd_check, "check TOPOLOGY... [--json] [--strict] [--junit F]"},
    {"route", cmd_route,
     "route TOPOLOGY --from MASTER --addr A [--len N] [--json]"},
    {"run", cmd_run,
     "run SCENARIO [--scheme S]... [--json F] [--csv F]\n"
     "             [--trace F.json|F.vcd]"},
    {"regress", cmd_regress, "regress PATH... [--junit F]"},
    {"sweep", cmd_sweep,
     "sweep SCENARIO --vary PATH=V1,V2,... [--jobs N] [--shard K/N]\n"
     "               [--csv F] [--resume] [--plot F.png|F.svg]"},
    {"merge", cmd_merge, "merge CSV... -o F"},
    {"report", cmd_report, "report SCENARIO... -o DIR"},
    {"import", cmd_import,
     "import BOARD.dts|BOARD.dtb [-I DIR]... [-o F] [--defaults F]"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fputs("dmasim " DMASIM_VERSION
          " - a cycle-approximate simulator of SoC buses and DMA engines\n"
          "\n"
          "usage: dmasim COMMAND [ARGS]\n\ncommands:\n",
          out);
    for (const Command *c = commands; c->name; c++)
        fprintf(out, "  dmasim %s\n", c->synopsis);
    fputs("  dmasim --version (-V)\n", out);
    fputs("\n'dmasim COMMAND --help' describes a command; docs/cli.md has "
          "the details.\n"
          "Exit status: 0 success, 1 findings, unreachable or a failed expectation,\n"
          "2 bad input.\n",
          out);
}

/* What went to standard output must have reached it: a full disk or a
 * closed descriptor is an error, not a silent loss. */
static int finish(int rc)
{
    errno = 0;
    bool bad = fflush(stdout) != 0 || ferror(stdout);
    int e = errno;
    if (fclose(stdout) && !bad) {
        bad = true;
        e = errno;
    }
    if (bad) {
        fprintf(stderr, "dmasim: cannot write standard output: %s\n",
                strerror(e ? e : EIO));
        return EXIT_BAD_INPUT;
    }
    return rc;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_CLEAN;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        puts("dmasim " DMASIM_VERSION);
        return EXIT_CLEAN;
    }
    for (const Command *c = commands; c->name; c++)
        if (!strcmp(argv[1], c->name))
            return c->fn(argc - 1, argv + 1);
    fprintf(stderr, "dmasim: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_BAD_INPUT;
}

int main(int argc, char **argv)
{
    return finish(dispatch(argc, argv));
}
