/* A run's progress on a terminal: `run`, `regress` and `report` show
 * which scheme runs and how many operations are done while a long run
 * goes on (stderr only, and only when it is a terminal), and clear the
 * line when it ends. */
#ifndef DMASIM_CLI_PROGRESS_H
#define DMASIM_CLI_PROGRESS_H

#include "sim/run/runner.h"

/* Hooks for run_schemes: trace as given, progress when stderr is a
 * terminal.  `what` names the command ("dmasim run"). */
RunHooks cli_run_hooks(const char *what, struct Trace *trace);

#endif
