/* deliver: one worker thread sends email and webhooks with libcurl easy
 * handles, so a slow or dead server holds up only the queue behind it, never
 * the loop. Finished messages go back to the loop through an eventfd the
 * worker writes to: a plain fd event needs no thread support in libevent,
 * whose base the daemon creates without evthread. */
#include "deliver.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "mail.h"
#include "staff.h"

#define CONNECT_TIMEOUT_S 10L
#define TRANSFER_TIMEOUT_S 30L
#define REASON_MAX 256

/* The [reminders] keys a message goes out with. The worker holds a
 * reference while it sends, so deliver_reconfigure never frees settings in
 * use; refs is guarded by deliver.lock, the strings never change. */
struct settings {
	unsigned refs;
	char *smtp_url;
	char *smtp_from;
	char *smtp_user;
	char *smtp_password;
	char *webhook_url;
};

/* A copied message, then its outcome. */
struct job {
	struct job *next;
	long long outbox_id;
	enum deliver_channel channel;
	char *idempotency_key;
	char *to_email;
	char *to_name;
	char *subject;
	char *text;
	char *ics;
	char *json;
	bool ok;
	char error[REASON_MAX];
};

struct job_list {
	struct job *head;
	struct job *tail;
};

struct deliver {
	struct event_base *base;
	deliver_done_cb done;
	void *arg;
	bool curl_ready;
	int wake_fd;
	struct event *wake_event;
	/* Loop thread only. */
	size_t pending;
	bool freeing;
	/* settings is replaced on the loop thread under lock, so the loop
	 * reads it without the lock. */
	struct settings *settings;

	pthread_mutex_t lock;
	pthread_cond_t work;
	bool lock_ready;
	pthread_t worker;
	bool worker_running;
	/* Guarded by lock. */
	bool stopping;
	struct job_list queue;
	struct job_list results;
};

/* Everything a transfer reports besides its CURLcode. */
struct transfer {
	char curl_error[CURL_ERROR_SIZE];
	char last_reply[REASON_MAX];
	const char *upload;
	size_t upload_len;
	size_t upload_off;
};

/* ---- settings and jobs ---- */

/* Copies text, or stores NULL for NULL and "" (an empty key means unset).
 * 0, or -1 when out of memory. */
static int copy_setting(char **out, const char *text)
{
	*out = NULL;
	if (!text || !*text)
		return 0;
	*out = strdup(text);
	return *out ? 0 : -1;
}

static void settings_unref(struct settings *s)
{
	if (!s || --s->refs > 0)
		return;
	free(s->smtp_url);
	free(s->smtp_from);
	free(s->smtp_user);
	free(s->smtp_password);
	free(s->webhook_url);
	free(s);
}

static struct settings *settings_new(const struct config *cfg)
{
	struct settings *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->refs = 1;
	if (copy_setting(&s->smtp_url, cfg->smtp_url) ||
	    copy_setting(&s->smtp_from, cfg->smtp_from) ||
	    copy_setting(&s->smtp_user, cfg->smtp_user) ||
	    copy_setting(&s->smtp_password, cfg->smtp_password) ||
	    copy_setting(&s->webhook_url, cfg->webhook_url)) {
		settings_unref(s);
		return NULL;
	}
	return s;
}

static void job_free(struct job *job)
{
	if (!job)
		return;
	free(job->idempotency_key);
	free(job->to_email);
	free(job->to_name);
	free(job->subject);
	free(job->text);
	free(job->ics);
	free(job->json);
	free(job);
}

static int copy_field(char **out, const char *text)
{
	*out = NULL;
	if (!text)
		return 0;
	*out = strdup(text);
	return *out ? 0 : -1;
}

static struct job *job_new(const struct deliver_message *msg)
{
	struct job *job = calloc(1, sizeof(*job));
	if (!job)
		return NULL;
	job->outbox_id = msg->outbox_id;
	job->channel = msg->channel;
	if (copy_field(&job->idempotency_key, msg->idempotency_key) ||
	    copy_field(&job->to_email, msg->to_email) ||
	    copy_field(&job->to_name, msg->to_name) ||
	    copy_field(&job->subject, msg->subject) ||
	    copy_field(&job->text, msg->text) ||
	    copy_field(&job->ics, msg->ics) ||
	    copy_field(&job->json, msg->json)) {
		job_free(job);
		return NULL;
	}
	return job;
}

