/* Tests for core/deliver.c against real servers: aiosmtpd writing a Maildir
 * (Debian's python3-aiosmtpd) and a small Python http.server that records
 * each request. Messages are checked by Python's email package, a decoder
 * that is not ours. Every process started here is killed in teardown, and
 * dies with this one if it crashes (PR_SET_PDEATHSIG). */
/* cmocka.h needs these first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>
/* clang-format on */

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "deliver.h"

#define PYTHON "/usr/bin/python3"
#define MAX_PROCS 4
#define MAX_RESULTS 16
/* Generous: these bound a hang, they do not time anything. */
#define DEADLINE_S 30.0
/* Below the 10 s connect timeout, so a refused connection that waited for
 * it fails the test. */
#define REFUSED_DEADLINE_S 8.0

struct result {
	long long outbox_id;
	bool ok;
	char error[256];
	bool on_loop_thread;
};

struct fixture {
	char dir[64];
	struct event_base *base;
	struct config cfg;
	struct deliver *d;
	pid_t pids[MAX_PROCS];
	size_t n_pids;
	pthread_t loop_thread;
	struct result results[MAX_RESULTS];
	size_t n_results;
};

/* Records a request as JSON {path, headers (lower-case names), body} in
 * argv[3], written whole by a rename, and answers argv[2]. */
static const char http_server_py[] =
	"import http.server, json, os, sys\n"
	"port, status, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]\n"
	"class Handler(http.server.BaseHTTPRequestHandler):\n"
	"    protocol_version = 'HTTP/1.1'\n"
	"    def do_POST(self):\n"
	"        n = int(self.headers.get('Content-Length', 0))\n"
	"        body = self.rfile.read(n).decode('utf-8')\n"
	"        headers = {k.lower(): v for k, v in self.headers.items()}\n"
	"        with open(out + '.tmp', 'w') as f:\n"
	"            json.dump({'path': self.path, 'headers': headers,\n"
	"                       'body': body}, f)\n"
	"        os.rename(out + '.tmp', out)\n"
	"        self.send_response(status)\n"
	"        self.send_header('Content-Length', '2')\n"
	"        self.end_headers()\n"
	"        self.wfile.write(b'ok')\n"
	"    def log_message(self, *args):\n"
	"        pass\n"
	"http.server.HTTPServer(('127.0.0.1', port), "
	"Handler).serve_forever()\n";

/* Prints every message of the Maildir argv[1] as decoded by Python's email
 * package, with facts about its raw bytes. */
static const char read_maildir_py[] =
	"import base64, email, email.policy, glob, json, re, sys\n"
	"out = []\n"
	"for path in sorted(glob.glob(sys.argv[1] + '/new/*')):\n"
	"    raw = open(path, 'rb').read()\n"
	"    m = email.message_from_bytes(raw, policy=email.policy.default)\n"
	"    to = m['To'].addresses[0]\n"
	"    rec = {'from': str(m['From']), 'to_name': to.display_name,\n"
	"           'to_addr': to.addr_spec, 'subject': str(m['Subject']),\n"
	"           'message_id': str(m['Message-ID']),\n"
	"           'date_ok': m['Date'].datetime is not None,\n"
	"           'seven_bit': all(b < 128 for b in raw),\n"
	"           'longest_line': max(len(l) for l in raw.split(b'\\n')),\n"
	"           'raw': raw.decode('ascii', 'replace'),\n"
	"           'text': m.get_body(('plain',)).get_content()}\n"
	"    words = re.findall(rb'=[?]UTF-8[?]B[?]([^?]*)[?]=',\n"
	"                       raw.split(b'\\n\\n', 1)[0])\n"
	"    def whole(word):\n"
	"        try:\n"
	"            base64.b64decode(word).decode('utf-8')\n"
	"            return True\n"
	"        except ValueError:\n"
	"            return False\n"
	"    rec['header_names'] = [k.lower() for k in m.keys()]\n"
	"    rec['encoded_words'] = len(words)\n"
	"    rec['words_whole'] = all(whole(w) for w in words)\n"
	"    for part in m.iter_attachments():\n"
	"        rec['attachment_name'] = part.get_filename()\n"
	"        rec['attachment_type'] = part.get_content_type()\n"
	"        rec['attachment_method'] = part.get_param('method')\n"
	"        rec['attachment'] = part.get_payload(decode=True)"
	".decode('utf-8')\n"
	"    out.append(rec)\n"
	"json.dump(out, sys.stdout)\n";

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* A port nothing listens on now: the kernel's pick for port 0. */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	socklen_t len = sizeof(addr);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	close(fd);
	return ntohs(addr.sin_port);
}

