/*
 * feed.c - see feed.h.
 *
 * The feed is written with libxml2's xmlTextWriter into a memory buffer,
 * so escaping is libxml2's business. What libxml2 cannot do for us is
 * drop what XML 1.0 does not allow at all (most C0 controls, U+FFFE,
 * U+FFFF, broken UTF-8): every text and attribute goes through
 * xml_clean() first.
 */
#include "feed.h"
#include "feedcfg.h"
#include "catalog.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>

#define NS_ITUNES  "http://www.itunes.com/dtds/podcast-1.0.dtd"
#define NS_PODCAST "https://podcastindex.org/namespace/1.0"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_ATOM    "http://www.w3.org/2005/Atom"

/* RFC 2822 date in UTC, e.g. "Tue, 05 Mar 2024 09:00:00 +0000". */
void rfc2822_date(int64_t t, char out[40])
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	time_t tt;

	/* Four-digit years only: 1970-01-01 to 9999-12-31. */
	if (t < 0)
		t = 0;
	if (t > INT64_C(253402300799))
		t = INT64_C(253402300799);
	tt = (time_t)t;
	if (!gmtime_r(&tt, &tm))
		memset(&tm, 0, sizeof(tm));
	/* the remainders only tell the compiler that it all fits in 40 bytes */
	snprintf(out, 40, "%.3s, %02u %.3s %04u %02u:%02u:%02u +0000",
		 days[(unsigned)tm.tm_wday % 7u], (unsigned)tm.tm_mday % 100u,
		 months[(unsigned)tm.tm_mon % 12u], (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
		 (unsigned)tm.tm_sec % 100u);
}

/* Whether code point cp may appear in an XML 1.0 document. */
static int xml_char_allowed(long cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd ||
	       (cp >= 0x20 && cp <= 0xd7ff) ||
	       (cp >= 0xe000 && cp <= 0xfffd) ||
	       (cp >= 0x10000 && cp <= 0x10ffff);
}

/*
 * Copies s into out (which it resets) without what XML 1.0 does not
 * allow: C0 controls other than tab, newline and carriage return,
 * U+FFFE and U+FFFF. A byte that is not part of valid UTF-8 becomes
 * U+FFFD. Returns out->buf, valid until out changes. NULL reads as "".
 */
static const char *xml_clean(struct strbuf *out, const char *s)
{
	const char *p, *end;

	strbuf_reset(out);
	if (!s) {
		strbuf_grow(out, 0);
		return out->buf;
	}
	end = s + strlen(s);
	p = s;
	while (p < end) {
		const char *start = p;
		long cp;

		if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x80) {
			/* a run of plain ASCII */
			while (p < end && (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x80)
				p++;
			strbuf_add(out, start, (size_t)(p - start));
			continue;
		}
		cp = utf8_decode(&p, end);
		if (cp < 0)
			utf8_encode(out, 0xfffd);
		else if (xml_char_allowed(cp))
			strbuf_add(out, start, (size_t)(p - start));
	}
	strbuf_grow(out, 0);
	return out->buf;
}

/* The writer, with scratch buffers for cleaned text and a failure flag. */
struct feed_writer {
	xmlTextWriterPtr w;
	struct strbuf text;   /* cleaned text of the current call */
	struct strbuf url;    /* URLs being built */
	int failed;           /* a libxml2 call failed */
};

/* Notes a libxml2 failure (a negative return). */
static void check(struct feed_writer *fw, int rc)
{
	if (rc < 0)
		fw->failed = 1;
}

/* <name ...>: opens an element (qualified names such as "itunes:image"). */
static void start(struct feed_writer *fw, const char *name)
{
	check(fw, xmlTextWriterStartElement(fw->w, BAD_CAST name));
}

/* Closes the innermost open element ("<x/>" when it has no content). */
static void end(struct feed_writer *fw)
{
	check(fw, xmlTextWriterEndElement(fw->w));
}

/* An attribute of the element just opened; the value is cleaned and escaped. */
static void attr(struct feed_writer *fw, const char *name, const char *value)
{
	check(fw, xmlTextWriterWriteAttribute(fw->w, BAD_CAST name,
					      BAD_CAST xml_clean(&fw->text, value)));
}