static void list_push(struct job_list *list, struct job *job)
{
	job->next = NULL;
	if (list->tail)
		list->tail->next = job;
	else
		list->head = job;
	list->tail = job;
}

static struct job *list_pop(struct job_list *list)
{
	struct job *job = list->head;
	if (job) {
		list->head = job->next;
		if (!list->head)
			list->tail = NULL;
		job->next = NULL;
	}
	return job;
}

static void list_free(struct job_list *list)
{
	struct job *job;
	while ((job = list_pop(list)))
		job_free(job);
}

static void fail(struct job *job, const char *fmt, ...) QA_PRINTF(2, 3);
static void fail(struct job *job, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(job->error, sizeof(job->error), fmt, ap);
	va_end(ap);
	job->ok = false;
}

static const char *channel_name(enum deliver_channel channel)
{
	switch (channel) {
	case DELIVER_EMAIL:
		return "email";
	case DELIVER_WEBHOOK:
		return "webhook";
	case DELIVER_LOG:
		return "log";
	}
	return "unknown channel";
}

/* Message-ID wants a dot-atom (RFC 5322 3.6.4): atext and single inner
 * dots. The same key goes into Idempotency-Key, where it must not carry CR
 * or LF either, so one rule serves both. */
static bool key_valid(const char *key)
{
	if (!key || !*key || strlen(key) > 200 || key[0] == '.' ||
	    key[strlen(key) - 1] == '.' || strstr(key, ".."))
		return false;
	for (const char *c = key; *c; c++) {
		unsigned char byte = (unsigned char)*c;
		bool alnum = (byte >= 'a' && byte <= 'z') ||
			     (byte >= 'A' && byte <= 'Z') ||
			     (byte >= '0' && byte <= '9');
		if (!alnum && !strchr("!#$%&'*+-/=?^_`{|}~.", byte))
			return false;
	}
	return true;
}

/* ---- transfers (worker thread) ---- */

static size_t read_upload(char *buffer, size_t size, size_t nitems, void *arg)
{
	struct transfer *t = arg;
	size_t room = size * nitems;
	size_t left = t->upload_len - t->upload_off;
	size_t n = left < room ? left : room;
	memcpy(buffer, t->upload + t->upload_off, n);
	t->upload_off += n;
	return n;
}

/* Without it libcurl writes a response body to stdout, which the daemon
 * keeps clean. */
static size_t discard_body(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data;
	(void)arg;
	return size * nmemb;
}

/* Keeps the server's last reply line: libcurl's own message for a refused
 * DATA is only "Weird server reply", and the server's words ("550 mailbox
 * unavailable") are what a person can act on. */
static int keep_reply(CURL *curl, curl_infotype type, char *data, size_t size,
		      void *arg)
{
	(void)curl;
	struct transfer *t = arg;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r'))
		size--;
	if (size >= sizeof(t->last_reply))
		size = sizeof(t->last_reply) - 1;
	for (size_t i = 0; i < size; i++) {
		unsigned char byte = (unsigned char)data[i];
		t->last_reply[i] = byte < 0x20 || byte == 0x7f ? ' ' : data[i];
	}
	t->last_reply[size] = '\0';
	return 0;
}

static CURL *transfer_start(struct transfer *t, const char *protocols)
{
	CURL *curl = curl_easy_init();
	if (!curl)
		return NULL;
	/* NOSIGNAL: we are not the main thread; the threaded resolver keeps
	 * DNS within the timeouts without SIGALRM. The protocol list keeps a
	 * configured URL from reaching file:// or anything else. */
	if (curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S) !=
		    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_TIMEOUT, TRANSFER_TIMEOUT_S) !=
		    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, t->curl_error) !=
		    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols) !=
		    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body) !=
		    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_USERAGENT,
			     "qa-scheduler/" QA_VERSION) != CURLE_OK) {
		curl_easy_cleanup(curl);
		return NULL;
	}
	return curl;
}

/* A short reason for a failed transfer: the server's refusal when there was
 * one, else libcurl's message with the system's ("Connection refused"). */