static void start_process(struct fixture *f, char *const argv[],
			  const char *log_name)
{
	assert_true(f->n_pids < MAX_PROCS);
	char log_path[128];
	snprintf(log_path, sizeof(log_path), "%s/%s", f->dir, log_name);
	pid_t parent = getpid();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	f->pids[f->n_pids++] = pid;
}

/* Fails at once, with the server's own words, when it exits instead. */
static void wait_accepting(struct fixture *f, int port, const char *what,
			   const char *log_name)
{
	pid_t pid = f->pids[f->n_pids - 1];
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons((uint16_t)port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	double deadline = now_s() + DEADLINE_S;
	while (now_s() < deadline) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		int rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
		close(fd);
		if (rc == 0)
			return;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			f->pids[f->n_pids - 1] = 0;
			char log_path[128], log_text[1024] = "";
			snprintf(log_path, sizeof(log_path), "%s/%s", f->dir,
				 log_name);
			FILE *log = fopen(log_path, "r");
			if (log) {
				log_text[fread(log_text, 1,
					       sizeof(log_text) - 1, log)] =
					'\0';
				fclose(log);
			}
			fail_msg("%s exited before listening (is "
				 "python3-aiosmtpd installed? "
				 "scripts/install-deps.sh --test):\n%s",
				 what, log_text);
		}
		pause_ms(50);
	}
	fail_msg("%s on port %d never accepted a connection", what, port);
}

/* aiosmtpd's Mailbox handler makes maildir itself when it does not exist. */
static int start_smtp(struct fixture *f, const char *maildir)
{
	int port = free_port();
	char listen[32];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	char *const argv[] = {PYTHON,
			      "-m",
			      "aiosmtpd",
			      "-n",
			      "-l",
			      listen,
			      "-c",
			      "aiosmtpd.handlers.Mailbox",
			      (char *)maildir,
			      NULL};
	start_process(f, argv, "smtp.log");
	wait_accepting(f, port, "aiosmtpd", "smtp.log");
	return port;
}

static int start_http(struct fixture *f, int status, const char *record)
{
	int port = free_port();
	char script[128], port_text[16], status_text[16];
	snprintf(script, sizeof(script), "%s/server.py", f->dir);
	write_file(script, http_server_py);
	snprintf(port_text, sizeof(port_text), "%d", port);
	snprintf(status_text, sizeof(status_text), "%d", status);
	char *const argv[] = {PYTHON,      script,         port_text,
			      status_text, (char *)record, NULL};
	start_process(f, argv, "http.log");
	wait_accepting(f, port, "http.server", "http.log");
	return port;
}

static void on_done(long long outbox_id, bool ok, const char *error, void *arg)
{
	struct fixture *f = arg;
	assert_true(f->n_results < MAX_RESULTS);
	struct result *r = &f->results[f->n_results++];
	r->outbox_id = outbox_id;
	r->ok = ok;
	if (ok)
		assert_null(error);
	else
		snprintf(r->error, sizeof(r->error), "%s", error);
	r->on_loop_thread = pthread_equal(pthread_self(), f->loop_thread);
}

