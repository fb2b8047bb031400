/* msg_test - the program name, the message shape, the x-allocators. */
#include "msg.h"

#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

int
main(void)
{
	char arg0[] = "/usr/local/bin/pprof-x", *argv[] = { arg0, NULL };
	char back[256];
	FILE *err = tmpfile();
	int saved = dup(STDERR_FILENO);
	char *p;
	size_t n;

	msg_init(argv);
	CHECK_STR(msg_prog(), "pprof-x");
	CHECK_STR(argv[0], "pprof-x");

	/* msg_warn's line, caught on a temporary file as stderr. */
	CHECK(err != NULL && saved >= 0);
	fflush(stderr);
	dup2(fileno(err), STDERR_FILENO);
	msg_warn("%s: %s", "a.pb.gz", "empty file");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	rewind(err);
	n = fread(back, 1, sizeof back - 1, err);
	back[n] = '\0';
	CHECK_STR(back, "pprof-x: a.pb.gz: empty file\n");
	fclose(err);

	CHECK((p = xrealloc(NULL, 0)) != NULL);
	free(p);
	p = xstrdup(NULL);
	CHECK_STR(p, "");
	free(p);
	p = xstrdup("kept");
	CHECK_STR(p, "kept");
	free(p);
	return unit_done();
}
