#include "sim/core/tempfile.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static char paths[TEMPFILE_MAX][4096];
static volatile sig_atomic_t held[TEMPFILE_MAX];
static struct sigaction before[2]; /* SIGINT's and SIGTERM's, as found */
static int installed;

static void on_signal(int sig)
{
    for (int i = 0; i < TEMPFILE_MAX; i++)
        if (held[i])
            unlink(paths[i]);
    const struct sigaction *old = &before[sig == SIGTERM];
    if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, NULL, &before[0]);
    sigaction(SIGTERM, NULL, &before[1]);
    /* A signal the process ignores stays ignored. */
    if (before[0].sa_handler != SIG_IGN)
        sigaction(SIGINT, &sa, NULL);
    if (before[1].sa_handler != SIG_IGN)
        sigaction(SIGTERM, &sa, NULL);
    installed = 1;
}

void tempfile_hold(const char *path)
{
    if (strlen(path) >= sizeof paths[0])
        return;
    if (!installed)
        install();
    for (int i = 0; i < TEMPFILE_MAX; i++)
        if (!held[i]) {
            strcpy(paths[i], path);
            held[i] = 1;
            return;
        }
}

void tempfile_release(const char *path)
{
    for (int i = 0; i < TEMPFILE_MAX; i++)
        if (held[i] && !strcmp(paths[i], path)) {
            held[i] = 0;
            return;
        }
}