static const struct result *result_for(struct fixture *f, long long outbox_id)
{
	for (size_t i = 0; i < f->n_results; i++)
		if (f->results[i].outbox_id == outbox_id)
			return &f->results[i];
	fail_msg("no result for outbox %lld", outbox_id);
	return NULL;
}

/* Runs the loop in short slices until `want` callbacks have come. */
static void run_until(struct fixture *f, size_t want, double limit_s)
{
	double deadline = now_s() + limit_s;
	while (f->n_results < want && now_s() < deadline) {
		struct timeval slice = {.tv_usec = 20000};
		event_base_loopexit(f->base, &slice);
		assert_int_equal(event_base_dispatch(f->base), 0);
	}
	if (f->n_results < want)
		fail_msg("%zu of %zu results after %.0f s", f->n_results, want,
			 limit_s);
}

static void start_deliver(struct fixture *f)
{
	f->d = deliver_new(f->base, &f->cfg, on_done, f);
	assert_non_null(f->d);
}

static char *dup_printf(const char *fmt, ...) QA_PRINTF(1, 2);
static char *dup_printf(const char *fmt, ...)
{
	char *text;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	return text;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/test_deliver.XXXXXX");
	if (!mkdtemp(f->dir) || config_defaults(&f->cfg) != 0) {
		free(f);
		return -1;
	}
	f->base = event_base_new();
	if (!f->base)
		return -1;
	f->loop_thread = pthread_self();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	deliver_free(f->d);
	for (size_t i = 0; i < f->n_pids; i++) {
		if (f->pids[i] == 0)
			continue; /* already reaped */
		kill(f->pids[i], SIGTERM);
		double deadline = now_s() + 10;
		while (waitpid(f->pids[i], NULL, WNOHANG) == 0) {
			if (now_s() > deadline) {
				kill(f->pids[i], SIGKILL);
				waitpid(f->pids[i], NULL, 0);
				break;
			}
			pause_ms(20);
		}
	}
	event_base_free(f->base);
	config_done(&f->cfg);
	/* QA_KEEP_TMP=1 keeps the Maildir and server logs to look at. */
	if (!getenv("QA_KEEP_TMP"))
		nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "kept %s\n", f->dir);
	free(f);
	return 0;
}

/* The Maildir's messages as Python decodes them, in file order. */
static json_t *read_maildir(struct fixture *f, const char *maildir)
{
	char script[128];
	snprintf(script, sizeof(script), "%s/read_maildir.py", f->dir);
	write_file(script, read_maildir_py);
	char *command = dup_printf(PYTHON " %s %s", script, maildir);
	FILE *pipe = popen(command, "r");
	free(command);
	assert_non_null(pipe);
	json_error_t error;
	json_t *messages = json_loadf(pipe, 0, &error);
	assert_int_equal(pclose(pipe), 0);
	if (!messages)
		fail_msg("maildir reader: %s", error.text);
	return messages;
}

static json_t *message_with_id(json_t *messages, const char *message_id)
{
	size_t i;
	json_t *message;
	json_array_foreach(messages, i, message)
	{
		if (strcmp(json_string_value(
				   json_object_get(message, "message_id")),
			   message_id) == 0)
			return message;
	}
	fail_msg("no message with Message-ID %s", message_id);
	return NULL;
}

static const char *field(json_t *object, const char *key)
{
	const char *value = json_string_value(json_object_get(object, key));
	if (!value)
		fail_msg("no string \"%s\" in the record", key);
	return value;
}

static const char invite_ics[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//qa-scheduler//test//EN\r\n"
	"METHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:occ-42@qa-scheduler\r\n"
	"DTSTAMP:20260301T090000Z\r\nDTSTART:20260310T100000Z\r\n"
	"SUMMARY:Supervision – Zoë\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/* Lines a careless sender breaks: a leading dot (SMTP's end of data is a
 * lone one), trailing spaces, '=' (also before hex digits), a line past 76
 * columns. */