static void transfer_failed(struct job *job, CURL *curl, CURLcode rc,
			    const struct transfer *t, bool smtp)
{
	long code = 0;
	long os_errno = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
	if (smtp && code >= 400 && t->last_reply[0]) {
		fail(job, "SMTP server refused: %s", t->last_reply);
		return;
	}
	const char *what =
		t->curl_error[0] ? t->curl_error : curl_easy_strerror(rc);
	if (os_errno) {
		char buf[128];
		fail(job, "%s (%s)", what,
		     strerror_r((int)os_errno, buf, sizeof(buf)));
	} else {
		fail(job, "%s", what);
	}
}

static void send_email(const struct settings *s, struct job *job)
{
	struct transfer t = {0};
	char *message = NULL;
	struct curl_slist *recipients = NULL;
	CURL *curl = NULL;

	if (!s->smtp_url || !s->smtp_from) {
		fail(job, "email is not configured: set [reminders] smtp_url "
			  "and from");
		goto out;
	}
	/* The address goes into RCPT TO as it is: a CR or LF in it would
	 * smuggle SMTP commands. */
	if (!staff_email_valid(job->to_email)) {
		fail(job, "recipient address \"%s\" is not a valid address",
		     job->to_email ? job->to_email : "");
		goto out;
	}
	if (!key_valid(job->idempotency_key)) {
		fail(job,
		     "idempotency key \"%s\" cannot be a Message-ID: use "
		     "letters, digits and . _ -",
		     job->idempotency_key ? job->idempotency_key : "");
		goto out;
	}
	struct mail mail = {.from = s->smtp_from,
			    .to_name = job->to_name,
			    .to_email = job->to_email,
			    .subject = job->subject,
			    .message_id = job->idempotency_key,
			    .text = job->text,
			    .ics = job->ics};
	if (mail_build(&mail, time(NULL), &message, &t.upload_len) != 0) {
		fail(job, "out of memory building the message");
		goto out;
	}
	t.upload = message;
	recipients = curl_slist_append(NULL, job->to_email);
	curl = transfer_start(&t, "smtp,smtps");
	if (!recipients || !curl) {
		fail(job, "cannot set up the SMTP transfer: out of memory");
		goto out;
	}
	/* STARTTLS whenever the server offers it; required when we log in,
	 * so a man in the middle stripping the offer never sees the password;
	 * smtps:// is TLS from the start. VERBOSE only feeds keep_reply,
	 * which prints nothing. */
	if (curl_easy_setopt(curl, CURLOPT_URL, s->smtp_url) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, s->smtp_from) !=
		    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_USE_SSL,
			     s->smtp_user && *s->smtp_user
				     ? (long)CURLUSESSL_ALL
				     : (long)CURLUSESSL_TRY) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
			     (curl_off_t)t.upload_len) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload) !=
		    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_READDATA, &t) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, keep_reply) !=
		    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &t) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L) != CURLE_OK ||
	    (s->smtp_user && curl_easy_setopt(curl, CURLOPT_USERNAME,
					      s->smtp_user) != CURLE_OK) ||
	    (s->smtp_password &&
	     curl_easy_setopt(curl, CURLOPT_PASSWORD, s->smtp_password) !=
		     CURLE_OK)) {
		fail(job, "cannot set up the SMTP transfer: out of memory");
		goto out;
	}
	/* CURLE_OK only after the server's 250 to the end of DATA. */
	CURLcode rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		transfer_failed(job, curl, rc, &t, true);
		goto out;
	}
	job->ok = true;
out:
	curl_easy_cleanup(curl);
	curl_slist_free_all(recipients);
	free(message);
}

