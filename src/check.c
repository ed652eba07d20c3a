/*
 * check.c - lints a published feed: feed.xml must be well-formed RSS with
 * what podcast apps and directories require, and every file it names must
 * exist with exactly the size and duration it states. See check.h.
 */
#include "check.h"
#include "feedcfg.h"
#include "util.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <uuid/uuid.h>

struct checker {
	const char *dir;
	char *feed_path;
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	char *base;        /* the folder's URL: atom:link self without feed.xml */
	int problems;
};

static void problem(struct checker *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void problem(struct checker *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->feed_path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	c->problems++;
}

/* The string value of an XPath expression at node (or the channel), or NULL. */
static char *xpath_str(struct checker *c, xmlNodePtr node, const char *expr)
{
	xmlXPathObjectPtr o;
	char *res = NULL;

	c->ctx->node = node;
	o = xmlXPathEvalExpression((const xmlChar *)expr, c->ctx);
	if (o && o->type == XPATH_NODESET && o->nodesetval && o->nodesetval->nodeNr > 0) {
		xmlChar *s = xmlNodeGetContent(o->nodesetval->nodeTab[0]);

		if (s) {
			res = xstrdup((const char *)s);
			xmlFree(s);
		}
	}
	xmlXPathFreeObject(o);
	return res;
}

/* Checks that a required element exists and is not empty; returns its text. */
static char *require(struct checker *c, xmlNodePtr node, const char *expr, const char *what)
{
	char *s = xpath_str(c, node, expr);

	if (!s || !*s) {
		problem(c, "%s is missing", what);
		free(s);
		return NULL;
	}
	return s;
}

/* The local path of a URL under the folder's URL, or NULL. */
static char *local_path(struct checker *c, const char *url)
{
	size_t n = strlen(c->base);

	if (strncmp(url, c->base, n) || strstr(url + n, ".."))
		return NULL;
	return path_join(c->dir, url + n);
}

/* Exact duration in seconds by decoding (libsndfile reads MP3 via mpg123). */
static double decoded_duration(const char *path)
{
	SF_INFO info;
	SNDFILE *sf;
	double d;

	memset(&info, 0, sizeof(info));
	sf = sf_open(path, SFM_READ, &info);
	if (!sf)
		return -1;
	d = info.samplerate > 0 ? (double)info.frames / info.samplerate : -1;
	sf_close(sf);
	return d;
}

/* Parses an RFC 2822 date as revcast and most feeds write it. */
static int parse_rfc2822(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
	if (!end)
		return -1;
	while (*end == ' ')
		end++;
	if (strcmp(end, "+0000") && strcmp(end, "GMT") && strcmp(end, "UT") && strcmp(end, "Z"))
		return -1;
	*out = timegm(&tm);
	return 0;
}

static void check_channel(struct checker *c, xmlNodePtr ch)
{
	static const char *const required[][2] = {
		{ "title", "the channel's title" },
		{ "link", "the channel's link" },
		{ "description", "the channel's description" },
		{ "language", "the channel's language" },
		{ "itunes:author", "itunes:author" },
		{ "itunes:owner/itunes:email", "itunes:owner's email" },
	};
	char *s, *cat, *sub;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(required); i++)
		free(require(c, ch, required[i][0], required[i][1]));
	s = require(c, ch, "itunes:explicit", "itunes:explicit");
	if (s && strcmp(s, "true") && strcmp(s, "false"))
		problem(c, "itunes:explicit is '%s'; Apple wants 'true' or 'false'", s);
	free(s);
	s = require(c, ch, "itunes:type", "itunes:type");
	if (s && strcmp(s, "episodic") && strcmp(s, "serial"))
		problem(c, "itunes:type is '%s'; it must be 'episodic' or 'serial'", s);
	free(s);
	s = require(c, ch, "podcast:guid", "podcast:guid");
	if (s) {
		uuid_t u;

		if (uuid_parse(s, u))
			problem(c, "podcast:guid '%s' is not a UUID", s);
	}
	free(s);
	cat = xpath_str(c, ch, "itunes:category/@text");
	sub = xpath_str(c, ch, "itunes:category/itunes:category/@text");
	if (!cat)
		problem(c, "itunes:category is missing");
	else if (!apple_category_valid(cat, sub))
		problem(c, "itunes:category '%s%s%s' is not in Apple's list", cat,
			sub ? " > " : "", sub ? sub : "");
	free(cat);
	free(sub);
	s = xpath_str(c, ch, "itunes:image/@href");
	if (!s) {
		problem(c, "itunes:image is missing");
	} else {
		char *p = local_path(c, s);

		if (!p)
			problem(c, "itunes:image '%s' is not in this folder", s);
		else if (!is_file(p))
			problem(c, "the cover '%s' does not exist", p);
		else if (cover_check(p, NULL, NULL))
			c->problems++;
		free(p);
	}
	free(s);
}

