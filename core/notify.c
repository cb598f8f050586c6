#include "notify.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

int notify_send(const char *message)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		return 0;

	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t path_len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') ||
	    path_len >= sizeof(addr.sun_path)) {
		log_warn("notify: NOTIFY_SOCKET \"%s\" is not an absolute path "
			 "or @abstract name; not notifying systemd",
			 path);
		return -1;
	}
	memcpy(addr.sun_path, path, path_len);
	/* An abstract name starts with NUL and its length is exactly the
	 * name's: sizeof(addr) would address a different, NUL-padded name. */
	socklen_t addr_len =
		(socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_len);
	if (path[0] == '@')
		addr.sun_path[0] = '\0';
	else
		addr_len += 1;

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("notify: socket: %s", strerror(errno));
		return -1;
	}
	int rc = 0;
	ssize_t sent = sendto(fd, message, strlen(message), MSG_NOSIGNAL,
			      (struct sockaddr *)&addr, addr_len);
	if (sent < 0) {
		log_warn("notify: cannot send \"%s\" to %s: %s", message, path,
			 strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}

int notify_reloading(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint64_t usec =
		(uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
	char message[64];
	snprintf(message, sizeof(message),
		 "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, usec);
	return notify_send(message);
}

uint64_t notify_watchdog_usec(void)
{
	const char *usec_text = getenv("WATCHDOG_USEC");
	if (!usec_text || !*usec_text)
		return 0;
	/* The watchdog may be meant for another process of the service. */
	const char *pid_text = getenv("WATCHDOG_PID");
	if (pid_text && *pid_text) {
		char *end;
		errno = 0;
		unsigned long long pid = strtoull(pid_text, &end, 10);
		if (errno || *end || pid != (unsigned long long)getpid())
			return 0;
	}
	char *end;
	errno = 0;
	unsigned long long usec = strtoull(usec_text, &end, 10);
	if (errno || *end || usec == 0) {
		log_warn("notify: WATCHDOG_USEC \"%s\" is not a number of "
			 "microseconds; watchdog off",
			 usec_text);
		return 0;
	}
	return (uint64_t)usec;
}
