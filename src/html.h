/*
 * html.h - a review as HTML, for the feed's content:encoded and the
 * listening page. Text is escaped by libxml2.
 */
#ifndef REVCAST_HTML_H
#define REVCAST_HTML_H

#include "util.h"

struct review;

/*
 * Appends the review's blocks as HTML paragraphs, headings, quotes, lists:
 * exactly one element <p>, <hN> or <li> per block, in the blocks' order
 * (html_timed_body() relies on it).
 */
void html_review_body(struct strbuf *out, const struct review *r);

/* When review block i is spoken, in milliseconds; start_ms < 0: unknown. */
struct block_time {
	long long start_ms;
	long long end_ms;
};

/*
 * Appends `body` (HTML made by html_review_body()) re-serialised by
 * libxml2's HTML serialiser, with the times of its blocks: the Nth <p>,
 * <hN> or <li> is block N, and when times[N] is known the element gets
 * data-start and data-end (seconds), data-at ("1:05", for display) and
 * tabindex="0". Returns 0, or -1 (printed) when libxml2 cannot parse it.
 */
int html_timed_body(struct strbuf *out, const char *body,
		    const struct block_time *times, size_t nr_times);

/* "1:05" or "1:02:05" for a number of seconds (rounded down). */
void html_clock(struct strbuf *out, double seconds);

/* Appends text with &, <, >, " escaped. */
void html_escape(struct strbuf *out, const char *text);

/*
 * A plain-text summary of at most `max` bytes: front matter's summary, else
 * the first paragraph cut at a word boundary with an ellipsis. New string.
 */
char *review_summary(const struct review *r, size_t max);

#endif
