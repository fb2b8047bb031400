/* slurp - see slurp.h. */
#include "slurp.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grow.h"

/* The least room a read is given, and a pipe's first buffer. */
#define SLURP_STEP 65536
#define SLURP_FIRST (4 * SLURP_STEP)

int
slurp(int fd, size_t max, char **out, size_t *outlen)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, first = SLURP_FIRST;
	ssize_t n;
	struct stat st;

	/* A regular file: its size, and room for the read that sees EOF. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size <= max &&
	    (uintmax_t)st.st_size <= SIZE_MAX - SLURP_STEP - 1)
		first = (size_t)st.st_size + SLURP_STEP + 1;
	for (;;) {
		if (cap - len < SLURP_STEP + 1 &&
		    (len > SIZE_MAX - SLURP_STEP - 1 ||
		    grow(&buf, &cap, len + SLURP_STEP + 1, 1, first) != 0)) {
			free(buf);
			return ENOMEM;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n == 0)
			break;
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(buf);
			return e;
		}
		len += (size_t)n;
		if (len > max) {
			free(buf);
			return EFBIG;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}