/* Text content, cleaned and escaped ("]]>" included: it becomes "]]&gt;"). */
static void text(struct feed_writer *fw, const char *s)
{
	check(fw, xmlTextWriterWriteString(fw->w, BAD_CAST xml_clean(&fw->text, s)));
}

/* <name>s</name>. */
static void element(struct feed_writer *fw, const char *name, const char *s)
{
	start(fw, name);
	text(fw, s);
	end(fw);
}

/* <name>s</name>, only when s is set and not empty. */
static void element_opt(struct feed_writer *fw, const char *name, const char *s)
{
	if (s && *s)
		element(fw, name, s);
}

/* Whether s starts like an absolute http(s) URL. */
static int is_absolute_url(const char *s)
{
	return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

/*
 * base + rel into fw->url, rel percent-encoded except for its unreserved
 * characters and '/' (published file names are plain, but a space or a
 * '#' must not break the URL). An absolute rel is used as it is.
 * Returns fw->url.buf, valid until the next call.
 */
static const char *url_of(struct feed_writer *fw, const char *base, const char *rel)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	strbuf_reset(&fw->url);
	if (is_absolute_url(rel)) {
		strbuf_addstr(&fw->url, rel);
		return fw->url.buf;
	}
	strbuf_addstr(&fw->url, base ? base : "");
	for (p = (const unsigned char *)rel; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			strbuf_addch(&fw->url, *p);
		} else {
			strbuf_addch(&fw->url, '%');
			strbuf_addch(&fw->url, hex[*p >> 4]);
			strbuf_addch(&fw->url, hex[*p & 15]);
		}
	}
	return fw->url.buf;
}

/*
 * The xml-stylesheet processing instruction's pseudo-attributes, with
 * href escaped as an attribute value (so that "?>" cannot end the PI).
 */
static void stylesheet_pi(struct feed_writer *fw, const char *href)
{
	struct strbuf content = STRBUF_INIT;
	const char *p;

	strbuf_addstr(&content, "type=\"text/xsl\" href=\"");
	for (p = xml_clean(&fw->text, href); *p; p++) {
		switch (*p) {
		case '&': strbuf_addstr(&content, "&amp;"); break;
		case '<': strbuf_addstr(&content, "&lt;"); break;
		case '>': strbuf_addstr(&content, "&gt;"); break;
		case '"': strbuf_addstr(&content, "&quot;"); break;
		default: strbuf_addch(&content, *p); break;
		}
	}
	strbuf_addch(&content, '"');
	check(fw, xmlTextWriterWritePI(fw->w, BAD_CAST "xml-stylesheet",
				       BAD_CAST content.buf));
	strbuf_release(&content);
}

/* The name the cover is published under: the config's, or by the image's extension. */
static const char *cover_name(const struct feed_config *c)
{
	if (c->cover_name)
		return c->cover_name;
	if (c->image && !strcasecmp(path_ext(c->image), "png"))
		return "cover.png";
	return "cover.jpg";
}

/* The channel's own elements, before the items. */
static void write_channel_head(struct feed_writer *fw, const struct feed_config *c,
			       int64_t now)
{
	char date[40], *feed_url, *guid, *image_url;

	feed_url = feed_config_feed_url(c);
	guid = feed_config_podcast_guid(c);
	image_url = xasprintf("%s%s", c->base_url ? c->base_url : "", cover_name(c));

	element(fw, "title", c->title);
	element(fw, "link", c->link);
	element(fw, "description", c->description);
	element_opt(fw, "language", c->language);
	element_opt(fw, "copyright", c->copyright);
	rfc2822_date(now, date);
	element(fw, "lastBuildDate", date);
	element(fw, "generator", "revcast");

	start(fw, "atom:link");
	attr(fw, "href", feed_url);
	attr(fw, "rel", "self");
	attr(fw, "type", "application/rss+xml");
	end(fw);

	start(fw, "itunes:image");
	attr(fw, "href", image_url);
	end(fw);
	start(fw, "image");
	element(fw, "url", image_url);
	element(fw, "title", c->title);
	element(fw, "link", c->link);
	end(fw);

	if (c->category && *c->category) {
		start(fw, "itunes:category");
		attr(fw, "text", c->category);
		if (c->subcategory && *c->subcategory) {
			start(fw, "itunes:category");
			attr(fw, "text", c->subcategory);
			end(fw);
		}
		end(fw);
	}
	element(fw, "itunes:explicit", c->explicit_flag ? "true" : "false");
	element_opt(fw, "itunes:author", c->author);
	if (c->owner_email || c->owner_name) {
		start(fw, "itunes:owner");
		element_opt(fw, "itunes:name", c->owner_name);
		element_opt(fw, "itunes:email", c->owner_email);
		end(fw);
	}
	element(fw, "itunes:type", c->serial ? "serial" : "episodic");
	element(fw, "podcast:guid", guid);
	start(fw, "podcast:locked");
	if (c->owner_email)
		attr(fw, "owner", c->owner_email);
	text(fw, c->locked ? "yes" : "no");
	end(fw);

	free(image_url);
	free(guid);
	free(feed_url);
}

