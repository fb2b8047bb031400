/* msg - see msg.h. */
#include "msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "e2e-profile";

void
msg_init(char **argv)
{
	char *slash;

	if (argv[0] == NULL || *argv[0] == '\0')
		return;
	slash = strrchr(argv[0], '/');
	if (slash != NULL)
		argv[0] = slash + 1;
	prog = argv[0];
}

const char *
msg_prog(void)
{
	return prog;
}

static void
vwarn(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
msg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
msg_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

int
msg_close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		msg_warn("stdout: write error%s%s", errno ? ": " : "",
		    errno ? strerror(errno) : "");
		return 1;
	}
	return 0;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n != 0 ? n : 1)) == NULL)
		msg_die(1, "out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	char *d = strdup(s != NULL ? s : "");

	if (d == NULL)
		msg_die(1, "out of memory");
	return d;
}
