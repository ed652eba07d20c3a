/*
 * review.h - a review as revcast understands it: metadata plus the blocks
 * of text that will be spoken, read from plain text or from Markdown with
 * YAML front matter.
 *
 * Stage 1 of the pipeline: review -> text -> speech -> audio -> episode.
 */
#ifndef REVCAST_REVIEW_H
#define REVCAST_REVIEW_H

#include <stddef.h>

/* Reviews larger than this are refused with an error. */
#define REVIEW_MAX_BYTES (2u * 1024 * 1024)

enum block_kind {
	BLOCK_PARAGRAPH,
	BLOCK_HEADING,
	BLOCK_QUOTE,     /* a paragraph inside a block quote */
	BLOCK_LIST_ITEM,
};

/*
 * One unit of spoken text. `text` is one line of clean UTF-8: hard wraps
 * joined with single spaces, no control characters, no leading or trailing
 * white space, no-break spaces turned into spaces, no Markdown syntax. It
 * is the text as the reader sees it (curly quotes, dashes and ellipses are
 * kept; the text stage decides how to say them).
 */
struct block {
	enum block_kind kind;
	int level;      /* heading level 1-6; nesting depth for quotes and lists */
	char *text;
	int line;       /* 1-based line in the source file where it starts */
};

/* Something in the source that is deliberately not spoken, and why. */
struct notice {
	int line;
	char *what;     /* e.g. "rust bone2" */
	char *why;      /* e.g. "image caption" */
};

struct review {
	char *path;     /* as given to review_read() */
	char *title;    /* never NULL after a successful read */
	char *author;   /* NULL when unknown */
	char *date;     /* YYYY-MM-DD from front matter, or NULL */
	char *lang;     /* BCP 47 tag such as "en", "en-US" or "fr"; NULL if not given */
	char *voice;    /* voice profile name from front matter, or NULL */
	char *slug;     /* from front matter, or NULL (derived later from the title) */
	char *image;    /* cover image path from front matter (relative to the review), or NULL */
	char *summary;  /* from front matter, or NULL */
	char *lexicon;  /* extra lexicon file named in front matter, or NULL */
	int explicit_flag; /* -1 not given, 0 false, 1 true */

	struct block *blocks;
	size_t nr_blocks, alloc_blocks;
	struct notice *notices;
	size_t nr_notices, alloc_notices;
};

/* Sets every field to empty; allocates nothing. */
void review_init(struct review *r);
/* Frees everything the review owns and leaves it as after review_init(). */
void review_release(struct review *r);

/*
 * Reads `path` into r, which need not be initialised (anything in it is
 * overwritten, not freed), choosing the format by extension: ".md" and ".markdown" are
 * Markdown with optional YAML front matter, anything else is plain text.
 * On failure prints one error naming the file (and line where there is one),
 * e.g. "reviews/x.txt:12: invalid UTF-8", leaves r released, returns -1.
 * Fails on: unreadable or missing file, a file over REVIEW_MAX_BYTES, an
 * empty file, binary data (NUL bytes), invalid UTF-8, bad front matter,
 * and a review with a title but nothing to speak.
 */
int review_read(struct review *r, const char *path);

/* The same from memory; `path` is only used in messages and stored. */
int review_parse_text(struct review *r, const char *path, const char *buf, size_t len);
int review_parse_markdown(struct review *r, const char *path, const char *buf, size_t len);

const char *block_kind_name(enum block_kind k);

#endif
