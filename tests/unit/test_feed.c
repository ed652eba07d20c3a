/*
 * test_feed.c - the RSS feed: written for a configuration and episodes
 * made by hand, then read back with libxml2's parser and XPath (with the
 * four namespaces registered), so that every check is on what a podcast
 * app would see, not on the text.
 *
 * REVCAST_FEED_OUT=path saves the feed of the main test there, for a
 * look with xmllint or feedparser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "catalog.h"
#include "feed.h"
#include "feedcfg.h"
#include "util.h"

#define NOW INT64_C(1709629200)   /* Tue, 05 Mar 2024 09:00:00 +0000 */

/* The hostile title, as given and as it must read back (no U+0001). */
#define HOSTILE_TITLE "Tom & Jerry <script> \"quoted\" \x01 ]]> \xf0\x9f\x8e\xac 'single'"
#define HOSTILE_CLEAN "Tom & Jerry <script> \"quoted\"  ]]> \xf0\x9f\x8e\xac 'single'"

/* A configuration as feed_config_load() would leave it. */
static void make_config(struct feed_config *c)
{
	feed_config_init(c);
	c->name = xstrdup("example");
	c->dir = xstrdup("feeds/example");
	c->path = xstrdup("feeds/example/feed.ini");
	c->title = xstrdup("Reviews & <Rants>");
	c->description = xstrdup("Films, books & records,\nreviewed aloud.");
	c->link = xstrdup("https://example.org/reviews/?a=1&b=2");
	c->base_url = xstrdup("https://podcasts.example.org/revcast/");
	c->language = xstrdup("en-GB");
	c->author = xstrdup("Ann Example");
	c->copyright = xstrdup("\xc2\xa9 2024 Ann Example");
	c->image = xstrdup("feeds/example/art.png");
	c->cover_name = xstrdup("cover.png");
	c->category = xstrdup("TV & Film");
	c->subcategory = xstrdup("Film Reviews");
	c->explicit_flag = 0;
	c->serial = 0;
	c->locked = 1;
	c->owner_name = xstrdup("Ann \"Owner\" Example");
	c->owner_email = xstrdup("ann@example.org");
	c->voice = xstrdup("en-gb");
	c->reviews_dir = xstrdup("feeds/example/reviews");
}

/* Frees what make_episodes() allocated (catalog.c's episode_release is not ours). */
/* Three episodes, newest first: a hostile one, a plain one, a bare one. */
static void make_episodes(struct episode eps[3])
{
	memset(eps, 0, 3 * sizeof(*eps));

	eps[0].key = xstrdup("tom-and-jerry.md");
	eps[0].guid = xstrdup("3e0b8f1c-53a5-5e57-8f6b-0f6f1f0e5a01");
	eps[0].slug = xstrdup("tom-jerry");
	eps[0].pub_date = INT64_C(1709550000);
	eps[0].file = xstrdup("tom-jerry.mp3");
	eps[0].bytes = 1234567;
	eps[0].sample_rate = 44100;
	eps[0].duration = 1234.5;              /* rounds to 1235 */
	eps[0].title = xstrdup(HOSTILE_TITLE);
	eps[0].author = xstrdup("Guest <guest@example.org>");
	eps[0].summary = xstrdup("Summary\x02 with controls\x1b, U+FFFE \xef\xbf\xbe and bad \xff UTF-8.");
	eps[0].content_html = xstrdup("<p>Cartoon &amp; violence.</p>\n<p>Ends here: ]]> and <![CDATA[ too.</p>");
	eps[0].explicit_flag = 1;
	eps[0].number = 3;
	eps[0].transcript_vtt = xstrdup("tom-jerry.vtt");
	eps[0].transcript_srt = xstrdup("tom-jerry.srt");
	eps[0].chapters = xstrdup("tom-jerry.chapters.json");
	eps[0].page = xstrdup("tom-jerry.html");

	eps[1].key = xstrdup("rust-and-bone.md");
	eps[1].guid = xstrdup("urn:revcast:rust-and-bone");
	eps[1].slug = xstrdup("rust-and-bone");
	eps[1].pub_date = INT64_C(1709290800);
	eps[1].file = xstrdup("my episode#2.mp3");   /* needs escaping in a URL */
	eps[1].bytes = 42;
	eps[1].sample_rate = 44100;
	eps[1].duration = 59.4;                  /* rounds to 59 */
	eps[1].title = xstrdup("Rust and Bone");
	eps[1].summary = xstrdup("A film about a whale trainer.");
	eps[1].content_html = xstrdup("<p>A film.</p>");
	eps[1].number = 2;
	eps[1].page = xstrdup("https://example.org/reviews/rust-and-bone");

	eps[2].key = xstrdup("bare.md");
	eps[2].guid = xstrdup("bare-guid");
	eps[2].slug = xstrdup("bare");
	eps[2].pub_date = INT64_C(0);
	eps[2].file = xstrdup("bare.mp3");
	eps[2].bytes = 0;
	eps[2].duration = 0.5;                   /* rounds to 1 */
	eps[2].title = xstrdup("Bare");
	eps[2].number = 1;
}

