/*
 * html.h - a review as HTML, for the feed's content:encoded and the
 * listening page. Text is escaped by libxml2.
 */
#ifndef REVCAST_HTML_H
#define REVCAST_HTML_H

#include "util.h"

struct review;

/* Appends the review's blocks as HTML paragraphs, headings, quotes, lists. */
void html_review_body(struct strbuf *out, const struct review *r);

/* Appends text with &, <, >, " escaped. */
void html_escape(struct strbuf *out, const char *text);

/*
 * A plain-text summary of at most `max` bytes: front matter's summary, else
 * the first paragraph cut at a word boundary with an ellipsis. New string.
 */
char *review_summary(const struct review *r, size_t max);

#endif