static void send_webhook(const struct settings *s, struct job *job)
{
	struct transfer t = {0};
	struct curl_slist *headers = NULL;
	char *key_header = NULL;
	CURL *curl = NULL;

	if (!s->webhook_url) {
		fail(job, "the webhook is not configured: set [reminders] "
			  "webhook_url");
		goto out;
	}
	if (!key_valid(job->idempotency_key)) {
		fail(job,
		     "idempotency key \"%s\" cannot be sent: use letters, "
		     "digits and . _ -",
		     job->idempotency_key ? job->idempotency_key : "");
		goto out;
	}
	if (!job->json) {
		fail(job, "no JSON body to post");
		goto out;
	}
	if (asprintf(&key_header, "Idempotency-Key: %s", job->idempotency_key) <
	    0) {
		key_header = NULL;
		fail(job, "out of memory building the request");
		goto out;
	}
	/* "Expect:" drops the 100-continue libcurl asks for on bodies over
	 * 1 KB, a wait of a second with servers that never answer it. */
	struct curl_slist *grown;
	const char *lines[] = {"Content-Type: application/json", key_header,
			       "Expect:"};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		grown = curl_slist_append(headers, lines[i]);
		if (!grown) {
			fail(job, "out of memory building the request");
			goto out;
		}
		headers = grown;
	}
	curl = transfer_start(&t, "http,https");
	if (!curl ||
	    curl_easy_setopt(curl, CURLOPT_URL, s->webhook_url) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
			     (curl_off_t)strlen(job->json)) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, job->json) != CURLE_OK) {
		fail(job, "cannot set up the webhook request: out of memory");
		goto out;
	}
	CURLcode rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		transfer_failed(job, curl, rc, &t, false);
		goto out;
	}
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	/* Redirects are not followed: a 3xx fails too, visibly. */
	if (status < 200 || status > 299) {
		fail(job, "HTTP %ld", status);
		goto out;
	}
	job->ok = true;
out:
	curl_easy_cleanup(curl);
	curl_slist_free_all(headers);
	free(key_header);
}

static void send_job(const struct settings *s, struct job *job)
{
	switch (job->channel) {
	case DELIVER_EMAIL:
		send_email(s, job);
		break;
	case DELIVER_WEBHOOK:
		send_webhook(s, job);
		break;
	case DELIVER_LOG:
		/* Never queued: deliver_submit writes it. */
		job->ok = true;
		break;
	default:
		fail(job, "unknown channel %d", (int)job->channel);
		break;
	}
	if (job->ok)
		log_debug("deliver: %s for outbox %lld sent",
			  channel_name(job->channel), job->outbox_id);
	else if (job->channel == DELIVER_EMAIL)
		/* The caller retries with back-off; this says why. */
		log_warn("deliver: email for outbox %lld to %s failed: %s",
			 job->outbox_id, job->to_email ? job->to_email : "",
			 job->error);
	else
		log_warn("deliver: %s for outbox %lld failed: %s",
			 channel_name(job->channel), job->outbox_id,
			 job->error);
}

/* Called with lock held. A full counter (it cannot fill in practice)
 * already wakes the loop, so EAGAIN is no loss. */
static void wake_loop(struct deliver *d)
{
	uint64_t one = 1;
	ssize_t written;
	do
		written = write(d->wake_fd, &one, sizeof(one));
	while (written < 0 && errno == EINTR);
}