static const char body_text[] =
	"Dear Zoë,\n"
	"\n"
	"Your supervision with Siobhán is due on 2026-03-10 – please book "
	"a room and bring the notes from last time, with actions 1 = done, "
	"form =41B.\n"
	".leading dot line\n"
	".\n"
	"..two dots\n"
	"trailing spaces   \n"
	"Go raibh maith agat\n";

/* Past one encoded word (39 bytes), split inside the "–" if split
 * blindly. */
static const char invite_subject[] =
	"Supervision with Siobhán Ní Bhriain – due 2026-03-10";

static void test_email_arrives_intact(void **state)
{
	struct fixture *f = *state;
	char *maildir = dup_printf("%s/mail", f->dir);
	int port = start_smtp(f, maildir);
	f->cfg.smtp_url = dup_printf("smtp://127.0.0.1:%d", port);
	f->cfg.smtp_from = strdup("qa@example.org");
	start_deliver(f);
	assert_true(deliver_has_channel(f->d, DELIVER_EMAIL));
	assert_false(deliver_has_channel(f->d, DELIVER_WEBHOOK));

	struct deliver_message invite = {
		.outbox_id = 1,
		.channel = DELIVER_EMAIL,
		.idempotency_key = "occ-42.stage-1.email",
		.to_email = "zoe@example.org",
		.to_name = "Zoë Ó Súilleabháin",
		.subject = invite_subject,
		.text = body_text,
		.ics = invite_ics,
	};
	const char *long_subject =
		"Monthly case file audit for the Northern locality team is due "
		"in seven days, on Tuesday 10 March 2026, for cases opened "
		"before February";
	struct deliver_message plain = {
		.outbox_id = 2,
		.channel = DELIVER_EMAIL,
		.idempotency_key = "occ-43.stage-2.email",
		.to_email = "pat@example.org",
		.to_name = "Pat \"PJ\" O'Brien, Jr.",
		.subject = long_subject,
		.text = "One line, no newline at the end",
	};
	/* A CR LF in the address would be an SMTP command of its own. */
	struct deliver_message smuggled = {
		.outbox_id = 3,
		.channel = DELIVER_EMAIL,
		.idempotency_key = "occ-44.stage-1.email",
		.to_email = "x@example.org>\r\nRCPT TO:<evil@example.org",
		.subject = "x",
		.text = "x",
	};
	assert_int_equal(deliver_submit(f->d, &invite), 0);
	assert_int_equal(deliver_submit(f->d, &plain), 0);
	/* ... and in a name or subject, a header of its own. */
	struct deliver_message injected = {
		.outbox_id = 4,
		.channel = DELIVER_EMAIL,
		.idempotency_key = "occ-45.stage-1.email",
		.to_email = "eve@example.org",
		.to_name = "Eve\r\nBcc: evil@example.org",
		.subject = "Hello\nX-Injected: yes",
		.text = "x",
	};
	assert_int_equal(deliver_submit(f->d, &smuggled), 0);
	assert_int_equal(deliver_submit(f->d, &injected), 0);
	assert_int_equal(deliver_pending(f->d), 4);
	run_until(f, 4, DEADLINE_S);
	assert_int_equal(deliver_pending(f->d), 0);

	const struct result *r = result_for(f, 1);
	assert_true(r->ok);
	assert_true(r->on_loop_thread);
	assert_true(result_for(f, 2)->ok);
	r = result_for(f, 3);
	assert_false(r->ok);
	assert_non_null(strstr(r->error, "not a valid address"));

	json_t *messages = read_maildir(f, maildir);
	assert_int_equal(json_array_size(messages), 3);

	json_t *m = message_with_id(messages,
				    "<occ-42.stage-1.email@qa-scheduler>");
	assert_string_equal(field(m, "from"), "qa@example.org");
	assert_string_equal(field(m, "to_name"), "Zoë Ó Súilleabháin");
	assert_string_equal(field(m, "to_addr"), "zoe@example.org");
	assert_string_equal(field(m, "subject"), invite_subject);
	/* Each encoded word decodes alone (RFC 2047 6.3), not just all of
	 * them together as Python manages. */
	assert_true(json_integer_value(json_object_get(m, "encoded_words")) >=
		    3);
	assert_true(json_is_true(json_object_get(m, "words_whole")));
	assert_true(json_is_true(json_object_get(m, "date_ok")));
	assert_string_equal(field(m, "text"), body_text);
	assert_string_equal(field(m, "attachment_name"), "invite.ics");
	assert_string_equal(field(m, "attachment_type"), "text/calendar");
	assert_string_equal(field(m, "attachment_method"), "PUBLISH");
	assert_string_equal(field(m, "attachment"), invite_ics);
	/* On the wire: 7-bit, short lines, and the dot lines unstuffed by
	 * the server exactly as they were (libcurl stuffed them). */
	assert_true(json_is_true(json_object_get(m, "seven_bit")));
	assert_true(json_integer_value(json_object_get(m, "longest_line")) <=
		    78);
	const char *raw = field(m, "raw");
	assert_non_null(strstr(raw, "\n.leading dot line\n.\n..two dots\n"));
	assert_non_null(strstr(raw, "\nTo: =?UTF-8?B?"));

	m = message_with_id(messages, "<occ-43.stage-2.email@qa-scheduler>");
	assert_string_equal(field(m, "to_name"), "Pat \"PJ\" O'Brien, Jr.");
	assert_string_equal(field(m, "to_addr"), "pat@example.org");
	assert_string_equal(field(m, "subject"), long_subject);
	assert_string_equal(field(m, "text"),
			    "One line, no newline at the end\n");
	assert_null(json_object_get(m, "attachment"));
	assert_true(json_integer_value(json_object_get(m, "longest_line")) <=
		    78);

	assert_true(result_for(f, 4)->ok);
	m = message_with_id(messages, "<occ-45.stage-1.email@qa-scheduler>");
	assert_string_equal(field(m, "to_name"), "Eve  Bcc: evil@example.org");
	assert_string_equal(field(m, "subject"), "Hello X-Injected: yes");
	json_t *names = json_object_get(m, "header_names");
	size_t i;
	json_t *name;
	json_array_foreach(names, i, name)
	{
		assert_string_not_equal(json_string_value(name), "bcc");
		assert_string_not_equal(json_string_value(name), "x-injected");
	}
	json_decref(messages);
	free(maildir);
}

