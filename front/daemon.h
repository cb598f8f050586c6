/* daemon: `qa-scheduler serve`, the libevent loop under systemd. */
#ifndef QA_DAEMON_H
#define QA_DAEMON_H

/* Run until SIGTERM/SIGINT. Returns the process exit code: 0 after a clean
 * stop, 1 when it could not start (the reason is logged). */
int daemon_serve(const char *config_path);

#endif