static void *worker_main(void *arg)
{
	struct deliver *d = arg;
	pthread_mutex_lock(&d->lock);
	for (;;) {
		while (!d->stopping && !d->queue.head)
			pthread_cond_wait(&d->work, &d->lock);
		if (d->stopping)
			break;
		struct job *job = list_pop(&d->queue);
		struct settings *s = d->settings;
		s->refs++;
		pthread_mutex_unlock(&d->lock);

		send_job(s, job);

		pthread_mutex_lock(&d->lock);
		settings_unref(s);
		list_push(&d->results, job);
		wake_loop(d);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* ---- the loop side ---- */

/* Runs done for every finished message. The lock is not held around done,
 * which may submit again. */
static void report_results(struct deliver *d)
{
	for (;;) {
		pthread_mutex_lock(&d->lock);
		struct job *job = list_pop(&d->results);
		pthread_mutex_unlock(&d->lock);
		if (!job)
			break;
		d->pending--;
		d->done(job->outbox_id, job->ok, job->ok ? NULL : job->error,
			d->arg);
		job_free(job);
	}
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	uint64_t count;
	/* Nonblocking: EAGAIN only means another wake-up drained it. */
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN &&
	    errno != EINTR)
		log_warn("deliver: cannot read the wake-up eventfd: %s",
			 strerror(errno));
	report_results(arg);
}

/* Frees what deliver_new may have built, part-way or whole; the worker
 * must be stopped. */
static void deliver_destroy(struct deliver *d)
{
	list_free(&d->queue);
	list_free(&d->results);
	settings_unref(d->settings);
	if (d->wake_event)
		event_free(d->wake_event);
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	if (d->lock_ready) {
		pthread_cond_destroy(&d->work);
		pthread_mutex_destroy(&d->lock);
	}
	if (d->curl_ready)
		curl_global_cleanup();
	free(d);
}

struct deliver *deliver_new(struct event_base *base, const struct config *cfg,
			    deliver_done_cb done, void *arg)
{
	struct deliver *d = calloc(1, sizeof(*d));
	if (!d) {
		log_err("deliver: out of memory");
		return NULL;
	}
	d->base = base;
	d->done = done;
	d->arg = arg;
	d->wake_fd = -1;
	bool ok = false;

	CURLcode curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (curl_rc != CURLE_OK) {
		log_err("deliver: cannot initialise libcurl: %s",
			curl_easy_strerror(curl_rc));
		goto out;
	}
	d->curl_ready = true;
	d->settings = settings_new(cfg);
	if (!d->settings) {
		log_err("deliver: out of memory copying [reminders]");
		goto out;
	}
	d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->wake_fd < 0) {
		log_err("deliver: eventfd: %s", strerror(errno));
		goto out;
	}
	d->wake_event =
		event_new(base, d->wake_fd, EV_READ | EV_PERSIST, on_wake, d);
	if (!d->wake_event || event_add(d->wake_event, NULL) != 0) {
		log_err("deliver: cannot add the wake-up event to the loop");
		goto out;
	}
	if (pthread_mutex_init(&d->lock, NULL) != 0)
		goto out;
	if (pthread_cond_init(&d->work, NULL) != 0) {
		pthread_mutex_destroy(&d->lock);
		goto out;
	}
	d->lock_ready = true;

	/* Signals stay with the loop thread, which handles them through
	 * libevent; a SIGPIPE from a TLS write then stays pending here, not
	 * fatal. Faults are left deliverable. */
	sigset_t all, old;
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = pthread_create(&d->worker, NULL, worker_main, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		log_err("deliver: cannot start the worker thread: %s",
			strerror(err));
		goto out;
	}
	d->worker_running = true;
	ok = true;
out:
	if (!ok) {
		deliver_destroy(d);
		d = NULL;
	}
	return d;
}

void deliver_reconfigure(struct deliver *d, const struct config *cfg)
{
	struct settings *fresh = settings_new(cfg);
	if (!fresh) {
		log_err("deliver: out of memory copying [reminders]; "
			"reminders keep the previous settings");
		return;
	}
	pthread_mutex_lock(&d->lock);
	struct settings *old = d->settings;
	d->settings = fresh;
	settings_unref(old);
	pthread_mutex_unlock(&d->lock);
}

bool deliver_has_channel(const struct deliver *d, enum deliver_channel ch)
{
	switch (ch) {
	case DELIVER_EMAIL:
		return d->settings->smtp_url && d->settings->smtp_from;
	case DELIVER_WEBHOOK:
		return d->settings->webhook_url != NULL;
	case DELIVER_LOG:
		return true;
	}
	return false;
}

int deliver_submit(struct deliver *d, const struct deliver_message *msg)
{
	if (d->freeing) {
		log_err("deliver: outbox %lld submitted while stopping; it "
			"stays pending",
			msg->outbox_id);
		return -1;
	}
	struct job *job = job_new(msg);
	if (!job) {
		log_err("deliver: out of memory queueing outbox %lld",
			msg->outbox_id);
		return -1;
	}
	d->pending++;
	if (job->channel == DELIVER_LOG) {
		const char *name = job->to_name ? job->to_name : "";
		log_info("reminder: to %s%s<%s>: %s", name, *name ? " " : "",
			 job->to_email ? job->to_email : "",
			 job->subject ? job->subject : "");
		job->ok = true;
		/* Reported from the loop like the others, so the caller never
		 * sees its callback inside its own deliver_submit. */
		pthread_mutex_lock(&d->lock);
		list_push(&d->results, job);
		wake_loop(d);
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	pthread_mutex_lock(&d->lock);
	list_push(&d->queue, job);
	pthread_cond_signal(&d->work);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

size_t deliver_pending(const struct deliver *d)
{
	return d->pending;
}

void deliver_free(struct deliver *d)
{
	if (!d)
		return;
	d->freeing = true;
	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	pthread_cond_signal(&d->work);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->worker, NULL);
	/* An outcome already known is reported, so a message the server took
	 * is recorded and not sent again after a restart. */
	report_results(d);
	deliver_destroy(d);
}
