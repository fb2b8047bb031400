/* fetch - see fetch.h. */
#include "fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "memstats.h"
#include "num.h"
#include "prof.h"
#include "version.h"

#define MS 1000000LL

struct fetch_opt fetch_opt = {
	30000, 5000, PROF_DEFAULT_MAX_SIZE, 0644
};

static CURLM *multi;

int64_t
fetch_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
http_scheme(const char *scheme)
{
	return strcasecmp(scheme, "http") == 0 ||
	    strcasecmp(scheme, "https") == 0;
}

/* The last path segment names the profile; Go's CPU profile is "profile". */
static char *
kind_of(const char *path)
{
	const char *s = strrchr(path, '/');

	s = s != NULL ? s + 1 : path;
	if (*s == '\0')
		s = "-";
	else if (strcmp(s, "profile") == 0)
		s = "cpu";
	return strdup(s);
}

/* N of a seconds=N query parameter, or 0. */
static int64_t
seconds_of(const char *query)
{
	const char *p = query;
	int64_t v;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, "&");

		if (n > 8 && strncmp(p, "seconds=", 8) == 0 &&
		    num_i64n(p + 8, n - 8, &v) == 0 && v > 0 && v < 1000000)
			return v;
		p = p[n] == '&' ? p + n + 1 : NULL;
	}
	return 0;
}

/*
 * The URL as messages show it: a password in it is replaced by "***"
 * (the URL is still used as given). NULL when out of memory.
 */
static char *
shown_url(CURLU *u, const char *url)
{
	CURLU *c;
	char *pw = NULL, *s = NULL, *r;

	if (curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) != CURLUE_OK)
		return strdup(url);
	curl_free(pw);
	if ((c = curl_url_dup(u)) == NULL)
		return NULL;
	if (curl_url_set(c, CURLUPART_PASSWORD, "***", 0) != CURLUE_OK ||
	    curl_url_get(c, CURLUPART_URL, &s, 0) != CURLUE_OK) {
		curl_url_cleanup(c);
		return NULL;
	}
	r = strdup(s);
	curl_free(s);
	curl_url_cleanup(c);
	return r;
}

int
fetch_parse(struct fetch *f, const char *url, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *query = NULL;
	size_t len;
	int rc = -1;

	memset(f, 0, sizeof *f);
	if (u == NULL || (f->url = strdup(url)) == NULL) {
		snprintf(err, errlen, "out of memory");
		curl_url_cleanup(u);
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) !=
	    CURLUE_OK) {
		snprintf(err, errlen, "%s: not a URL", url);
		goto out;
	}
	if ((f->shown = shown_url(u, url)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (!http_scheme(scheme)) {
		snprintf(err, errlen, "%s: only http and https URLs are "
		    "fetched", f->shown);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0') {
		snprintf(err, errlen, "%s: no host", f->shown);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	len = strlen(host) + (port != NULL ? strlen(port) + 1 : 0) + 1;
	f->host = strdup(host);
	f->host_port = malloc(len);
	f->kind = kind_of(path != NULL ? path : "");
	if (f->host == NULL || f->host_port == NULL || f->kind == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(f->host_port, len, "%s%s%s", host, port != NULL ? ":" : "",
	    port != NULL ? port : "");
	f->timeout = fetch_opt.timeout + 1000 * seconds_of(query);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	size_t len = size * n;

	if (len > fetch_opt.max_size - f->body.len) {
		f->over_cap = 1;
		return 0;
	}
	sbuf_put(&f->body, p, len);
	return f->body.oom ? 0 : len;
}

int
fetch_init(void)
{
	return (multi = curl_multi_init()) != NULL ? 0 : -1;
}

void
fetch_cleanup(void)
{
	if (multi != NULL)
		curl_multi_cleanup(multi);
	multi = NULL;
}

int
fetch_setup(struct fetch *f, void *owner)
{
	CURL *e;

	f->owner = owner;
	if ((f->errbuf = malloc(CURL_ERROR_SIZE)) == NULL ||
	    (f->easy = e = curl_easy_init()) == NULL)
		return -1;
	f->errbuf[0] = '\0';
	/* Redirects are followed by hand, to check each hop (follow()). */
	if (curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)fetch_opt.connect_timeout) ||
	    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)fetch_opt.max_size) ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, f) ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->errbuf) ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, f) ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT,
	    "pprof-fetch/" E2E_PROFILE_VERSION))
		return -1;
	return 0;
}