/* aiosmtpd's Mailbox answers 500 after DATA when the Maildir has no tmp/:
 * success must mean the server's 250 at the end, not a finished upload. */
static void test_email_refused_after_data(void **state)
{
	struct fixture *f = *state;
	char *maildir = dup_printf("%s/broken", f->dir);
	assert_int_equal(mkdir(maildir, 0700), 0);
	int port = start_smtp(f, maildir);
	f->cfg.smtp_url = dup_printf("smtp://127.0.0.1:%d", port);
	f->cfg.smtp_from = strdup("qa@example.org");
	start_deliver(f);
	struct deliver_message msg = {
		.outbox_id = 7,
		.channel = DELIVER_EMAIL,
		.idempotency_key = "k7",
		.to_email = "zoe@example.org",
		.subject = "s",
		.text = "t",
	};
	assert_int_equal(deliver_submit(f->d, &msg), 0);
	run_until(f, 1, DEADLINE_S);
	assert_false(f->results[0].ok);
	assert_non_null(
		strstr(f->results[0].error, "SMTP server refused: 500"));
	free(maildir);
}

static void test_email_connection_refused(void **state)
{
	struct fixture *f = *state;
	f->cfg.smtp_url = dup_printf("smtp://127.0.0.1:%d", free_port());
	f->cfg.smtp_from = strdup("qa@example.org");
	start_deliver(f);
	struct deliver_message msg = {
		.channel = DELIVER_EMAIL,
		.idempotency_key = "k",
		.to_email = "zoe@example.org",
		.subject = "s",
		.text = "t",
	};
	/* The queue goes on past a failure. */
	for (msg.outbox_id = 1; msg.outbox_id <= 2; msg.outbox_id++)
		assert_int_equal(deliver_submit(f->d, &msg), 0);
	run_until(f, 2, REFUSED_DEADLINE_S);
	for (size_t i = 0; i < 2; i++) {
		assert_false(f->results[i].ok);
		assert_non_null(
			strstr(f->results[i].error, "Connection refused"));
	}
	assert_int_equal(f->results[0].outbox_id, 1);
	assert_int_equal(f->results[1].outbox_id, 2);
}

