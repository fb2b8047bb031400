/* slurp_test - slurp of a regular file, a pipe, a cap and a directory. */
#include "slurp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

/* A temporary file of n bytes, byte i being i % 251; its descriptor. */
static int
tmpfile_of(size_t n)
{
	char path[] = "/tmp/slurp_test.XXXXXX";
	int fd = mkstemp(path);
	unsigned char b[4096];
	size_t i, k;

	if (fd < 0)
		return -1;
	unlink(path);
	for (i = 0; i < n; i += k) {
		k = n - i < sizeof b ? n - i : sizeof b;
		for (size_t j = 0; j < k; j++)
			b[j] = (unsigned char)((i + j) % 251);
		if (write(fd, b, k) != (ssize_t)k)
			return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int
pattern_ok(const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)buf[i] != i % 251)
			return 0;
	return buf[n] == '\0';
}

int
main(void)
{
	char *buf;
	size_t len;
	int fd, p[2], status = -1;
	pid_t pid;

	/* Regular files: empty, small, larger than the first buffer. */
	CHECK((fd = tmpfile_of(0)) >= 0);
	CHECK(slurp(fd, 10, &buf, &len) == 0 && len == 0 && buf[0] == '\0');
	free(buf);
	close(fd);
	CHECK((fd = tmpfile_of(1000000)) >= 0);
	CHECK(slurp(fd, 1000000, &buf, &len) == 0 && len == 1000000);
	CHECK(pattern_ok(buf, len));
	free(buf);
	lseek(fd, 0, SEEK_SET);
	CHECK(slurp(fd, 999999, &buf, &len) == EFBIG);
	close(fd);

	/* A pipe of 700000 bytes: grown by doubling, then capped. */
	CHECK(pipe(p) == 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if ((fd = tmpfile_of(700000)) < 0)
			_exit(1);
		for (;;) {
			char b[8192];
			ssize_t n = read(fd, b, sizeof b);

			if (n <= 0 || write(p[1], b, (size_t)n) != n)
				_exit(n != 0);
		}
	}
	close(p[1]);
	CHECK(slurp(p[0], 1 << 20, &buf, &len) == 0 && len == 700000);
	CHECK(pattern_ok(buf, len));
	free(buf);
	close(p[0]);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && status == 0);

	/* A directory opens but cannot be read. */
	CHECK((fd = open("/", O_RDONLY)) >= 0);
	CHECK(slurp(fd, 1 << 20, &buf, &len) == EISDIR);
	close(fd);
	return unit_done();
}