void
fetch_free(struct fetch *f)
{
	if (f->easy != NULL) {
		if (f->running)
			curl_multi_remove_handle(multi, f->easy);
		curl_easy_cleanup(f->easy);
	}
	free(f->errbuf);
	sbuf_free(&f->body);
	free(f->url);
	free(f->shown);
	free(f->host);
	free(f->host_port);
	free(f->kind);
	memset(f, 0, sizeof *f);
}

/* One hop of an attempt: the first, or a redirect's. */
static int
start_hop(struct fetch *f, const char *url, int64_t timeout_ms)
{
	sbuf_free(&f->body);
	f->over_cap = 0;
	f->errbuf[0] = '\0';
	f->hop_timeout = timeout_ms;
	f->hop_started = fetch_clock();
	if (curl_easy_setopt(f->easy, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS, (long)timeout_ms) !=
	    CURLE_OK || curl_multi_add_handle(multi, f->easy) != CURLM_OK)
		return -1;
	f->running = 1;
	return 0;
}

int
fetch_start(struct fetch *f, int64_t now, char *err, size_t errlen)
{
	f->started = now;
	f->redirects = 0;
	if (start_hop(f, f->url, f->timeout) != 0) {
		snprintf(err, errlen, "cannot start a transfer (out of "
		    "memory)");
		return -1;
	}
	return 0;
}

int
fetch_perform(char *err, size_t errlen)
{
	CURLMcode mc;
	int running;

	if ((mc = curl_multi_perform(multi, &running)) != CURLM_OK) {
		snprintf(err, errlen, "curl: %s", curl_multi_strerror(mc));
		return -1;
	}
	return 0;
}

int
fetch_poll(int fd, int ms, char *err, size_t errlen)
{
	struct curl_waitfd w;
	CURLMcode mc;

	w.fd = fd;
	w.events = CURL_WAIT_POLLIN;
	w.revents = 0;
	if ((mc = curl_multi_poll(multi, &w, 1, ms, NULL)) != CURLM_OK) {
		snprintf(err, errlen, "curl: %s", curl_multi_strerror(mc));
		return -1;
	}
	return 0;
}

/* Describes a failed transfer; returns 1 when it is worth a retry. */
static int
curl_reason(struct fetch *f, CURLcode res, char *err, size_t len)
{
	long oserr = 0;
	curl_off_t clen = -1;
	int64_t hop_ms = (fetch_clock() - f->hop_started) / MS;
	const char *detail = f->errbuf[0] ? f->errbuf : curl_easy_strerror(res);

	curl_easy_getinfo(f->easy, CURLINFO_OS_ERRNO, &oserr);
	switch (res) {
	case CURLE_COULDNT_CONNECT:
		snprintf(err, len, "cannot connect: %s",
		    oserr ? strerror((int)oserr) : detail);
		return 1;
	case CURLE_OPERATION_TIMEDOUT:
		/* The connect timeout is the one that fires early. */
		if (hop_ms < f->hop_timeout)
			snprintf(err, len, "cannot connect: timed out after "
			    "%lld ms", (long long)fetch_opt.connect_timeout);
		else
			snprintf(err, len, "timed out after %lld ms",
			    (long long)f->timeout);
		return 1;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		snprintf(err, len, "connection broken: %s",
		    oserr ? strerror((int)oserr) : detail);
		return 1;
	case CURLE_PARTIAL_FILE:
		curl_easy_getinfo(f->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
		    &clen);
		if (clen >= 0)
			snprintf(err, len, "truncated body: %zu of %lld bytes",
			    f->body.len, (long long)clen);
		else
			snprintf(err, len, "truncated body");
		return 1;
	case CURLE_GOT_NOTHING:
		snprintf(err, len, "connection closed without a response");
		return 1;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (f->over_cap || res == CURLE_FILESIZE_EXCEEDED)
			snprintf(err, len, "body exceeds %zu bytes (see "
			    "--max-size)", fetch_opt.max_size);
		else
			snprintf(err, len, "out of memory");
		return 0;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(err, len, "cannot resolve host %s", f->host);
		return 0;
	default:
		snprintf(err, len, "%s", detail);
		return 0;
	}
}