/* Checks one item; `guids` collects GUIDs to find duplicates. */
static void check_item(struct checker *c, xmlNodePtr item, int n, char ***guids, size_t *nr)
{
	char *title = xpath_str(c, item, "title");
	char *guid = xpath_str(c, item, "guid");
	char *perma = xpath_str(c, item, "guid/@isPermaLink");
	char *date = xpath_str(c, item, "pubDate");
	char *url = xpath_str(c, item, "enclosure/@url");
	char *len = xpath_str(c, item, "enclosure/@length");
	char *type = xpath_str(c, item, "enclosure/@type");
	char *dur = xpath_str(c, item, "itunes:duration");
	char label[256];
	time_t t;
	size_t i;

	snprintf(label, sizeof(label), "item %d ('%.200s')", n, title ? title : "untitled");
	if (!title || !*title)
		problem(c, "%s has no title", label);
	if (!guid || !*guid) {
		problem(c, "%s has no guid", label);
	} else {
		for (i = 0; i < *nr; i++)
			if (!strcmp((*guids)[i], guid))
				problem(c, "%s has the same guid as an earlier item: %s", label, guid);
		*guids = xrealloc(*guids, (*nr + 1) * sizeof(**guids));
		(*guids)[(*nr)++] = xstrdup(guid);
		if (!perma || strcmp(perma, "false"))
			problem(c, "%s: its guid is not marked isPermaLink=\"false\" "
				"(apps would take it for a URL)", label);
	}
	if (!date || parse_rfc2822(date, &t))
		problem(c, "%s: pubDate '%s' is not an RFC 2822 date", label, date ? date : "");
	else if (t > time(NULL) + 86400)
		problem(c, "%s: pubDate %s is in the future", label, date);
	if (!url) {
		problem(c, "%s has no enclosure", label);
	} else {
		char *p = local_path(c, url);
		long size;
		struct stat st;

		if (!type || strcmp(type, "audio/mpeg"))
			problem(c, "%s: enclosure type '%s' should be audio/mpeg", label,
				type ? type : "");
		if (!p) {
			problem(c, "%s: enclosure '%s' is not in this folder", label, url);
		} else if (stat(p, &st)) {
			problem(c, "%s: the file '%s' does not exist", label, p);
		} else {
			if (!len || parse_long(len, 1, 0x7fffffffffffffffL, &size) ||
			    size != (long)st.st_size)
				problem(c, "%s: enclosure length %s but '%s' has %lld bytes",
					label, len ? len : "(none)", p, (long long)st.st_size);
			if (dur) {
				double real = decoded_duration(p);
				long secs;

				if (parse_long(dur, 0, 100000000, &secs))
					problem(c, "%s: itunes:duration '%s' is not whole seconds",
						label, dur);
				else if (real < 0)
					problem(c, "%s: '%s' cannot be decoded", label, p);
				else if (secs < real - 1 || secs > real + 1)
					problem(c, "%s: itunes:duration says %ld s but '%s' lasts %.3f s",
						label, secs, p, real);
			} else {
				problem(c, "%s has no itunes:duration", label);
			}
		}
		free(p);
	}
	free(title);
	free(guid);
	free(perma);
	free(date);
	free(url);
	free(len);
	free(type);
	free(dur);
}

int check_published(const char *dir)
{
	struct checker c;
	xmlXPathObjectPtr items = NULL;
	xmlNodePtr ch;
	char **guids = NULL, *self;
	size_t nr = 0, i;
	int n;

	memset(&c, 0, sizeof(c));
	c.dir = dir;
	c.feed_path = path_join(dir, "feed.xml");
	if (!is_file(c.feed_path)) {
		error("no published feed at '%s'", c.feed_path);
		free(c.feed_path);
		return -1;
	}
	c.doc = xmlReadFile(c.feed_path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	if (!c.doc) {
		const xmlError *e = xmlGetLastError();
		char msg[512];
		size_t len;

		snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "");
		len = strlen(msg);
		while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
			msg[--len] = '\0';   /* libxml2 ends its messages with a newline */
		problem(&c, "not well-formed XML%s%s (line %d)", len ? ": " : "", msg,
			e ? e->line : 0);
		free(c.feed_path);
		return c.problems;
	}
	c.ctx = xmlXPathNewContext(c.doc);
	xmlXPathRegisterNs(c.ctx, (const xmlChar *)"itunes",
			   (const xmlChar *)"http://www.itunes.com/dtds/podcast-1.0.dtd");
	xmlXPathRegisterNs(c.ctx, (const xmlChar *)"podcast",
			   (const xmlChar *)"https://podcastindex.org/namespace/1.0");
	xmlXPathRegisterNs(c.ctx, (const xmlChar *)"atom",
			   (const xmlChar *)"http://www.w3.org/2005/Atom");
	ch = xmlDocGetRootElement(c.doc);
	if (!ch || xmlStrcmp(ch->name, (const xmlChar *)"rss")) {
		problem(&c, "the root element is not <rss>");
		goto out;
	}
	for (ch = ch->children; ch && xmlStrcmp(ch->name, (const xmlChar *)"channel"); ch = ch->next)
		;
	if (!ch) {
		problem(&c, "there is no <channel>");
		goto out;
	}
	self = xpath_str(&c, ch, "atom:link[@rel='self']/@href");
	if (!self || strlen(self) < 8 || strcmp(self + strlen(self) - 8, "feed.xml")) {
		problem(&c, "atom:link rel=\"self\" is missing or does not name feed.xml");
		free(self);
		goto out;
	}
	self[strlen(self) - 8] = '\0';
	c.base = self;
	check_channel(&c, ch);
	c.ctx->node = ch;
	items = xmlXPathEvalExpression((const xmlChar *)"item", c.ctx);
	n = items && items->nodesetval ? items->nodesetval->nodeNr : 0;
	for (i = 0; i < (size_t)n; i++)
		check_item(&c, items->nodesetval->nodeTab[i], (int)i + 1, &guids, &nr);
out:
	for (i = 0; i < nr; i++)
		free(guids[i]);
	free(guids);
	xmlXPathFreeObject(items);
	xmlXPathFreeContext(c.ctx);
	xmlFreeDoc(c.doc);
	free(c.base);
	free(c.feed_path);
	return c.problems;
}