static void free_episodes(struct episode *eps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		episode_release(&eps[i]);
}

/* A parsed feed with an XPath context that knows the feed's prefixes. */
struct parsed {
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
};

/* Parses the feed (failing the test unless well-formed) and sets up XPath. */
static void parse(struct parsed *p, const struct strbuf *xml)
{
	p->doc = xmlReadMemory(xml->buf, (int)xml->len, "feed.xml", NULL,
			       XML_PARSE_NONET);
	if (!p->doc)
		fail_msg("the feed is not well-formed:\n%s", xml->buf);
	p->ctx = xmlXPathNewContext(p->doc);
	assert_non_null(p->ctx);
	assert_int_equal(xmlXPathRegisterNs(p->ctx, BAD_CAST "itunes",
					    BAD_CAST "http://www.itunes.com/dtds/podcast-1.0.dtd"), 0);
	assert_int_equal(xmlXPathRegisterNs(p->ctx, BAD_CAST "podcast",
					    BAD_CAST "https://podcastindex.org/namespace/1.0"), 0);
	assert_int_equal(xmlXPathRegisterNs(p->ctx, BAD_CAST "content",
					    BAD_CAST "http://purl.org/rss/1.0/modules/content/"), 0);
	assert_int_equal(xmlXPathRegisterNs(p->ctx, BAD_CAST "atom",
					    BAD_CAST "http://www.w3.org/2005/Atom"), 0);
}

static void parsed_free(struct parsed *p)
{
	xmlXPathFreeContext(p->ctx);
	xmlFreeDoc(p->doc);
}

/* The string value of an XPath expression. New string. */
static char *xp_str(struct parsed *p, const char *expr)
{
	char *full = xasprintf("string(%s)", expr);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST full, p->ctx);
	char *s;

	if (!o || o->type != XPATH_STRING)
		fail_msg("bad XPath %s", full);
	s = xstrdup((const char *)o->stringval);
	xmlXPathFreeObject(o);
	free(full);
	return s;
}

/* How many nodes an XPath expression selects. */
static int xp_count(struct parsed *p, const char *expr)
{
	char *full = xasprintf("count(%s)", expr);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST full, p->ctx);
	int n;

	if (!o || o->type != XPATH_NUMBER)
		fail_msg("bad XPath %s", full);
	n = (int)o->floatval;
	xmlXPathFreeObject(o);
	free(full);
	return n;
}

/* Asserts that the XPath expression's string value is `want`. */
#define assert_xp(p, expr, want) do { \
		char *got_ = xp_str((p), (expr)); \
		if (strcmp(got_, (want))) \
			fail_msg("%s: expected \"%s\", got \"%s\"", (expr), (want), got_); \
		free(got_); \
	} while (0)

/* Unix time of an RFC 2822 date as the feed writes them. */
static int64_t parse_date(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S %z", &tm);
	if (!end || *end)
		fail_msg("cannot parse date \"%s\"", s);
	assert_int_equal(tm.tm_gmtoff, 0);
	return (int64_t)timegm(&tm);
}

