/* Temporary files removed when the process is stopped by SIGINT or
 * SIGTERM while they exist: an output's copy before its rename, a plot's
 * data for gnuplot.  The signal then does what it would have done (the
 * default action: the process ends with it), unless the process had its
 * own handler, which then runs. */
#ifndef DMASIM_TEMPFILE_H
#define DMASIM_TEMPFILE_H

/* path is removed if a signal comes before tempfile_release(path).  At
 * most TEMPFILE_MAX at once, of up to 4095 bytes (more are not held: they
 * stay behind if the process is stopped). */
#define TEMPFILE_MAX 8
void tempfile_hold(const char *path);
void tempfile_release(const char *path);

#endif