/* "HTTP 404: 404 page not found": the body's first line when it is text. */
static void
http_reason(const struct fetch *f, long status, char *err, size_t len)
{
	const char *s = f->body.s;
	size_t n = 0, i;

	while (n < f->body.len && n < 120 && s[n] != '\n')
		n++;
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			break;
	if (n > 0 && i == n)
		snprintf(err, len, "HTTP %ld: %.*s", status, (int)n, s);
	else
		snprintf(err, len, "HTTP %ld", status);
}

static int
is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	    status == 307 || status == 308;
}

/*
 * Goes on to the redirect's target when it is http or https on the same
 * host, within FETCH_MAX_REDIRECTS and the attempt's time. Returns 0 when
 * the transfer goes on, else -1 with r->err (and r->transient) set.
 */
static int
follow(struct fetch *f, struct fetch_result *r)
{
	char *loc = NULL, *scheme = NULL, *host = NULL;
	const char *why = NULL;
	CURLU *u;
	int64_t left;

	curl_easy_getinfo(f->easy, CURLINFO_REDIRECT_URL, &loc);
	if (loc == NULL) {
		snprintf(r->err, sizeof r->err, "HTTP %ld without a Location",
		    r->status);
		return -1;
	}
	if (f->redirects >= FETCH_MAX_REDIRECTS) {
		snprintf(r->err, sizeof r->err, "too many redirects (more "
		    "than %d)", FETCH_MAX_REDIRECTS);
		return -1;
	}
	if ((u = curl_url()) == NULL) {
		snprintf(r->err, sizeof r->err, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, loc, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) !=
	    CURLUE_OK)
		why = "a bad URL";
	else if (!http_scheme(scheme))
		why = "another protocol";
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    strcasecmp(host, f->host) != 0)
		why = "another host";
	if (why != NULL)
		snprintf(r->err, sizeof r->err, "redirect to %s refused: %s",
		    why, loc);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	if (why != NULL)
		return -1;
	left = f->timeout - (fetch_clock() - f->started) / MS;
	if (left <= 0) {
		snprintf(r->err, sizeof r->err, "timed out after %lld ms",
		    (long long)f->timeout);
		r->transient = 1;
		return -1;
	}
	f->redirects++;
	/* CURLOPT_URL copies loc before the next transfer frees it. */
	if (start_hop(f, loc, left) != 0) {
		snprintf(r->err, sizeof r->err, "cannot start a transfer "
		    "(out of memory)");
		return -1;
	}
	return 0;
}

/*
 * Writes data to a temporary file beside path and renames it to path: a
 * reader of path sees the old file or the whole new one, never a part.
 * An exclusive path is linked instead, which fails when a file is there
 * (link(2) is POSIX and atomic, unlike a check before the rename). What
 * is at path and not a regular file (a device, a FIFO) is never replaced.
 */
