/* cat - see cat.h. */
#include "cat.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errf.h"
#include "slurp.h"

/* lib/categories.tsv, line for line (tests/t0040-series-cli.sh checks). */
const char cat_default_tsv[] =
	"# pprof-series hotspot categories: a name, a tab, and a POSIX\n"
	"# extended regular expression matched anywhere in a function name.\n"
	"# A sample counts once in every category one of its frames matches,\n"
	"# and in \"other\" when none does; a sample in \"profiler\" (the cost of\n"
	"# serving the profiles themselves) counts there alone. pprof-series\n"
	"# --categories FILE replaces this table.\n"
	"OpenAPI\t[Oo]pen[Aa][Pp][Ii]|[Ss]wagger\n"
	"JSON\tencoding/json|sigs\\.k8s\\.io/json|json-iterator|"
	"k8s\\.io/apimachinery/pkg/util/json|"
	"k8s\\.io/apimachinery/pkg/runtime/serializer/json\n"
	"YAML\tyaml|YAML\n"
	"protobuf\tprotobuf|\\)\\.(Unmarshal|MarshalTo|MarshalToSizedBuffer)$\n"
	"informer/cache\tk8s\\.io/client-go/tools/cache|"
	"k8s\\.io/client-go/informers|"
	"sigs\\.k8s\\.io/controller-runtime/pkg/cache|[Rr]eflector|"
	"DeltaFIFO|[Ii]nformer\n"
	"reflection\t^reflect\\.|^internal/reflectlite\\.\n"
	"regexp\t^regexp(/syntax)?\\.\n"
	"logging\t^log\\.|^log/slog\\.|go-logr/|k8s\\.io/klog|"
	"go\\.uber\\.org/zap|sirupsen/logrus|controller-runtime/pkg/log\n"
	"TLS/crypto\t^crypto/|golang\\.org/x/crypto/\n"
	"runtime/GC\t^runtime\\.(gc|GC|mark|scan|sweep|bgsweep|"
	"bgscavenge|greyobject|findObject|heapBits|wbBuf|bulkBarrier|"
	"mallocgc|newobject|newarray|makeslice|growslice|"
	"memclrNoHeapPointers|\\(\\*mheap\\)|\\(\\*mcentral\\)|"
	"\\(\\*mcache\\)|\\(\\*mspan\\)|\\(\\*gcWork\\)|"
	"\\(\\*gcControllerState\\)|\\(\\*pageAlloc\\)|"
	"\\(\\*sweepLocked\\)|\\(\\*scavengerState\\))\n"
	"profiler\t^(net/http/pprof|runtime/pprof)\\.\n"
	;

static char *
dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

void
cat_free(struct cat_set *c)
{
	regex_t *re = c->re;
	size_t i;

	for (i = 0; i < c->n; i++) {
		regfree(&re[i]);
		free(c->name[i]);
		free(c->pattern[i]);
	}
	free(c->re);
	free(c->source);
	memset(c, 0, sizeof *c);
}

/* Checks and compiles one "name<TAB>pattern" line into slot c->n. */
static int
add_line(struct cat_set *c, const char *p, size_t n, const char *src,
    size_t lineno, char *err, size_t errlen)
{
	regex_t *re = c->re;
	const char *tab = memchr(p, '\t', n);
	size_t i, nl;
	char buf[256];
	int rc;

	if (tab == NULL || memchr(tab + 1, '\t', n - (size_t)(tab - p) - 1))
		return errf(err, errlen, "%s:%zu: expected a name, a tab and "
		    "a pattern", src, lineno);
	nl = (size_t)(tab - p);
	if (nl == 0 || tab + 1 == p + n)
		return errf(err, errlen, "%s:%zu: empty %s", src, lineno,
		    nl == 0 ? "name" : "pattern");
	if (nl == 5 && memcmp(p, "other", 5) == 0)
		return errf(err, errlen, "%s:%zu: the name other is reserved "
		    "for samples no category matches", src, lineno);
	for (i = 0; i < c->n; i++)
		if (strlen(c->name[i]) == nl && memcmp(c->name[i], p, nl) == 0)
			return errf(err, errlen, "%s:%zu: category %s defined "
			    "twice", src, lineno, c->name[i]);
	if (c->n == CAT_MAX)
		return errf(err, errlen, "%s:%zu: more than %d categories",
		    src, lineno, CAT_MAX);
	c->name[c->n] = dupn(p, nl);
	c->pattern[c->n] = dupn(tab + 1, n - nl - 1);
	if (c->name[c->n] == NULL || c->pattern[c->n] == NULL) {
		free(c->name[c->n]);
		free(c->pattern[c->n]);
		return errf(err, errlen, "out of memory");
	}
	rc = regcomp(&re[c->n], c->pattern[c->n], REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &re[c->n], buf, sizeof buf);
		errf(err, errlen, "%s:%zu: bad regular expression \"%s\": %s",
		    src, lineno, c->pattern[c->n], buf);
		regfree(&re[c->n]);
		free(c->name[c->n]);
		free(c->pattern[c->n]);
		return -1;
	}
	c->n++;
	return 0;
}

int
cat_parse(struct cat_set *c, const char *text, size_t len,
    const char *source, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	size_t lineno = 0;

	memset(c, 0, sizeof *c);
	c->re = calloc(CAT_MAX, sizeof(regex_t));
	c->source = dupn(source, strlen(source));
	if (c->re == NULL || c->source == NULL) {
		cat_free(c);
		return errf(err, errlen, "out of memory");
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl != NULL ? nl : end) - p);

		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (memchr(p, '\0', n) != NULL) {
			cat_free(c);
			return errf(err, errlen, "%s:%zu: NUL byte", source,
			    lineno);
		}
		if (n > 0 && p[0] != '#' &&
		    add_line(c, p, n, source, lineno, err, errlen) != 0) {
			cat_free(c);
			return -1;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
}

int
cat_load(struct cat_set *c, const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int fd = open(path, O_RDONLY), e, rc;

	if (fd < 0)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	e = slurp(fd, SIZE_MAX - 1, &buf, &len);
	close(fd);
	if (e == ENOMEM)
		return errf(err, errlen, "out of memory");
	if (e != 0) {
		memset(c, 0, sizeof *c);
		return errf(err, errlen, "%s: read error", path);
	}
	rc = cat_parse(c, buf, len, path, err, errlen);
	free(buf);
	return rc;
}

int
cat_defaults(struct cat_set *c, char *err, size_t errlen)
{
	return cat_parse(c, cat_default_tsv, strlen(cat_default_tsv),
	    "built-in", err, errlen);
}

uint64_t
cat_match(const struct cat_set *c, const char *name)
{
	const regex_t *re = c->re;
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (regexec(&re[i], name, 0, NULL, 0) == 0)
			m |= (uint64_t)1 << i;
	return m;
}
