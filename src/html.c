/*
 * html.c - a review as HTML. See html.h.
 */
#include "html.h"
#include "review.h"

#include <libxml/entities.h>
#include <libxml/xmlmemory.h>
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
