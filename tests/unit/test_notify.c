/* notify: messages arrive on a datagram socket of the test's own, both as a
 * path and as an abstract (@) name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

struct receiver {
	int fd;
	char name[108];
	char dir[64];
};

static void receiver_open(struct receiver *r, int abstract)
{
	memset(r, 0, sizeof(*r));
	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(r->fd >= 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	socklen_t len;
	if (abstract) {
		snprintf(r->name, sizeof(r->name), "@qa-test-notify-%d",
			 (int)getpid());
		memcpy(addr.sun_path, r->name, strlen(r->name));
		addr.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				  strlen(r->name));
	} else {
		strcpy(r->dir, "/tmp/qa-notify-XXXXXX");
		assert_non_null(mkdtemp(r->dir));
		snprintf(r->name, sizeof(r->name), "%s/notify", r->dir);
		strcpy(addr.sun_path, r->name);
		len = sizeof(addr);
	}
	assert_int_equal(bind(r->fd, (struct sockaddr *)&addr, len), 0);
	struct timeval timeout = {.tv_sec = 10};
	setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setenv("NOTIFY_SOCKET", r->name, 1);
}

static void receive(struct receiver *r, char *buf, size_t size)
{
	ssize_t got = recv(r->fd, buf, size - 1, 0);
	assert_true(got > 0);
	buf[got] = '\0';
}

static void receiver_close(struct receiver *r)
{
	close(r->fd);
	if (r->dir[0]) {
		unlink(r->name);
		rmdir(r->dir);
	}
	unsetenv("NOTIFY_SOCKET");
}

static void sequence(int abstract)
{
	struct receiver r;
	char buf[256];
	receiver_open(&r, abstract);
	assert_int_equal(notify_send("READY=1\nSTATUS=serving"), 0);
	receive(&r, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1\nSTATUS=serving");
	assert_int_equal(notify_reloading(), 0);
	receive(&r, buf, sizeof(buf));
	assert_memory_equal(buf, "RELOADING=1\nMONOTONIC_USEC=", 27);
	assert_true(strtoull(buf + 27, NULL, 10) > 0);
	assert_int_equal(notify_send("STOPPING=1"), 0);
	receive(&r, buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1");
	receiver_close(&r);
}

static void path_socket(void **state)
{
	(void)state;
	sequence(0);
}

static void abstract_socket(void **state)
{
	(void)state;
	sequence(1);
}

static void no_socket_is_a_no_op(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_send("READY=1"), 0);
}

static void nobody_listening_is_an_error(void **state)
{
	(void)state;
	setenv("NOTIFY_SOCKET", "/nonexistent/qa-notify", 1);
	assert_int_equal(notify_send("READY=1"), -1);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(notify_send("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

static void watchdog_interval(void **state)
{
	(void)state;
	char pid[32];
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(notify_watchdog_usec(), 30000000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_usec(), 30000000);
	setenv("WATCHDOG_PID", "1", 1); /* meant for another process */
	assert_int_equal(notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "soon", 1);
	assert_int_equal(notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_socket),
		cmocka_unit_test(abstract_socket),
		cmocka_unit_test(no_socket_is_a_no_op),
		cmocka_unit_test(nobody_listening_is_an_error),
		cmocka_unit_test(watchdog_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