/* Writes the standard feed into xml (3 episodes, with a stylesheet). */
static void write_standard(struct strbuf *xml, struct feed_config *c, struct episode eps[3])
{
	make_config(c);
	make_episodes(eps);
	assert_int_equal(feed_write(xml, c, eps, 3, NOW, "feed.xsl?a=1&b=\"2\""), 0);
}

static void test_channel(void **state)
{
	struct strbuf xml = STRBUF_INIT;
	struct feed_config c;
	struct episode eps[3];
	struct parsed p;
	const char *out = getenv("REVCAST_FEED_OUT");

	write_standard(&xml, &c, eps);
	if (out)
		assert_int_equal(write_file_atomic(out, xml.buf, xml.len), 0);
	assert_true(!strncmp(xml.buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38));
	parse(&p, &xml);

	assert_xp(&p, "/rss/@version", "2.0");
	assert_int_equal(xp_count(&p, "/rss/channel"), 1);
	assert_xp(&p, "/rss/channel/title", "Reviews & <Rants>");
	assert_xp(&p, "/rss/channel/link", "https://example.org/reviews/?a=1&b=2");
	assert_xp(&p, "/rss/channel/description", "Films, books & records,\nreviewed aloud.");
	assert_xp(&p, "/rss/channel/language", "en-GB");
	assert_xp(&p, "/rss/channel/copyright", "\xc2\xa9 2024 Ann Example");
	assert_xp(&p, "/rss/channel/lastBuildDate", "Tue, 05 Mar 2024 09:00:00 +0000");
	assert_xp(&p, "/rss/channel/generator", "revcast");
	assert_xp(&p, "/rss/channel/atom:link/@rel", "self");
	assert_xp(&p, "/rss/channel/atom:link/@type", "application/rss+xml");
	assert_xp(&p, "/rss/channel/atom:link/@href",
		  "https://podcasts.example.org/revcast/feed.xml");
	assert_xp(&p, "/rss/channel/itunes:image/@href",
		  "https://podcasts.example.org/revcast/cover.png");
	assert_xp(&p, "/rss/channel/image/url", "https://podcasts.example.org/revcast/cover.png");
	assert_xp(&p, "/rss/channel/image/title", "Reviews & <Rants>");
	assert_xp(&p, "/rss/channel/image/link", "https://example.org/reviews/?a=1&b=2");
	assert_int_equal(xp_count(&p, "/rss/channel/itunes:category"), 1);
	assert_xp(&p, "/rss/channel/itunes:category/@text", "TV & Film");
	assert_xp(&p, "/rss/channel/itunes:category/itunes:category/@text", "Film Reviews");
	assert_xp(&p, "/rss/channel/itunes:explicit", "false");
	assert_xp(&p, "/rss/channel/itunes:author", "Ann Example");
	assert_xp(&p, "/rss/channel/itunes:owner/itunes:name", "Ann \"Owner\" Example");
	assert_xp(&p, "/rss/channel/itunes:owner/itunes:email", "ann@example.org");
	assert_xp(&p, "/rss/channel/itunes:type", "episodic");
	/* uuid5(ns, "podcasts.example.org/revcast/feed.xml"), computed with Python */
	assert_xp(&p, "/rss/channel/podcast:guid", "2d68ce0d-d868-5b0d-abd4-087cdee90fb6");
	assert_xp(&p, "/rss/channel/podcast:locked", "yes");
	assert_xp(&p, "/rss/channel/podcast:locked/@owner", "ann@example.org");
	/* the stylesheet, its href escaped as a pseudo-attribute */
	assert_xp(&p, "/processing-instruction('xml-stylesheet')",
		  "type=\"text/xsl\" href=\"feed.xsl?a=1&amp;b=&quot;2&quot;\"");

	parsed_free(&p);
	free_episodes(eps, 3);
	feed_config_release(&c);
	strbuf_release(&xml);
}

