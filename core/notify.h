/* notify: the systemd notification protocol without libsystemd.
 *
 * One datagram per message to $NOTIFY_SOCKET (a path, or "@name" for an
 * abstract socket). When the variable is unset every call is a no-op. */
#ifndef QA_NOTIFY_H
#define QA_NOTIFY_H

#include <stdint.h>

/* Send one message ("READY=1\nSTATUS=serving"). 0 on success or when there is
 * no socket; -1 after logging if the send failed. */
int notify_send(const char *message);

/* "RELOADING=1\nMONOTONIC_USEC=<now>". */
int notify_reloading(void);

/* The watchdog interval systemd asked for ($WATCHDOG_USEC, honouring
 * $WATCHDOG_PID), or 0 when none. */
uint64_t notify_watchdog_usec(void);

#endif