static json_t *read_record(const char *path)
{
	json_error_t error;
	json_t *record = json_load_file(path, 0, &error);
	if (!record)
		fail_msg("%s: %s", path, error.text);
	return record;
}

static void test_webhook_after_reconfigure(void **state)
{
	struct fixture *f = *state;
	char *record = dup_printf("%s/request.json", f->dir);
	int port = start_http(f, 200, record);
	start_deliver(f);
	assert_false(deliver_has_channel(f->d, DELIVER_WEBHOOK));

	/* A reload that adds the webhook reaches the next message. */
	struct config cfg;
	assert_int_equal(config_defaults(&cfg), 0);
	cfg.webhook_url = dup_printf("http://127.0.0.1:%d/hook", port);
	deliver_reconfigure(f->d, &cfg);
	config_done(&cfg);
	assert_true(deliver_has_channel(f->d, DELIVER_WEBHOOK));

	const char *json = "{\"title\":\"Supervision – due\",\"to\":"
			   "\"zoe@example.org\",\"outbox_id\":11}";
	struct deliver_message msg = {
		.outbox_id = 11,
		.channel = DELIVER_WEBHOOK,
		.idempotency_key = "occ-42.stage-1.webhook",
		.json = json,
	};
	assert_int_equal(deliver_submit(f->d, &msg), 0);
	run_until(f, 1, DEADLINE_S);
	assert_true(f->results[0].ok);
	assert_true(f->results[0].on_loop_thread);

	json_t *req = read_record(record);
	assert_string_equal(field(req, "path"), "/hook");
	assert_string_equal(field(req, "body"), json);
	json_t *headers = json_object_get(req, "headers");
	assert_string_equal(field(headers, "idempotency-key"),
			    "occ-42.stage-1.webhook");
	assert_string_equal(field(headers, "content-type"), "application/json");
	json_decref(req);
	free(record);
}

static void test_webhook_503(void **state)
{
	struct fixture *f = *state;
	char *record = dup_printf("%s/request.json", f->dir);
	int port = start_http(f, 503, record);
	f->cfg.webhook_url = dup_printf("http://127.0.0.1:%d/", port);
	start_deliver(f);
	struct deliver_message msg = {
		.outbox_id = 12,
		.channel = DELIVER_WEBHOOK,
		.idempotency_key = "k12",
		.json = "{}",
	};
	assert_int_equal(deliver_submit(f->d, &msg), 0);
	run_until(f, 1, DEADLINE_S);
	assert_false(f->results[0].ok);
	assert_string_equal(f->results[0].error, "HTTP 503");
	/* The server did get it: a 5xx is the receiver's refusal. */
	json_t *req = read_record(record);
	assert_string_equal(field(req, "body"), "{}");
	json_decref(req);
	free(record);
}