static void test_items(void **state)
{
	struct strbuf xml = STRBUF_INIT;
	struct feed_config c;
	struct episode eps[3];
	struct parsed p;
	char *s;
	int i;

	write_standard(&xml, &c, eps);
	parse(&p, &xml);

	assert_int_equal(xp_count(&p, "/rss/channel/item"), 3);
	assert_xp(&p, "/rss/channel/item[1]/title", HOSTILE_CLEAN);
	assert_xp(&p, "/rss/channel/item[2]/title", "Rust and Bone");
	assert_xp(&p, "/rss/channel/item[3]/title", "Bare");

	for (i = 0; i < 3; i++) {
		char *expr = xasprintf("/rss/channel/item[%d]/guid", i + 1);
		char *attr = xasprintf("%s/@isPermaLink", expr);
		char *date = xasprintf("/rss/channel/item[%d]/pubDate", i + 1);
		char *dur = xasprintf("/rss/channel/item[%d]/itunes:duration", i + 1);
		char *want = xasprintf("%lld", (long long)llround(eps[i].duration));

		assert_xp(&p, expr, eps[i].guid);
		assert_xp(&p, attr, "false");
		s = xp_str(&p, date);
		assert_int_equal(parse_date(s), eps[i].pub_date);
		free(s);
		assert_xp(&p, dur, want);
		free(want);
		free(dur);
		free(date);
		free(attr);
		free(expr);
	}
	assert_xp(&p, "/rss/channel/item[1]/itunes:duration", "1235");
	assert_xp(&p, "/rss/channel/item[2]/itunes:duration", "59");
	assert_xp(&p, "/rss/channel/item[3]/itunes:duration", "1");
	assert_xp(&p, "/rss/channel/item[1]/pubDate", "Mon, 04 Mar 2024 11:00:00 +0000");
	assert_xp(&p, "/rss/channel/item[3]/pubDate", "Thu, 01 Jan 1970 00:00:00 +0000");

	/* enclosures */
	assert_int_equal(xp_count(&p, "/rss/channel/item/enclosure"), 3);
	assert_xp(&p, "/rss/channel/item[1]/enclosure/@url",
		  "https://podcasts.example.org/revcast/tom-jerry.mp3");
	assert_xp(&p, "/rss/channel/item[1]/enclosure/@length", "1234567");
	assert_xp(&p, "/rss/channel/item[1]/enclosure/@type", "audio/mpeg");
	assert_xp(&p, "/rss/channel/item[2]/enclosure/@url",
		  "https://podcasts.example.org/revcast/my%20episode%232.mp3");
	assert_xp(&p, "/rss/channel/item[2]/enclosure/@length", "42");
	assert_xp(&p, "/rss/channel/item[3]/enclosure/@length", "0");
	assert_xp(&p, "/rss/channel/item[3]/enclosure/@type", "audio/mpeg");

	/* author: the episode's, else the channel's; explicit */
	assert_xp(&p, "/rss/channel/item[1]/itunes:author", "Guest <guest@example.org>");
	assert_xp(&p, "/rss/channel/item[2]/itunes:author", "Ann Example");
	assert_xp(&p, "/rss/channel/item[1]/itunes:explicit", "true");
	assert_xp(&p, "/rss/channel/item[2]/itunes:explicit", "false");

	/* description and content */
	assert_xp(&p, "/rss/channel/item[2]/description", "A film about a whale trainer.");
	assert_xp(&p, "/rss/channel/item[1]/content:encoded", eps[0].content_html);
	assert_xp(&p, "/rss/channel/item[2]/content:encoded", "<p>A film.</p>");
	assert_int_equal(xp_count(&p, "/rss/channel/item[3]/description"), 0);
	assert_int_equal(xp_count(&p, "/rss/channel/item[3]/content:encoded"), 0);

	/* links: the page (relative to base_url, or absolute), else the channel's */
	assert_xp(&p, "/rss/channel/item[1]/link",
		  "https://podcasts.example.org/revcast/tom-jerry.html");
	assert_xp(&p, "/rss/channel/item[2]/link", "https://example.org/reviews/rust-and-bone");
	assert_xp(&p, "/rss/channel/item[3]/link", "https://example.org/reviews/?a=1&b=2");

	/* episodic: no numbers */
	assert_int_equal(xp_count(&p, "//itunes:episode"), 0);
	assert_int_equal(xp_count(&p, "//itunes:episodeType"), 0);

	/* transcripts and chapters */
	assert_int_equal(xp_count(&p, "/rss/channel/item[1]/podcast:transcript"), 2);
	assert_xp(&p, "/rss/channel/item[1]/podcast:transcript[@type='text/vtt']/@url",
		  "https://podcasts.example.org/revcast/tom-jerry.vtt");
	assert_xp(&p, "/rss/channel/item[1]/podcast:transcript[@type='application/x-subrip']/@url",
		  "https://podcasts.example.org/revcast/tom-jerry.srt");
	assert_xp(&p, "/rss/channel/item[1]/podcast:chapters/@url",
		  "https://podcasts.example.org/revcast/tom-jerry.chapters.json");
	assert_xp(&p, "/rss/channel/item[1]/podcast:chapters/@type", "application/json+chapters");
	assert_int_equal(xp_count(&p, "/rss/channel/item[2]/podcast:transcript"), 0);
	assert_int_equal(xp_count(&p, "/rss/channel/item[2]/podcast:chapters"), 0);

	parsed_free(&p);
	free_episodes(eps, 3);
	feed_config_release(&c);
	strbuf_release(&xml);
}

