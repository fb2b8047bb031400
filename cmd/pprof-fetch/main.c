/*
 * pprof-fetch - collect pprof profiles over HTTP, once or on a fixed
 * schedule, and log every attempt as one TSV line.
 *
 * A target is a URL and an output file, or a pattern numbered by slot.
 * Slot k of every target starts at t0 + k*every on the monotonic clock, so
 * a slow fetch never shifts the grid; a slot that finds its target's
 * previous fetch still running is logged as skipped. SIGUSR1 starts the
 * next slot now and moves the grid to it (a phase of the test began: its
 * first profile is taken at once, and the slots after it keep their
 * spacing), each target it starts logged with a `mark` line first; a
 * target still busy takes that slot when its fetch ends instead. A
 * target may take part in every Nth slot only (seq divisible by N). All
 * transfers share
 * one curl multi handle, so a CPU profile that blocks for its window never
 * delays the heap profiles beside it. The transfer itself (curl options,
 * redirects, validation, the atomic write) is fetch.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <curl/curl.h>

#include "esc.h"
#include "fetch.h"
#include "msg.h"
#include "num.h"
#include "prof.h"
#include "sbuf.h"
#include "version.h"

#define NS 1000000000LL
#define MS 1000000LL
#define MIN_EVERY (NS / 100)
#define BACKOFF_FIRST (250 * MS)
#define BACKOFF_MAX (8 * NS)

enum { O_OK, O_ERROR, O_SKIPPED, O_ABORTED, O_RETRY, O_MARK, NOUTCOMES };
enum { T_IDLE, T_RUNNING, T_WAITING, T_DONE };
enum { END_NONE, END_COUNT, END_SIGNAL, END_GIVEN_UP };

static const char *const outcome_name[NOUTCOMES] = {
	"ok", "error", "skipped", "aborted", "retry", "mark"
};

static const char *const end_name[] = {
	"-", "count", "signal", "max-failures"
};

struct target {
	char *name, *kind;
	char *pattern;		/* %d is the sequence, unless literal */
	char *ctx;		/* "FILE:LINE" of its definition, or "-o" */
	int literal;
	int64_t nth;		/* takes part in slots whose seq % nth is 0 */
	int state;		/* T_* */
	int end;		/* END_*: why it stopped */
	int attempt;		/* in the slot in progress, from 1 */
	int64_t seq;		/* its number (seq_start + slot) in progress,
				   or the last one */
	int64_t deadline;	/* a retry must start before: the next slot */
	int64_t retry_at;
	int64_t failures;	/* slots in a row that ended in error */
	int64_t deferred;	/* a marked slot waiting for the fetch in
				   flight to end, or -1 */
	int64_t n[NOUTCOMES];	/* lines logged per outcome */
	char *file;		/* the slot's output */
	struct fetch f;
};

static int64_t every;		/* ns between slots; 0: one round */
static int64_t count;		/* slots to run */
static int64_t max_failures;	/* 0: never give up */
static int64_t seq_start;	/* the number of slot 0 (--seq-start) */
static int retries = 3;
static int no_clobber;		/* -o: never replace an existing file */

static struct target *targets;
static size_t ntargets;
static int64_t t0;		/* monotonic ns of slot 0, moved by SIGUSR1 */
static int64_t marked = -1;	/* the slot SIGUSR1 made due, until it starts */
static int64_t mono0;		/* monotonic ns at the start */
static struct timespec wall0;	/* the real-time clock at mono0 */
static const char *note_file;	/* --note-file: the mark lines' text */
static int stdout_err;
static pid_t parent;		/* under --every: stop when it is gone */
static int orphaned;
static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t got_usr1;
static int sigfd[2] = { -1, -1 };

