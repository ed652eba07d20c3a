/*
 * libFuzzer target: the feed writer fed with hostile metadata. The input
 * is split at NUL bytes into the strings of a channel and two episodes;
 * the output must always parse as XML (checked with libxml2).
 */
#include "catalog.h"
#include "feed.h"
#include "feedcfg.h"
#include "fuzz.h"
#include "util.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

/* The next NUL-terminated piece of the input, or "" when it runs out. */
static char *piece(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *z = *p < end ? memchr(*p, 0, (size_t)(end - *p)) : NULL;
	size_t n = z ? (size_t)(z - *p) : (size_t)(end - *p);
	char *s = xstrndup((const char *)*p, *p < end ? n : 0);

	*p = z ? z + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const uint8_t *p = data, *end = data + len;
	struct feed_config c;
	struct episode eps[2];
	struct strbuf out = STRBUF_INIT;
	int i;

	feed_config_init(&c);
	c.name = xstrdup("fuzz");
	c.title = piece(&p, end);
	c.description = piece(&p, end);
	c.link = xstrdup("https://example.org/");
	c.base_url = xstrdup("https://example.org/podcast/");
	c.language = piece(&p, end);
	c.author = piece(&p, end);
	c.copyright = piece(&p, end);
	c.image = xstrdup("cover.png");
	c.cover_name = xstrdup("cover.png");
	c.category = xstrdup("TV & Film");
	c.owner_name = piece(&p, end);
	c.owner_email = xstrdup("a@example.org");
	c.serial = len % 2;
	for (i = 0; i < 2; i++) {
		episode_init(&eps[i]);
		eps[i].key = piece(&p, end);
		eps[i].guid = xstrdup("4f1e8b8e-5a3c-5a7e-9a0e-2b7c8d9e0f1a");
		eps[i].slug = xstrdup("slug");
		eps[i].file = piece(&p, end);
		eps[i].title = piece(&p, end);
		eps[i].author = piece(&p, end);
		eps[i].summary = piece(&p, end);
		eps[i].content_html = piece(&p, end);
		eps[i].transcript_vtt = piece(&p, end);
		eps[i].pub_date = (int64_t)(len * 977 % 4000000000u);
		eps[i].bytes = (int64_t)len;
		eps[i].duration = (double)len / 7.0;
		eps[i].number = i + 1;
	}
	if (!feed_write(&out, &c, eps, 2, 1700000000, len % 3 ? "feed.xsl" : NULL)) {
		xmlDocPtr doc = xmlReadMemory(out.buf, (int)out.len, "feed.xml", NULL,
					      XML_PARSE_NONET | XML_PARSE_NOERROR |
					      XML_PARSE_NOWARNING);

		if (!doc)
			abort();   /* the writer produced XML that does not parse */
		xmlFreeDoc(doc);
	}
	strbuf_release(&out);
	for (i = 0; i < 2; i++)
		episode_release(&eps[i]);
	feed_config_release(&c);
	return 0;
}