/* What XML cannot hold is dropped; the rest reads back exactly. */
static void test_hostile_text(void **state)
{
	struct strbuf xml = STRBUF_INIT;
	struct feed_config c;
	struct episode eps[3];
	struct parsed p;

	write_standard(&xml, &c, eps);
	/* nothing raw: the title's '<' is escaped, the control character gone */
	assert_null(strstr(xml.buf, "<script>"));
	assert_null(strchr(xml.buf, '\x01'));
	assert_null(strchr(xml.buf, '\x02'));
	assert_null(strchr(xml.buf, '\x1b'));
	assert_null(strstr(xml.buf, "\xef\xbf\xbe"));
	assert_int_equal(utf8_invalid_at(xml.buf, xml.len), xml.len);
	parse(&p, &xml);
	assert_xp(&p, "/rss/channel/item[1]/title", HOSTILE_CLEAN);
	assert_xp(&p, "/rss/channel/item[1]/description",
		  "Summary with controls, U+FFFE  and bad \xef\xbf\xbd UTF-8.");
	assert_xp(&p, "/rss/channel/item[1]/content:encoded",
		  "<p>Cartoon &amp; violence.</p>\n<p>Ends here: ]]> and <![CDATA[ too.</p>");
	parsed_free(&p);
	free_episodes(eps, 3);
	feed_config_release(&c);
	strbuf_release(&xml);
}

static void test_serial(void **state)
{
	struct strbuf xml = STRBUF_INIT;
	struct feed_config c;
	struct episode eps[3];
	struct parsed p;

	make_config(&c);
	make_episodes(eps);
	c.serial = 1;
	c.explicit_flag = 1;
	c.locked = 0;
	free(c.subcategory);
	c.subcategory = NULL;
	free(c.cover_name);
	c.cover_name = xstrdup("cover.jpg");
	assert_int_equal(feed_write(&xml, &c, eps, 3, NOW, NULL), 0);
	parse(&p, &xml);
	assert_xp(&p, "/rss/channel/itunes:type", "serial");
	assert_xp(&p, "/rss/channel/itunes:explicit", "true");
	assert_xp(&p, "/rss/channel/podcast:locked", "no");
	assert_xp(&p, "/rss/channel/itunes:image/@href",
		  "https://podcasts.example.org/revcast/cover.jpg");
	assert_xp(&p, "/rss/channel/itunes:category/@text", "TV & Film");
	assert_int_equal(xp_count(&p, "/rss/channel/itunes:category/itunes:category"), 0);
	assert_xp(&p, "/rss/channel/item[1]/itunes:episode", "3");
	assert_xp(&p, "/rss/channel/item[2]/itunes:episode", "2");
	assert_xp(&p, "/rss/channel/item[3]/itunes:episode", "1");
	assert_int_equal(xp_count(&p, "/rss/channel/item/itunes:episodeType[. = 'full']"), 3);
	/* no stylesheet asked for, none written */
	assert_int_equal(xp_count(&p, "/processing-instruction()"), 0);
	parsed_free(&p);
	free_episodes(eps, 3);
	feed_config_release(&c);
	strbuf_release(&xml);
}