static void die_at(const char *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
static void usage(void);

/*
 * Log times are the start's wall clock plus monotonic time since: differences
 * between lines are exact even when the system clock is stepped.
 */
static void
format_time(char *buf, size_t len, int64_t mono)
{
	int64_t ns = (int64_t)wall0.tv_sec * NS + wall0.tv_nsec + (mono - mono0);
	time_t sec = (time_t)(ns / NS);
	struct tm tm;
	size_t n;

	if (gmtime_r(&sec, &tm) == NULL ||
	    (n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf + n, len - n, ".%03dZ", (int)(ns % NS / MS));
}

static void
log_line(struct target *t, int64_t when, int outcome, long status,
    size_t bytes, int64_t ms, const char *text)
{
	struct sbuf b = SBUF_INIT;
	char ts[48];

	format_time(ts, sizeof ts, when);
	sbuf_puts(&b, ts);
	sbuf_putc(&b, '\t');
	esc_meta(&b, t->name);
	sbuf_putc(&b, '\t');
	esc_meta(&b, t->kind);
	sbuf_printf(&b, "\t%lld\t%s\t%ld\t%zu\t%lld\t", (long long)t->seq,
	    outcome_name[outcome], status, bytes, (long long)ms);
	esc_meta(&b, text);
	sbuf_putc(&b, '\n');
	if (b.oom)
		msg_die(1, "out of memory");
	/* One line at a time: the wrapper may be reading the log live. */
	if (fwrite(b.s, 1, b.len, stdout) != b.len || fflush(stdout) != 0)
		stdout_err = 1;
	sbuf_free(&b);
	t->n[outcome]++;
}

static void
die_at(const char *ctx, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (ctx != NULL)
		msg_die(2, "%s: %s", ctx, buf);
	msg_die(2, "%s", buf);
}

/* Seconds (decimals allowed) to ns, at least min; dies on a bad value. */
static int64_t
parse_seconds(const char *opt, const char *s, int64_t min)
{
	double v;

	if (num_double(s, &v) != 0 || !(v >= 0) || v > 1e6)
		die_at(opt, "not a number of seconds: %s", s);
	if ((int64_t)llround(v * NS) < min)
		die_at(opt, "must be at least %g seconds: %s",
		    (double)min / NS, s);
	return (int64_t)llround(v * NS);
}

static int64_t
parse_count(const char *opt, const char *s, int64_t min, int64_t max)
{
	int64_t v;

	if (num_i64(s, &v) != 0 || v < min || v > max)
		die_at(opt, "not a whole number from %lld to %lld: %s",
		    (long long)min, (long long)max, s);
	return v;
}

/*
 * A pattern holds one %d (the sequence number) in its last component;
 * %% is a literal percent sign, any other % directive is refused.
 */
static void
check_pattern(const char *ctx, const char *p)
{
	const char *s, *slash = strrchr(p, '/');
	int n = 0;

	for (s = p; *s != '\0'; s++) {
		if (*s != '%')
			continue;
		if (s[1] == '%') {
			s++;
			continue;
		}
		if (s[1] != 'd')
			die_at(ctx, "%s: unknown directive %%%.1s (only %%d "
			    "and %%%% are known)", p, s + 1);
		if (slash != NULL && s < slash)
			die_at(ctx, "%s: %%d must be in the file name, not in "
			    "a directory", p);
		n++;
		s++;
	}
	if (n != 1)
		die_at(ctx, "%s: the output pattern needs exactly one %%d for "
		    "the sequence number", p);
}

/*
 * The output's directory must exist and take a new file (tried, not
 * guessed: root passes access(2) everywhere), and the output must not be
 * a directory itself, nor anything else that is not a regular file (a
 * device, a FIFO, a symlink to one): the rename would replace it.
 */
static void
check_dir(const char *ctx, const char *file)
{
	const char *slash = strrchr(file, '/');
	struct sbuf d = SBUF_INIT;
	struct stat st;
	int fd;

	if (*file == '\0' || (slash != NULL && slash[1] == '\0') ||
	    (stat(file, &st) == 0 && S_ISDIR(st.st_mode)))
		die_at(ctx, "%s: %s", file, strerror(EISDIR));
	if (stat(file, &st) == 0 && !S_ISREG(st.st_mode))
		die_at(ctx, "%s: not a regular file", file);
	if (slash == NULL)
		sbuf_puts(&d, ".");
	else
		sbuf_put(&d, file, slash == file ? 1 : (size_t)(slash - file));
	if (d.oom)
		msg_die(1, "out of memory");
	if (stat(d.s, &st) != 0)
		die_at(ctx, "%s: %s", d.s, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die_at(ctx, "%s: %s", d.s, strerror(ENOTDIR));
	sbuf_puts(&d, "/.pprof-fetch-probe.XXXXXX");
	if (d.oom)
		msg_die(1, "out of memory");
	if ((fd = mkstemp(d.s)) < 0) {
		d.s[d.len - sizeof "/.pprof-fetch-probe.XXXXXX" + 1] = '\0';
		die_at(ctx, "%s: %s", d.s, strerror(errno));
	}
	close(fd);
	unlink(d.s);
	sbuf_free(&d);
}

/* The pattern with %d replaced by seq and %% by %, or a literal copy. */
static char *
expand(const struct target *t, int64_t seq)
{
	struct sbuf b = SBUF_INIT;
	const char *p;

	for (p = t->pattern; *p != '\0'; p++) {
		if (*p == '%' && !t->literal && p[1] == 'd') {
			sbuf_i64(&b, seq);
			p++;
		} else if (*p == '%' && !t->literal && p[1] == '%') {
			sbuf_putc(&b, '%');
			p++;
		} else
			sbuf_putc(&b, *p);
	}
	if (b.oom || b.s == NULL)
		msg_die(1, "out of memory");
	return b.s;
}

/*
 * Adds a target; ctx is "FILE:LINE", or NULL for -o, and name and kind
 * may be NULL (from the URL). Dies, exit 2, on anything wrong with it.
 */
static void
add_target(const char *ctx, const char *name, const char *url,
    const char *pattern, const char *kind, int64_t nth, int literal)
{
	struct target *t, *nt;
	char err[512];
	size_t i;

	nt = realloc(targets, (ntargets + 1) * sizeof *targets);
	if (nt == NULL)
		msg_die(1, "out of memory");
	targets = nt;
	t = &targets[ntargets];
	memset(t, 0, sizeof *t);
	if (fetch_parse(&t->f, url, err, sizeof err) != 0)
		die_at(ctx, "%s", err);
	t->name = xstrdup(name != NULL ? name : t->f.host_port);
	t->kind = xstrdup(kind != NULL ? kind : t->f.kind);
	t->pattern = xstrdup(pattern);
	t->ctx = xstrdup(ctx != NULL ? ctx : "-o");
	t->literal = literal;
	t->nth = nth;
	t->deferred = -1;
	t->f.memstats = strcmp(t->kind, "memstats") == 0;
	t->f.exclusive = !literal || no_clobber;
	t->seq = -1;
	if (!literal)
		check_pattern(ctx, pattern);
	for (i = 0; i < ntargets; i++) {
		if (strcmp(targets[i].name, t->name) == 0 &&
		    strcmp(targets[i].kind, t->kind) == 0)
			die_at(ctx, "target %s %s given twice (also at %s)",
			    t->name, t->kind, targets[i].ctx);
		if (strcmp(targets[i].pattern, t->pattern) == 0)
			die_at(ctx, "output %s given twice (also at %s)",
			    t->pattern, targets[i].ctx);
	}
	ntargets++;
	t->file = expand(t, 0);
	check_dir(ctx, t->file);
	free(t->file);
	t->file = NULL;
}

static void
free_targets(void)
{
	size_t i;

	for (i = 0; i < ntargets; i++) {
		fetch_free(&targets[i].f);
		free(targets[i].name);
		free(targets[i].kind);
		free(targets[i].pattern);
		free(targets[i].ctx);
		free(targets[i].file);
	}
	free(targets);
}

/* Splits line at tabs into at most max fields; returns how many. */
static int
split(char *line, char **f, int max)
{
	int n = 0;

	for (;;) {
		char *tab = strchr(line, '\t');

		if (n < max)
			f[n] = line;
		n++;
		if (tab == NULL)
			return n;
		*tab = '\0';
		line = tab + 1;
	}
}

static void
read_targets(const char *path)
{
	static const char *const what[] = { "name", "URL", "pattern", "kind",
		"every" };
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL, *f[5], ctx[1024];
	int64_t nth;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int n, i;

	if (fp == NULL)
		die_at(name, "%s", strerror(errno));
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		/* A file written on Windows: the CR is no part of the pattern. */
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		snprintf(ctx, sizeof ctx, "%s:%zu", name, lineno);
		if ((n = split(line, f, 5)) < 3 || n > 5)
			die_at(ctx, "expected 3 to 5 fields (name, URL, "
			    "pattern[, kind[, every]]), got %d", n);
		for (i = 0; i < n; i++)
			if (*f[i] == '\0')
				die_at(ctx, "empty %s", what[i]);
		nth = n == 5 ? parse_count(ctx, f[4], 1, INT64_MAX / 2) : 1;
		if (nth > 1 && every == 0)
			die_at(ctx, "every %lld slots needs --every",
			    (long long)nth);
		add_target(ctx, f[0], f[1], f[2], n >= 4 ? f[3] : NULL, nth,
		    0);
	}
	if (ferror(fp))
		msg_die(1, "%s: %s", name, strerror(errno));
	if (fp != stdin)
		fclose(fp);
	free(line);
	if (ntargets == 0)
		die_at(name, "no targets");
}

static void
on_signal(int sig)
{
	int saved = errno;
	char c = 0;

	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_signal = sig;
	/* Wakes curl_multi_poll, which watches the pipe's other end. */
	if (write(sigfd[1], &c, 1) < 0) {
		/* The pipe is full: a wake-up is already pending. */
	}
	errno = saved;
}

static void
catch_signals(void)
{
	struct sigaction sa;
	int i;

	if (pipe(sigfd) != 0)
		msg_die(1, "pipe: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		fcntl(sigfd[i], F_SETFL, fcntl(sigfd[i], F_GETFL) | O_NONBLOCK);
		fcntl(sigfd[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	/* Even when started ignoring SIGINT, as sh starts a job with &. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * A schedule runs for as long as the process that started it: one killed
 * with SIGKILL cannot stop it, and a collector without its wrapper would
 * write profiles forever. Linux sends SIGTERM when the parent dies; the
 * loop also compares getppid() at every wake-up (at least once a second),
 * which covers the other systems and a parent gone before the prctl.
 */
static void
watch_parent(void)
{
	parent = getppid();
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static int64_t
slot_time(int64_t k)
{
	return t0 + k * every;
}

/* The wait before retry n of a slot: 0.25 s, doubling, at most 8 s. */
static int64_t
backoff(int n)
{
	int64_t d = BACKOFF_FIRST;

	while (--n > 0 && d < BACKOFF_MAX)
		d *= 2;
	return d < BACKOFF_MAX ? d : BACKOFF_MAX;
}

/*
 * A slot that failed; in one round (a single fetch, as curl's) the reason
 * is also said on stderr, where a user looks first.
 */
static void
log_error(struct target *t, int64_t when, long status, size_t bytes,
    int64_t ms, const char *why)
{
	log_line(t, when, O_ERROR, status, bytes, ms, why);
	if (every == 0)
		msg_warn("%s: %s", t->f.shown, why);
}

static void
attempt(struct target *t, int64_t now)
{
	char err[256];

	t->attempt++;
	t->state = T_RUNNING;
	if (fetch_start(&t->f, now, err, sizeof err) == 0)
		return;
	/* Nothing is in flight: the slot ends here. */
	log_error(t, now, 0, 0, 0, err);
	t->state = T_IDLE;
}

/* Every target still in the run starts slot k, or logs it skipped. */
/* Slot k begins for t: its first attempt. */
static void
begin_slot(struct target *t, int64_t k, int64_t now)
{
	t->seq = seq_start + k;
	t->attempt = 0;
	t->deadline = every > 0 ? slot_time(k + 1) : INT64_MAX;
	free(t->file);
	t->f.file = t->file = expand(t, t->seq);
	attempt(t, now);
}

/* A deferred slot that never began: skipped, as any slot in flight's. */
static void
drop_deferred(struct target *t, int64_t now)
{
	char why[128];
	int64_t prev = t->seq;

	if (t->deferred < 0)
		return;
	snprintf(why, sizeof why, "seq %lld still in flight until the next "
	    "slot", (long long)prev);
	t->seq = seq_start + t->deferred;
	log_line(t, now, O_SKIPPED, 0, 0, 0, why);
	t->seq = prev;
	t->deferred = -1;
}

/*
 * Slot k is due. A target whose previous fetch is still in flight skips
 * it, except the slot SIGUSR1 marked: a phase's first profile is worth
 * waiting for, so that slot begins as soon as the fetch ends (before the
 * next slot, else it is skipped then).
 */
static void
start_slot(int64_t k, int64_t now, int late)
{
	char why[128];
	size_t i;

	for (i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];
		int64_t prev = t->seq;

		if (t->state == T_DONE || (seq_start + k) % t->nth != 0)
			continue;
		drop_deferred(t, now);
		if (t->state != T_IDLE && !late && k == marked) {
			t->deferred = k;
			continue;
		}
		if (t->state != T_IDLE || late) {
			if (late)
				snprintf(why, sizeof why, "slot missed: the "
				    "collector was %lld ms late",
				    (long long)((now - slot_time(k)) / MS));
			else
				snprintf(why, sizeof why, "seq %lld still in "
				    "flight", (long long)prev);
			t->seq = seq_start + k;
			log_line(t, now, O_SKIPPED, 0, 0, 0, why);
			t->seq = prev;
			continue;
		}
		begin_slot(t, k, now);
	}
	if (k == marked)
		marked = -1;
}

/* The deferred slots whose fetch in flight has ended begin now. */
static void
start_deferred(int64_t now)
{
	size_t i;

	for (i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];
		int64_t k = t->deferred;

		if (k >= 0 && t->state == T_DONE)
			drop_deferred(t, now);
		if (k < 0 || t->state != T_IDLE)
			continue;
		t->deferred = -1;
		begin_slot(t, k, now);
	}
}

static void
failed(struct target *t)
{
	if (max_failures == 0 || ++t->failures < max_failures)
		return;
	t->state = T_DONE;
	t->end = END_GIVEN_UP;
	msg_warn("%s %s: giving up after %lld failed slots in a row", t->name,
	    t->kind, (long long)t->failures);
}

/*
 * An attempt ended: the slot is ok, failed, or (a transient failure, with
 * retries left and time before the next slot) tried again after a while.
 */
static void
ended(struct target *t, const struct fetch_result *r, int64_t now)
{
	t->state = T_IDLE;
	if (r->ok) {
		log_line(t, r->started, O_OK, r->status, r->bytes, r->ms,
		    t->file);
		t->failures = 0;
		return;
	}
	if (r->transient && t->attempt <= retries &&
	    now + backoff(t->attempt) < t->deadline) {
		log_line(t, r->started, O_RETRY, r->status, r->bytes, r->ms,
		    r->err);
		t->state = T_WAITING;
		t->retry_at = now + backoff(t->attempt);
		return;
	}
	log_error(t, r->started, r->status, r->bytes, r->ms, r->err);
	failed(t);
}

static void
abort_all(int64_t now)
{
	char why[64];
	size_t i;

	if (orphaned)
		snprintf(why, sizeof why, "the parent process exited");
	else
		snprintf(why, sizeof why, "interrupted by %s",
		    got_signal == SIGINT ? "SIGINT" : "SIGTERM");
	for (i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];
		struct fetch_result r;

		if (t->state == T_RUNNING) {
			fetch_abort(&t->f, now, &r);
			log_line(t, r.started, O_ABORTED, r.status, r.bytes,
			    r.ms, why);
		} else if (t->state == T_WAITING)
			log_line(t, now, O_ABORTED, 0, 0, 0, why);
		else
			continue;
		if (t->deferred >= 0) {
			t->seq = seq_start + t->deferred;
			log_line(t, now, O_ABORTED, 0, 0, 0, why);
			t->deferred = -1;
		}
		t->state = T_IDLE;
		t->end = END_SIGNAL;
	}
}

static int
finished(int64_t next)
{
	size_t i;
	int alive = 0;

	for (i = 0; i < ntargets; i++) {
		if (targets[i].state == T_RUNNING ||
		    targets[i].state == T_WAITING)
			return 0;
		alive |= targets[i].state != T_DONE;
	}
	return !alive || next >= count;
}

/* How long poll may sleep: until the next slot or retry, in ms. */
static int
sleep_ms(int64_t next)
{
	int64_t wake = next < count ? slot_time(next) : INT64_MAX;
	int64_t d;
	size_t i;

	for (i = 0; i < ntargets; i++)
		if (targets[i].state == T_WAITING &&
		    targets[i].retry_at < wake)
			wake = targets[i].retry_at;
	if (wake == INT64_MAX)
		return 1000;
	d = wake - fetch_clock();
	if (d <= 0)
		return 0;
	/* Rounded up: waking early would only spin. */
	return d >= 1000 * MS ? 1000 : (int)((d + MS - 1) / MS);
}

/*
 * The text of the mark lines: the first line of --note-file, read when
 * the signal comes (the wrapper writes it, then signals), else "SIGUSR1".
 */
static char *
read_note(void)
{
	char buf[256], *nl;
	FILE *fp = note_file != NULL ? fopen(note_file, "r") : NULL;

	if (fp == NULL || fgets(buf, sizeof buf, fp) == NULL)
		snprintf(buf, sizeof buf, "SIGUSR1");
	if (fp != NULL)
		fclose(fp);
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	if (buf[0] == '\0')
		snprintf(buf, sizeof buf, "SIGUSR1");
	return xstrdup(buf);
}

/*
 * SIGUSR1: slot k is due now and the grid moves with it, so that the
 * slots after it keep their spacing; each target that takes part in the
 * slot logs a mark line (its seq, the note) before the slot starts.
 */
static void
mark_slot(int64_t k, int64_t now)
{
	char *note = read_note();
	size_t i;

	t0 = now - k * every;
	for (i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];
		int64_t prev = t->seq;

		if (t->state == T_DONE || (seq_start + k) % t->nth != 0)
			continue;
		t->seq = seq_start + k;
		log_line(t, now, O_MARK, 0, 0, 0, note);
		t->seq = prev;
	}
	free(note);
}

static void
run(void)
{
	struct fetch_result r;
	struct fetch *f;
	int64_t next = 0, now;
	char err[256], c;
	size_t i;

	t0 = mono0 = fetch_clock();
	clock_gettime(CLOCK_REALTIME, &wall0);
	for (;;) {
		if (parent != 0 && getppid() != parent)
			orphaned = 1;
		if (got_signal || orphaned) {
			abort_all(fetch_clock());
			break;
		}
		now = fetch_clock();
		if (got_usr1) {
			got_usr1 = 0;
			/* One round has no grid to move: nothing to do. */
			if (every > 0 && next < count) {
				mark_slot(next, now);
				marked = next;
			}
		}
		for (i = 0; i < ntargets; i++)
			if (targets[i].state == T_WAITING &&
			    targets[i].retry_at <= now)
				attempt(&targets[i], now);
		while (next < count && slot_time(next) <= now) {
			/* Far behind (a stopped process): the last one runs. */
			start_slot(next, now, next + 1 < count &&
			    slot_time(next + 1) <= now);
			next++;
		}
		if (fetch_perform(err, sizeof err) != 0)
			msg_die(1, "%s", err);
		while ((f = fetch_next_done(&r)) != NULL)
			ended(f->owner, &r, fetch_clock());
		start_deferred(fetch_clock());
		if (finished(next))
			break;
		if (fetch_poll(sigfd[0], sleep_ms(next), err, sizeof err) != 0)
			msg_die(1, "%s", err);
		while (read(sigfd[0], &c, 1) == 1)
			continue;
	}
	for (i = 0; i < ntargets; i++)
		if (targets[i].end == END_NONE)
			targets[i].end = (got_signal || orphaned) &&
			    next < count ? END_SIGNAL : END_COUNT;
}

static int
summary(void)
{
	int rval = 0;
	size_t i;

	for (i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];
		struct sbuf b = SBUF_INIT;

		sbuf_puts(&b, "##summary\t");
		esc_meta(&b, t->name);
		sbuf_putc(&b, '\t');
		esc_meta(&b, t->kind);
		sbuf_printf(&b, "\t%lld\t%lld\t%lld\t%lld\t%lld\t%s\n",
		    (long long)t->n[O_OK], (long long)t->n[O_ERROR],
		    (long long)t->n[O_SKIPPED], (long long)t->n[O_ABORTED],
		    (long long)t->n[O_RETRY], end_name[t->end]);
		if (b.oom)
			msg_die(1, "out of memory");
		if (fwrite(b.s, 1, b.len, stdout) != b.len)
			stdout_err = 1;
		sbuf_free(&b);
		if (t->end == END_GIVEN_UP)
			rval = 1;
		/* One round: every fetch must have worked. */
		if (every == 0 && t->n[O_OK] == 0)
			rval = 1;
	}
	return rval;
}

static void
help(void)
{
	printf("usage: pprof-fetch [options] -o file url\n"
	    "       pprof-fetch [options] --targets file\n"
	    "Fetch pprof profiles over HTTP, once or every --every seconds, "
	    "into files\nwritten atomically; log every attempt as TSV on "
	    "stdout. See pprof-fetch(1).\n\n"
	    "  --connect-timeout s  give up connecting after s seconds "
	    "(default 5)\n"
	    "  --count n            stop after n slots (with --every)\n"
	    "  --every s            fetch every s seconds on a fixed grid\n"
	    "  --max-failures n     give a target up after n failed slots "
	    "in a row\n"
	    "  --max-size bytes     largest body accepted (default 256M)\n"
	    "  --no-clobber         with -o and one URL: never replace an "
	    "existing file\n"
	    "  --note-file file     on SIGUSR1, the text of the mark lines "
	    "(its first line)\n"
	    "  -o, --output file    one URL's file, or pattern with %%d "
	    "under --every\n"
	    "  --retries n          retries of a transient failure per slot "
	    "(default 3)\n"
	    "  --seq-start n        number the first slot n, not 0 (to go on "
	    "after an\n"
	    "                       earlier run without overwriting its files)\n"
	    "  --targets file       TSV lines: name, URL, pattern[, kind[, "
	    "every N slots]];\n"
	    "                       - is stdin\n"
	    "  --timeout s          give up a fetch after s seconds, plus N "
	    "for seconds=N\n"
	    "                       URLs (default 30)\n");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "connect-timeout", required_argument, NULL, 'C' },
		{ "count", required_argument, NULL, 'n' },
		{ "every", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "max-failures", required_argument, NULL, 'f' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "no-clobber", no_argument, NULL, 'N' },
		{ "note-file", required_argument, NULL, 'M' },
		{ "output", required_argument, NULL, 'o' },
		{ "retries", required_argument, NULL, 'r' },
		{ "seq-start", required_argument, NULL, 's' },
		{ "targets", required_argument, NULL, 'T' },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *output = NULL, *targets_file = NULL;
	mode_t um;
	size_t i;
	int ch, rval, max_failures_set = 0;

	msg_init(argv);
	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			fetch_opt.connect_timeout = parse_seconds(
			    "--connect-timeout", optarg, MS) / MS;
			break;
		case 'e':
			every = parse_seconds("--every", optarg, MIN_EVERY);
			break;
		case 'f':
			max_failures_set = 1;
			max_failures = parse_count("--max-failures", optarg, 0,
			    INT64_MAX);
			break;
		case 'h':
			help();
			return 0;
		case 'm':
			if (num_size(optarg, &fetch_opt.max_size) != 0 ||
			    fetch_opt.max_size == 0)
				die_at("--max-size", "not a byte count: %s",
				    optarg);
			break;
		case 'n':
			count = parse_count("--count", optarg, 1, INT64_MAX);
			break;
		case 'o':
			if (*optarg == '\0')
				die_at("-o", "empty file name");
			output = optarg;
			break;
		case 'N':
			no_clobber = 1;
			break;
		case 'M':
			note_file = optarg;
			break;
		case 'r':
			retries = (int)parse_count("--retries", optarg, 0,
			    100);
			break;
		case 's':
			seq_start = parse_count("--seq-start", optarg, 0,
			    INT64_MAX / 2);
			break;
		case 'T':
			targets_file = optarg;
			break;
		case 't':
			fetch_opt.timeout = parse_seconds("--timeout", optarg,
			    MS) / MS;
			break;
		case 'V':
			printf("pprof-fetch %s\n", E2E_PROFILE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (targets_file != NULL && (output != NULL || argc > 0))
		msg_die(2, "--targets takes no -o and no URL");
	if (targets_file == NULL && output == NULL && argc == 0)
		msg_die(2, "no URL and no --targets given");
	if (targets_file == NULL && output == NULL)
		msg_die(2, "no -o file given for %s", argv[0]);
	if (targets_file == NULL && argc == 0)
		msg_die(2, "-o needs a URL");
	if (targets_file == NULL && argc > 1)
		msg_die(2, "one URL with -o, not %d", argc);
	if (every == 0 && count > 0)
		msg_die(2, "--count needs --every");
	if (every == 0 && max_failures_set)
		msg_die(2, "--max-failures needs --every");
	if (count == 0)
		count = every > 0 ? INT64_MAX : 1;

	um = umask(0);
	umask(um);
	fetch_opt.file_mode = 0666 & ~um;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    fetch_init() != 0)
		msg_die(1, "cannot initialise libcurl");
	if (targets_file != NULL)
		read_targets(targets_file);
	else
		add_target(NULL, NULL, argv[0], output, NULL, 1, every == 0);
	/* The array stays put from here on: curl may point into it. */
	for (i = 0; i < ntargets; i++)
		if (fetch_setup(&targets[i].f, &targets[i]) != 0)
			msg_die(1, "cannot initialise libcurl");

	/* SIGUSR1 is caught before the header is out: one who waits for
	   the header may signal. */
	catch_signals();
	printf("#time\ttarget\tkind\tseq\toutcome\tstatus\tbytes\tms\t"
	    "file_or_error\n");
	if (fflush(stdout) != 0)
		stdout_err = 1;
	if (every > 0)
		watch_parent();
	run();
	rval = summary();
	free_targets();
	fetch_cleanup();
	curl_global_cleanup();
	if (stdout_err) {
		msg_warn("stdout: write error");
		return 1;
	}
	return rval | msg_close_stdout();
}

static void
usage(void)
{
	fprintf(stderr, "usage: pprof-fetch [options] "
	    "(-o file url | --targets file)\n");
	exit(2);
}
