/*
 * msg - the one place where a program of e2e-profile talks to its user.
 *
 * Every message has the shape "prog: context: reason" (the house style), so
 * the programs never build that prefix themselves. Call msg_init(argv)
 * first: the program name is the basename of argv[0], and argv[0] is set
 * to it so that getopt's own complaints have the same prefix. Formats take
 * no trailing newline. Library code never calls these: it returns an error
 * text that the program passes to msg_warn.
 */
#ifndef MSG_H
#define MSG_H

#include <stdio.h>

void msg_init(char **argv);
const char *msg_prog(void);

/* "prog: ...\n" on stderr. */
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* msg_warn, then exit(status). */
void msg_die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/*
 * Flush stdout and report a write error (a full disk, a closed pipe that
 * did not kill us) as "prog: stdout: write error". Returns 0 when all went
 * out, 1 otherwise: the caller folds it into its exit status.
 */
int msg_close_stdout(void);

/*
 * Allocation for programs: on failure "prog: out of memory" and exit 1.
 * xrealloc(p, 0) returns a valid pointer; xstrdup(NULL) duplicates "".
 */
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