/* One <item>. */
static void write_item(struct feed_writer *fw, const struct feed_config *c,
		       const struct episode *e)
{
	char date[40], num[32];
	double d = e->duration;

	start(fw, "item");
	element(fw, "title", e->title);
	start(fw, "guid");
	attr(fw, "isPermaLink", "false");
	text(fw, e->guid);
	end(fw);
	rfc2822_date(e->pub_date, date);
	element(fw, "pubDate", date);

	start(fw, "enclosure");
	attr(fw, "url", url_of(fw, c->base_url, e->file ? e->file : ""));
	snprintf(num, sizeof(num), "%lld", (long long)(e->bytes > 0 ? e->bytes : 0));
	attr(fw, "length", num);
	attr(fw, "type", "audio/mpeg");
	end(fw);

	if (!isfinite(d) || d < 0)
		d = 0;
	snprintf(num, sizeof(num), "%lld", (long long)llround(d));
	element(fw, "itunes:duration", num);
	element_opt(fw, "itunes:author", e->author && *e->author ? e->author : c->author);
	element(fw, "itunes:explicit", e->explicit_flag ? "true" : "false");
	element_opt(fw, "description", e->summary);
	element_opt(fw, "content:encoded", e->content_html);
	if (e->page && *e->page)
		element(fw, "link", url_of(fw, c->base_url, e->page));
	else
		element(fw, "link", c->link);
	if (c->serial) {
		snprintf(num, sizeof(num), "%d", e->number);
		element(fw, "itunes:episode", num);
		element(fw, "itunes:episodeType", "full");
	}
	if (e->transcript_vtt && *e->transcript_vtt) {
		start(fw, "podcast:transcript");
		attr(fw, "url", url_of(fw, c->base_url, e->transcript_vtt));
		attr(fw, "type", "text/vtt");
		end(fw);
	}
	if (e->transcript_srt && *e->transcript_srt) {
		start(fw, "podcast:transcript");
		attr(fw, "url", url_of(fw, c->base_url, e->transcript_srt));
		attr(fw, "type", "application/x-subrip");
		end(fw);
	}
	if (e->chapters && *e->chapters) {
		start(fw, "podcast:chapters");
		attr(fw, "url", url_of(fw, c->base_url, e->chapters));
		attr(fw, "type", "application/json+chapters");
		end(fw);
	}
	end(fw);
}

/* Bump when feed_write()'s output changes in a way its inputs do not show. */
#define FEED_FORMAT 1