static void test_log_channel(void **state)
{
	struct fixture *f = *state;
	/* smtp_url without from is no email channel. */
	f->cfg.smtp_url = strdup("smtp://127.0.0.1:25");
	start_deliver(f);
	assert_false(deliver_has_channel(f->d, DELIVER_EMAIL));
	assert_true(deliver_has_channel(f->d, DELIVER_LOG));

	char *log_path = dup_printf("%s/stderr", f->dir);
	int saved = dup(STDERR_FILENO);
	int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	close(fd);
	struct deliver_message msg = {
		.outbox_id = 21,
		.channel = DELIVER_LOG,
		.idempotency_key = "k21",
		.to_email = "zoe@example.org",
		.to_name = "Zoë Ó Súilleabháin",
		.subject = "Supervision – due 2026-03-10",
	};
	int rc = deliver_submit(f->d, &msg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(rc, 0);
	/* Not from inside deliver_submit: from the loop. */
	assert_int_equal(f->n_results, 0);
	assert_int_equal(deliver_pending(f->d), 1);

	FILE *log = fopen(log_path, "r");
	assert_non_null(log);
	char line[512] = "";
	assert_non_null(fgets(line, sizeof(line), log));
	fclose(log);
	assert_non_null(strstr(line, "reminder: to Zoë Ó Súilleabháin "
				     "<zoe@example.org>: Supervision – due "
				     "2026-03-10\n"));

	run_until(f, 1, DEADLINE_S);
	assert_true(f->results[0].ok);
	assert_int_equal(f->results[0].outbox_id, 21);
	assert_true(f->results[0].on_loop_thread);
	assert_int_equal(deliver_pending(f->d), 0);
	free(log_path);
}

struct closer {
	int fd;
};

static void *close_later(void *arg)
{
	struct closer *c = arg;
	/* Long enough, in practice, for deliver_free to be waiting; if not,
	 * the next messages are refused at once and the test still holds. */
	pause_ms(200);
	close(c->fd);
	return NULL;
}

/* The worker holds message 1 on a server that accepted the connection but
 * never greets; four more wait in the queue when deliver_free comes. Under
 * ASan/LSan or valgrind this checks they are freed. */
static void test_free_with_queued_messages(void **state)
{
	struct fixture *f = *state;
	int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(listener >= 0);
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(listener, (struct sockaddr *)&addr, sizeof(addr)),
			 0);
	assert_int_equal(listen(listener, 8), 0);
	socklen_t len = sizeof(addr);
	assert_int_equal(getsockname(listener, (struct sockaddr *)&addr, &len),
			 0);
	f->cfg.smtp_url =
		dup_printf("smtp://127.0.0.1:%d", ntohs(addr.sin_port));
	f->cfg.smtp_from = strdup("qa@example.org");
	start_deliver(f);

	struct deliver_message msg = {
		.channel = DELIVER_EMAIL,
		.idempotency_key = "k",
		.to_email = "zoe@example.org",
		.to_name = "Zoë",
		.subject = "s",
		.text = "t",
		.ics = invite_ics,
	};
	for (msg.outbox_id = 1; msg.outbox_id <= 5; msg.outbox_id++)
		assert_int_equal(deliver_submit(f->d, &msg), 0);
	struct pollfd pfd = {.fd = listener, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, (int)(DEADLINE_S * 1000)), 1);
	struct closer closer = {.fd = accept(listener, NULL, NULL)};
	assert_true(closer.fd >= 0);
	close(listener);
	assert_int_equal(deliver_pending(f->d), 5);

	pthread_t thread;
	assert_int_equal(pthread_create(&thread, NULL, close_later, &closer),
			 0);
	deliver_free(f->d);
	f->d = NULL;
	pthread_join(thread, NULL);
	/* Message 1's outcome was known and is reported; the queued ones are
	 * dropped without a callback. */
	assert_true(f->n_results >= 1 && f->n_results <= 5);
	assert_int_equal(f->results[0].outbox_id, 1);
	for (size_t i = 0; i < f->n_results; i++)
		assert_false(f->results[i].ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_email_arrives_intact,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_email_refused_after_data,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_email_connection_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook_after_reconfigure,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook_503, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_log_channel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_free_with_queued_messages,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
