/*
 * fetch - pprof-fetch's transfers: attempts at fetching one URL into one
 * file, run side by side in one curl multi handle.
 *
 * An attempt follows redirects itself (http or https on the same host
 * only, at most FETCH_MAX_REDIRECTS), keeps the body in memory under a
 * size cap, accepts it only when the status is 200 and prof_load takes the
 * bytes (memstats_parse, for a memstats target's text), and then writes it to a temporary file beside the output and
 * renames it into place (or, for an exclusive output, links it there, so
 * that an existing file is never replaced). Whatever fails, no file appears at the output
 * path and no temporary file stays behind. A failure is described in one
 * line and marked transient (worth a retry) or not. The schedule (slots,
 * retries, the log) is the caller's; this module never prints or exits.
 *
 *	fetch_init();
 *	fetch_parse(&f, url, err, sizeof err);	   for each URL
 *	fetch_setup(&f, owner);			   once f stays put
 *	f.file = "heap0.pprof";
 *	fetch_start(&f, fetch_clock(), err, sizeof err);
 *	loop: fetch_perform; while ((f = fetch_next_done(&r))) ...;
 *	      fetch_poll
 *	fetch_free(&f); fetch_cleanup();
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sbuf.h"

#define FETCH_MAX_REDIRECTS 3

/* Set before fetch_parse and fetch_setup. */
struct fetch_opt {
	int64_t timeout;		/* ms, per attempt (+ seconds=N) */
	int64_t connect_timeout;	/* ms */
	size_t max_size;		/* body cap, also prof_load's */
	mode_t file_mode;		/* of written files */
};

extern struct fetch_opt fetch_opt;

struct fetch {
	/* Filled by fetch_parse. */
	char *url;
	char *shown;		/* url for messages: no password */
	char *host, *host_port;	/* "127.0.0.1", "127.0.0.1:6060" */
	char *kind;		/* last path segment; "profile" is "cpu" */
	int64_t timeout;	/* ms: fetch_opt.timeout + N of seconds=N */

	/* The caller's. */
	const char *file;	/* where the next attempt writes */
	int exclusive;		/* never replace an existing file */
	int memstats;		/* the body is heap?debug=1 text, checked by
				   memstats_parse, not a profile */
	void *owner;

	/* fetch.c's own. */
	void *easy;
	char *errbuf;
	struct sbuf body;
	int64_t started, hop_started, hop_timeout;
	int redirects, over_cap, running;
};

struct fetch_result {
	int ok;			/* the file is written */
	int transient;		/* worth a retry */
	long status;		/* HTTP status, 0 when none came */
	size_t bytes;		/* body bytes received */
	int64_t started;	/* fetch_clock() at the attempt's start */
	int64_t ms;		/* how long it took */
	char err[512];		/* why not ok, one line */
};

/* Monotonic nanoseconds, the clock of every time here. */
int64_t fetch_clock(void);

/* The multi handle: 0, or -1 when libcurl cannot start. */
int fetch_init(void);
void fetch_cleanup(void);

/*
 * Checks url (http or https, with a host) and fills f's parsed fields;
 * f is zeroed first. Returns 0, or -1 and a reason in err.
 */
int fetch_parse(struct fetch *f, const char *url, char *err, size_t errlen);

/* f's easy handle, once f is at its final address. 0 or -1. */
int fetch_setup(struct fetch *f, void *owner);
void fetch_free(struct fetch *f);

/* Starts an attempt at f->url into f->file: 0, or -1 and err. */
int fetch_start(struct fetch *f, int64_t now, char *err, size_t errlen);

/* Drives the transfers without blocking: 0, or -1 and err. */
int fetch_perform(char *err, size_t errlen);

/*
 * The next attempt that ended, its result in *r; NULL when none is left.
 * An attempt that got a redirect it may follow has not ended.
 */
struct fetch *fetch_next_done(struct fetch_result *r);

/* Stops f's attempt in flight, filling *r as fetch_next_done would. */
void fetch_abort(struct fetch *f, int64_t now, struct fetch_result *r);

/*
 * Sleeps until a transfer needs attention, fd is readable, or ms pass.
 * Returns 0, or -1 and err.
 */
int fetch_poll(int fd, int ms, char *err, size_t errlen);

#endif