/* A configured podcast:guid (here the spec's example) wins. */
static void test_podcast_guid(void **state)
{
	struct strbuf xml = STRBUF_INIT;
	struct feed_config c;
	struct parsed p;

	make_config(&c);
	c.podcast_guid = xstrdup("917393e3-1b1e-5cef-ace4-edaa54e1f810");
	assert_int_equal(feed_write(&xml, &c, NULL, 0, NOW, NULL), 0);
	parse(&p, &xml);
	assert_xp(&p, "/rss/channel/podcast:guid", "917393e3-1b1e-5cef-ace4-edaa54e1f810");
	assert_int_equal(xp_count(&p, "/rss/channel/item"), 0);
	parsed_free(&p);
	feed_config_release(&c);
	strbuf_release(&xml);
}

/* Without cover_name, the image's extension decides. */
static void test_cover_by_extension(void **state)
{
	static const struct { const char *image, *cover; } cases[] = {
		{ "art.PNG", "cover.png" }, { "art.jpeg", "cover.jpg" }, { "art.jpg", "cover.jpg" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf xml = STRBUF_INIT;
		struct feed_config c;
		struct parsed p;
		char *want;

		make_config(&c);
		free(c.cover_name);
		c.cover_name = NULL;
		free(c.image);
		c.image = xstrdup(cases[i].image);
		assert_int_equal(feed_write(&xml, &c, NULL, 0, NOW, NULL), 0);
		parse(&p, &xml);
		want = xasprintf("https://podcasts.example.org/revcast/%s", cases[i].cover);
		assert_xp(&p, "/rss/channel/itunes:image/@href", want);
		free(want);
		parsed_free(&p);
		feed_config_release(&c);
		strbuf_release(&xml);
	}
}

/* feed_write appends to what out holds. */
static void test_appends(void **state)
{
	struct strbuf xml = STRBUF_INIT;
	struct feed_config c;

	make_config(&c);
	strbuf_addstr(&xml, "KEEP");
	assert_int_equal(feed_write(&xml, &c, NULL, 0, NOW, NULL), 0);
	assert_true(!strncmp(xml.buf, "KEEP<?xml", 9));
	assert_int_equal(strlen(xml.buf), xml.len);
	feed_config_release(&c);
	strbuf_release(&xml);
}

/*
 * feed_digest() stands for the feed: the same inputs give the same
 * digest, and every change of an input that changes the feed's bytes
 * changes the digest. Each case changes one field, of the config or of
 * one episode.
 */
static void test_digest(void **state)
{
	struct feed_config c;
	struct episode eps[3];
	struct strbuf base = STRBUF_INIT, xml = STRBUF_INIT;
	uint64_t d0;
	int k, changed_feeds = 0;

	make_config(&c);
	make_episodes(eps);
	assert_int_equal(feed_write(&base, &c, eps, 3, NOW, "feed.xsl"), 0);
	d0 = feed_digest(&c, eps, 3, NOW, "feed.xsl");
	assert_true(d0 == feed_digest(&c, eps, 3, NOW, "feed.xsl"));
	for (k = 0; k < 40; k++) {
		struct feed_config m;
		struct episode e[3];
		int64_t now = NOW;
		const char *xsl = "feed.xsl";
		size_t nr = 3;
		uint64_t d;

		make_config(&m);
		make_episodes(e);
		switch (k) {
#define SET(field, value) do { free(field); field = xstrdup_or_null(value); } while (0)
		case 0: SET(m.title, "Other"); break;
		case 1: SET(m.link, "https://example.org/other/"); break;
		case 2: SET(m.description, "Other"); break;
		case 3: SET(m.language, NULL); break;
		case 4: SET(m.copyright, "Other"); break;
		case 5: SET(m.base_url, "https://other.example.org/"); break;
		case 6: SET(m.cover_name, "cover.jpg"); break;
		case 7: SET(m.category, "Arts"); break;
		case 8: SET(m.subcategory, NULL); break;
		case 9: m.explicit_flag = 1; break;
		case 10: SET(m.author, "Other"); break;
		case 11: SET(m.owner_name, NULL); break;
		case 12: SET(m.owner_email, "other@example.org"); break;
		case 13: m.serial = 1; break;
		case 14: m.locked = 0; break;
		case 15: SET(m.podcast_guid, "b5a8f2c4-1d7e-5f3a-9c6b-2e4d8a1f0c37"); break;
		case 16: now = NOW + 1; break;
		case 17: xsl = NULL; break;
		case 18: nr = 2; break;
		case 19: SET(e[1].title, "Other"); break;
		case 20: SET(e[1].guid, "other-guid"); break;
		case 21: e[1].pub_date += 86400; break;
		case 22: SET(e[1].file, "other.mp3"); break;
		case 23: e[1].bytes++; break;
		case 24: e[1].duration += 1; break;
		case 25: SET(e[1].author, "Other"); break;
		case 26: e[1].explicit_flag = 1; break;
		case 27: SET(e[1].summary, "Other"); break;
		case 28: SET(e[1].content_html, "<p>Other.</p>"); break;
		case 29: SET(e[1].page, NULL); break;
		case 30: SET(e[1].transcript_vtt, "other.vtt"); break;
		case 31: SET(e[1].transcript_srt, "other.srt"); break;
		case 32: SET(e[1].chapters, "other.chapters.json"); break;
		case 33: SET(e[2].title, "Bare "); break;        /* one more byte */
		case 34: SET(e[0].summary, NULL); break;
		case 35: SET(e[2].content_html, ""); break;      /* NULL to "": the same feed */
		case 36: m.serial = 1; e[2].number = 7; break;
		case 37: SET(m.image, "feeds/example/art.jpg"); break;   /* cover_name set: no change */
		case 38: SET(e[0].key, "renamed.md"); break;          /* not in the feed */
		case 39: e[0].samples = 99; break;                    /* not in the feed */
#undef SET
		}
		strbuf_reset(&xml);
		assert_int_equal(feed_write(&xml, &m, e, nr, now, xsl), 0);
		d = feed_digest(&m, e, nr, now, xsl);
		if (xml.len != base.len || memcmp(xml.buf, base.buf, base.len)) {
			changed_feeds++;
			if (d == d0)
				fail_msg("case %d changes the feed but not its digest", k);
		}
		free_episodes(e, 3);
		feed_config_release(&m);
	}
	/* the cases do change the feed (all but the last four) */
	assert_true(changed_feeds >= 35);
	free_episodes(eps, 3);
	feed_config_release(&c);
	strbuf_release(&base);
	strbuf_release(&xml);
}

static void test_rfc2822(void **state)
{
	static const struct { int64_t t; const char *s; } cases[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 +0000" },
		{ INT64_C(1709629200), "Tue, 05 Mar 2024 09:00:00 +0000" },
		{ INT64_C(951782400), "Tue, 29 Feb 2000 00:00:00 +0000" },
		{ INT64_C(1735689599), "Tue, 31 Dec 2024 23:59:59 +0000" },
		{ INT64_C(4102444800), "Fri, 01 Jan 2100 00:00:00 +0000" },
		{ -1, "Thu, 01 Jan 1970 00:00:00 +0000" },                 /* clamped */
		{ INT64_MAX, "Fri, 31 Dec 9999 23:59:59 +0000" },         /* clamped */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[40];

		rfc2822_date(cases[i].t, out);
		assert_string_equal(out, cases[i].s);
		if (cases[i].t >= 0 && cases[i].t < INT64_C(253402300800))
			assert_int_equal(parse_date(out), cases[i].t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channel),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_podcast_guid),
		cmocka_unit_test(test_cover_by_extension),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_rfc2822),
	};
	int ret;

	LIBXML_TEST_VERSION
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return ret;
}