static int
write_atomic(const char *path, const char *data, size_t n, int exclusive,
    char *err, size_t len)
{
	struct sbuf tmp = SBUF_INIT;
	const char *slash = strrchr(path, '/'), *what = "write";
	struct stat st;
	size_t off = 0;
	int fd = -1, saved;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, len, "%s: not a regular file", path);
		return -1;
	}

	if (slash != NULL)
		sbuf_put(&tmp, path, (size_t)(slash - path) + 1);
	sbuf_putc(&tmp, '.');
	sbuf_puts(&tmp, slash != NULL ? slash + 1 : path);
	sbuf_puts(&tmp, ".XXXXXX");
	if (tmp.oom) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	if ((fd = mkstemp(tmp.s)) < 0) {
		snprintf(err, len, "%s: cannot create a temporary file: %s",
		    path, strerror(errno));
		sbuf_free(&tmp);
		return -1;
	}
	while (off < n) {
		ssize_t w = write(fd, data + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		off += (size_t)w;
	}
	what = "fchmod";
	if (fchmod(fd, fetch_opt.file_mode) != 0)
		goto fail;
	what = "fsync";
	if (fsync(fd) != 0)
		goto fail;
	what = "close";
	saved = close(fd);
	fd = -1;
	if (saved != 0)
		goto fail;
	if (exclusive) {
		if (link(tmp.s, path) != 0) {
			saved = errno;
			unlink(tmp.s);
			snprintf(err, len, "%s: %s", path, saved == EEXIST ?
			    "exists, not overwritten" : strerror(saved));
			sbuf_free(&tmp);
			return -1;
		}
		unlink(tmp.s);
		sbuf_free(&tmp);
		return 0;
	}
	what = "rename";
	if (rename(tmp.s, path) != 0)
		goto fail;
	sbuf_free(&tmp);
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp.s);
	snprintf(err, len, "%s: %s: %s", path, what, strerror(saved));
	sbuf_free(&tmp);
	return -1;
}

/*
 * A 200's body: a profile prof_load takes, or a memstats target's text
 * with a good MemStats block, then written in place.
 */
static int
accept_body(struct fetch *f, char *err, size_t len)
{
	struct memstats m;
	struct prof *p;

	if (f->body.len == 0) {
		snprintf(err, len, "empty body");
		return -1;
	}
	if (f->memstats) {
		if (memstats_parse(f->body.s, f->body.len, &m, err, len) != 0)
			return -1;
	} else {
		if (prof_load(&p, (const unsigned char *)f->body.s,
		    f->body.len, fetch_opt.max_size, err, len) != 0)
			return -1;
		prof_free(p);
	}
	return write_atomic(f->file, f->body.s, f->body.len, f->exclusive, err,
	    len);
}

/* Ends a hop: 1 when a redirect goes on, 0 when *r holds the result. */
static int
finish(struct fetch *f, CURLcode res, struct fetch_result *r)
{
	memset(r, 0, sizeof *r);
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (res != CURLE_OK)
		r->transient = curl_reason(f, res, r->err, sizeof r->err);
	else if (is_redirect(r->status)) {
		if (follow(f, r) == 0)
			return 1;
	} else if (r->status != 200) {
		http_reason(f, r->status, r->err, sizeof r->err);
		r->transient = r->status >= 500;
	} else
		r->ok = accept_body(f, r->err, sizeof r->err) == 0;
	r->bytes = f->body.len;
	r->started = f->started;
	r->ms = (fetch_clock() - f->started) / MS;
	sbuf_free(&f->body);
	return 0;
}

struct fetch *
fetch_next_done(struct fetch_result *r)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		CURLcode res = m->data.result;
		char *p = NULL;
		struct fetch *f;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &p);
		f = (struct fetch *)(void *)p;
		/* m is gone after this. */
		curl_multi_remove_handle(multi, f->easy);
		f->running = 0;
		if (finish(f, res, r) == 0)
			return f;
	}
	return NULL;
}

void
fetch_abort(struct fetch *f, int64_t now, struct fetch_result *r)
{
	memset(r, 0, sizeof *r);
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &r->status);
	curl_multi_remove_handle(multi, f->easy);
	f->running = 0;
	r->bytes = f->body.len;
	r->started = f->started;
	r->ms = (now - f->started) / MS;
	sbuf_free(&f->body);
}
