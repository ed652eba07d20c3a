/*
 * html.c - a review as HTML. See html.h.
 */
#include "html.h"
#include "review.h"

#include <libxml/entities.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xmlmemory.h>
#include <math.h>
#include <string.h>

void html_escape(struct strbuf *out, const char *text)
{
	xmlChar *esc = xmlEncodeSpecialChars(NULL, (const xmlChar *)text);

	if (esc) {
		strbuf_addstr(out, (const char *)esc);
		xmlFree(esc);
	}
}

void html_review_body(struct strbuf *out, const struct review *r)
{
	size_t i;
	int in_list = 0, in_quote = 0;

	for (i = 0; i < r->nr_blocks; i++) {
		const struct block *b = &r->blocks[i];

		if (in_list && b->kind != BLOCK_LIST_ITEM) {
			strbuf_addstr(out, "</ul>\n");
			in_list = 0;
		}
		if (in_quote && b->kind != BLOCK_QUOTE) {
			strbuf_addstr(out, "</blockquote>\n");
			in_quote = 0;
		}
		switch (b->kind) {
		case BLOCK_HEADING: {
			int level = b->level < 1 ? 2 : b->level > 5 ? 6 : b->level + 1;

			strbuf_addf(out, "<h%d>", level);
			html_escape(out, b->text);
			strbuf_addf(out, "</h%d>\n", level);
			break;
		}
		case BLOCK_LIST_ITEM:
			if (!in_list)
				strbuf_addstr(out, "<ul>\n");
			in_list = 1;
			strbuf_addstr(out, "<li>");
			html_escape(out, b->text);
			strbuf_addstr(out, "</li>\n");
			break;
		case BLOCK_QUOTE:
			if (!in_quote)
				strbuf_addstr(out, "<blockquote>\n");
			in_quote = 1;
			/* fall through */
		case BLOCK_PARAGRAPH:
			strbuf_addstr(out, "<p>");
			html_escape(out, b->text);
			strbuf_addstr(out, "</p>\n");
			break;
		}
	}
	if (in_list)
		strbuf_addstr(out, "</ul>\n");
	if (in_quote)
		strbuf_addstr(out, "</blockquote>\n");
}

char *review_summary(const struct review *r, size_t max)
{
	const char *text = r->summary;
	size_t i, len, cut;

	for (i = 0; !text && i < r->nr_blocks; i++)
		if (r->blocks[i].kind == BLOCK_PARAGRAPH)
			text = r->blocks[i].text;
	if (!text)
		text = r->title;
	len = strlen(text);
	if (len <= max)
		return xstrdup(text);
	/* Cut at the last space before max - 3 (room for the ellipsis). */
	cut = max > 3 ? max - 3 : 0;
	while (cut > 0 && text[cut] != ' ')
		cut--;
	if (cut == 0) {
		cut = max > 3 ? max - 3 : 0;
		while (cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
			cut--;   /* not inside a UTF-8 sequence */
	}
	while (cut > 0 && strchr(",;:-", text[cut - 1]))
		cut--;
	return xasprintf("%.*s\xe2\x80\xa6", (int)cut, text);
}

void html_clock(struct strbuf *out, double seconds)
{
	long long s = seconds > 0 && isfinite(seconds) ? (long long)seconds : 0;

	if (s >= 3600)
		strbuf_addf(out, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
	else
		strbuf_addf(out, "%lld:%02lld", s / 60, s % 60);
}

/* Whether element n stands for one review block: p, h1-h6 or li. */
static int is_block_element(const xmlNode *n)
{
	const char *name = (const char *)n->name;

	return n->type == XML_ELEMENT_NODE &&
	       (!strcmp(name, "p") || !strcmp(name, "li") ||
		(name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]));
}

/* Sets attribute name of n to "S.mmm" seconds for ms. */
static void set_seconds(xmlNode *n, const char *name, long long ms)
{
	char v[48];

	snprintf(v, sizeof(v), "%lld.%03lld", ms / 1000, ms % 1000);
	xmlSetProp(n, BAD_CAST name, BAD_CAST v);
}

/* Gives the block elements under n their times; *k counts blocks in document order. */
static void time_blocks(xmlNode *n, const struct block_time *times, size_t nr, size_t *k)
{
	for (; n; n = n->next) {
		if (is_block_element(n)) {
			size_t i = (*k)++;

			if (i < nr && times[i].start_ms >= 0) {
				struct strbuf at = STRBUF_INIT;

				set_seconds(n, "data-start", times[i].start_ms);
				set_seconds(n, "data-end", times[i].end_ms > times[i].start_ms ?
					    times[i].end_ms : times[i].start_ms);
				html_clock(&at, (double)times[i].start_ms / 1000.0);
				xmlSetProp(n, BAD_CAST "data-at", BAD_CAST at.buf);
				xmlSetProp(n, BAD_CAST "tabindex", BAD_CAST "0");
				strbuf_release(&at);
			}
			continue;   /* blocks do not nest */
		}
		if (n->type == XML_ELEMENT_NODE)
			time_blocks(n->children, times, nr, k);
	}
}

int html_timed_body(struct strbuf *out, const char *body,
		    const struct block_time *times, size_t nr_times)
{
	htmlDocPtr doc;
	xmlNode *root, *b, *n;
	xmlOutputBufferPtr ob = NULL;
	const xmlChar *content;
	size_t k = 0;
	int ret = -1;

	if (!body || !*body)
		return 0;
	doc = htmlReadMemory(body, (int)strlen(body), NULL, "UTF-8",
			     HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (!doc)
		return error("cannot parse an episode's HTML");
	/* The parser puts the fragment in <html><body>. */
	root = xmlDocGetRootElement(doc);
	for (b = root ? root->children : NULL; b; b = b->next)
		if (b->type == XML_ELEMENT_NODE && !strcmp((const char *)b->name, "body"))
			break;
	if (!b) {
		ret = 0;
		goto out;
	}
	time_blocks(b->children, times, nr_times, &k);
	ob = xmlAllocOutputBuffer(NULL);
	if (!ob) {
		error("libxml2 cannot allocate a buffer");
		goto out;
	}
	for (n = b->children; n; n = n->next)
		htmlNodeDumpFormatOutput(ob, doc, n, "UTF-8", 0);
	if (xmlOutputBufferFlush(ob) < 0 || ob->error) {
		error("libxml2 cannot write an episode's HTML");
		goto out;
	}
	content = xmlOutputBufferGetContent(ob);
	if (content)
		strbuf_add(out, content, xmlOutputBufferGetSize(ob));
	ret = 0;
out:
	if (ob)
		xmlOutputBufferClose(ob);
	xmlFreeDoc(doc);
	return ret;
}