uint64_t feed_digest(const struct feed_config *c, const struct episode *eps, size_t nr,
		     int64_t now, const char *stylesheet)
{
	uint64_t h = DIGEST_INIT;
	size_t i;

	h = digest_num(h, FEED_FORMAT);
	h = digest_str(h, REVCAST_VERSION);
	h = digest_str(h, xmlParserVersion);
	h = digest_str(h, stylesheet);
	h = digest_num(h, now);
	/* the channel: write_channel_head() */
	h = digest_str(h, c->title);
	h = digest_str(h, c->link);
	h = digest_str(h, c->description);
	h = digest_str(h, c->language);
	h = digest_str(h, c->copyright);
	h = digest_str(h, c->base_url);
	h = digest_str(h, cover_name(c));
	h = digest_str(h, c->category);
	h = digest_str(h, c->subcategory);
	h = digest_num(h, c->explicit_flag);
	h = digest_str(h, c->author);
	h = digest_str(h, c->owner_name);
	h = digest_str(h, c->owner_email);
	h = digest_num(h, c->serial);
	h = digest_num(h, c->locked);
	h = digest_str(h, c->podcast_guid);
	/* the items: write_item() */
	h = digest_num(h, (int64_t)nr);
	for (i = 0; i < nr; i++) {
		const struct episode *e = &eps[i];

		h = digest_str(h, e->title);
		h = digest_str(h, e->guid);
		h = digest_num(h, e->pub_date);
		h = digest_str(h, e->file);
		h = digest_num(h, e->bytes);
		h = digest_bytes(h, &e->duration, sizeof(e->duration));
		h = digest_str(h, e->author);
		h = digest_num(h, e->explicit_flag);
		h = digest_str(h, e->summary);
		h = digest_str(h, e->content_html);
		h = digest_str(h, e->page);
		h = digest_num(h, e->number);
		h = digest_str(h, e->transcript_vtt);
		h = digest_str(h, e->transcript_srt);
		h = digest_str(h, e->chapters);
	}
	return h;
}

/*
 * libxml2's output callback: appends to the strbuf in ctx. Writing through
 * an xmlOutputBuffer straight into our buffer avoids an xmlBuffer, whose
 * growth copied the whole feed over and over (a tenth of a second for a
 * 12 MB feed of 10,000 items).
 */
static int write_to_strbuf(void *ctx, const char *data, int len)
{
	if (len > 0)
		strbuf_add(ctx, data, (size_t)len);
	return len;
}

/*
 * Writes the feed for c and eps[0..nr) (in that order) and appends it to
 * out. Returns 0, or -1 (printed) when libxml2 fails; out is then
 * unchanged.
 */
int feed_write(struct strbuf *out, const struct feed_config *c,
	       const struct episode *eps, size_t nr, int64_t now,
	       const char *stylesheet)
{
	struct feed_writer fw = { NULL, STRBUF_INIT, STRBUF_INIT, 0 };
	xmlOutputBufferPtr ob;
	size_t i, old_len = out->len;
	int ret = -1;

	/* about 1.3 kB an item: one allocation for most feeds */
	strbuf_grow(out, 4096 + nr * 1536);
	ob = xmlOutputBufferCreateIO(write_to_strbuf, NULL, out, NULL);
	if (!ob)
		return error("cannot write the feed: libxml2 cannot allocate a buffer");
	fw.w = xmlNewTextWriter(ob);   /* owns ob from here on */
	if (!fw.w) {
		xmlOutputBufferClose(ob);
		error("cannot write the feed: libxml2 cannot create a writer");
		goto out;
	}
	check(&fw, xmlTextWriterSetIndent(fw.w, 1));
	check(&fw, xmlTextWriterSetIndentString(fw.w, BAD_CAST "  "));
	check(&fw, xmlTextWriterStartDocument(fw.w, "1.0", "UTF-8", NULL));
	if (stylesheet)
		stylesheet_pi(&fw, stylesheet);

	start(&fw, "rss");
	attr(&fw, "version", "2.0");
	attr(&fw, "xmlns:itunes", NS_ITUNES);
	attr(&fw, "xmlns:podcast", NS_PODCAST);
	attr(&fw, "xmlns:content", NS_CONTENT);
	attr(&fw, "xmlns:atom", NS_ATOM);
	start(&fw, "channel");
	write_channel_head(&fw, c, now);
	for (i = 0; i < nr; i++)
		write_item(&fw, c, &eps[i]);
	end(&fw);   /* channel */
	end(&fw);   /* rss */
	check(&fw, xmlTextWriterEndDocument(fw.w));
	xmlFreeTextWriter(fw.w);   /* flushes into out and closes ob */
	fw.w = NULL;
	if (fw.failed) {
		error("cannot write the feed: libxml2 failed");
		goto out;
	}
	ret = 0;
out:
	if (fw.w)
		xmlFreeTextWriter(fw.w);
	if (ret) {
		out->len = old_len;
		out->buf[old_len] = '\0';
	}
	strbuf_release(&fw.text);
	strbuf_release(&fw.url);
	return ret;
}
