/*
 * review.c - reads a review (plain text, or Markdown with YAML front
 * matter) into a struct review: metadata plus the blocks to be spoken.
 *
 * Both formats go through the same steps:
 *
 *   1. prepare_input(): size limit, byte order mark dropped, CR LF and lone
 *      CR turned into LF (so that every kind of line end counts as one
 *      line), then NUL bytes, invalid UTF-8 and empty input refused;
 *   2. a format parser that fills in the title and the blocks, cleaning
 *      every piece of text with clean_text();
 *   3. finish_review(): the byline is taken out and the result checked.
 *
 * The parser is meant to be fuzzed: it never trusts a length it did not
 * compute, every loop advances, and nothing recurses on the input's
 * nesting (cmark trees are walked with cmark's iterator).
 *
 * Heuristics for plain text, deliberately conservative:
 *
 *   Image captions. Articles copied from the web often keep the caption or
 *   file name of the picture above the first paragraph ("rust bone2"). The
 *   first line of a paragraph is taken for a caption, recorded as a notice
 *   and not spoken, when either
 *     - its form says so on its own: it starts with "Photo:", "Image:",
 *       "Credit:" and the like, or ends in an image extension (".jpg"),
 *       and it is at most 12 words long; or
 *     - it looks like an image slug (is_slug(): at most 6 words of lower
 *       case ASCII letters, digits, '-', '_' and '.', no sentence
 *       punctuation, and a mark no prose word has, such as a digit glued to
 *       a letter, an underscore, or a hyphen inside a word) AND the next
 *       line of the same paragraph reads like the start of a sentence
 *       (is_prose(): three words or more, not starting in lower case).
 *   A short first line of real prose ("Brilliant" or "and yet") lacks the
 *   slug marks, so it stays and is joined to the lines below it.
 *
 *   Bylines. A paragraph that is the first or the last block, of the form
 *   "<prefix> <name>" with a prefix such as "Words by", "Review by",
 *   "Reviewed by", "Written by", "Text by" or "By", gives the author when
 *   the name looks like a name (name_like(): 1-8 words, each capitalised
 *   or a particle such as "de", "van" or "and", no digits, no sentence
 *   punctuation). A trailing full stop is dropped. The byline is recorded
 *   as a notice and not spoken, so the author is not read twice. "By the
 *   end of the film, ..." fails the name test on "the".
 *
 * Markdown choices: a paragraph in a list item is BLOCK_LIST_ITEM with the
 * list nesting depth as level; the first paragraph of an item in an
 * ordered list keeps its number ("2. Second point") so that the listener
 * hears the order. A paragraph directly in a block quote is BLOCK_QUOTE
 * with the quote nesting depth as level. A level-1 heading with the same
 * text as the front matter title is not spoken again.
 */
#include "review.h"
#include "util.h"

#include <cmark.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* Front matter starts on the line after its opening "---" (line 1). */
#define FRONT_MATTER_FIRST_LINE 2

/* ---- the review itself ------------------------------------------------ */

/* Sets every field to empty; allocates nothing. */
void review_init(struct review *r)
{
	memset(r, 0, sizeof(*r));
	r->explicit_flag = -1;
}

/* Frees everything the review owns and leaves it as after review_init(). */
void review_release(struct review *r)
{
	size_t i;

	free(r->path);
	free(r->title);
	free(r->author);
	free(r->date);
	free(r->lang);
	free(r->voice);
	free(r->slug);
	free(r->image);
	free(r->summary);
	free(r->lexicon);
	for (i = 0; i < r->nr_blocks; i++)
		free(r->blocks[i].text);
	free(r->blocks);
	for (i = 0; i < r->nr_notices; i++) {
		free(r->notices[i].what);
		free(r->notices[i].why);
	}
	free(r->notices);
	review_init(r);
}

/* The name of a block kind for messages and dumps; never NULL. */
const char *block_kind_name(enum block_kind k)
{
	switch (k) {
	case BLOCK_PARAGRAPH:
		return "paragraph";
	case BLOCK_HEADING:
		return "heading";
	case BLOCK_QUOTE:
		return "quote";
	case BLOCK_LIST_ITEM:
		return "list item";
	}
	return "unknown";
}

/* Appends a block; the review takes ownership of `text`. Cannot fail. */
static void add_block(struct review *r, enum block_kind kind, int level,
		      char *text, int line)
{
	struct block *b;

	ALLOC_GROW(r->blocks, r->nr_blocks + 1, r->alloc_blocks);
	b = &r->blocks[r->nr_blocks++];
	b->kind = kind;
	b->level = level;
	b->text = text;
	b->line = line;
}

/* Removes block i (which must exist), freeing its text. Cannot fail. */
static void remove_block(struct review *r, size_t i)
{
	free(r->blocks[i].text);
	memmove(r->blocks + i, r->blocks + i + 1,
		(r->nr_blocks - i - 1) * sizeof(*r->blocks));
	r->nr_blocks--;
}

/* Records something that is not spoken; copies both strings. */
static void add_notice(struct review *r, int line, const char *what, const char *why)
{
	struct notice *n;

	ALLOC_GROW(r->notices, r->nr_notices + 1, r->alloc_notices);
	n = &r->notices[r->nr_notices++];
	n->line = line;
	n->what = xstrdup(what);
	n->why = xstrdup(why);
}

/* ---- clean text ------------------------------------------------------- */

enum char_class { CH_KEEP, CH_SPACE, CH_DROP };

/*
 * Sorts a code point for clean_text(): white space (ASCII white space, NEL,
 * the no-break spaces U+00A0 and U+202F and the other Unicode spaces and
 * line separators) becomes a space; C0 and C1 controls, DEL and invisible
 * format characters (soft hyphen, zero-width space, word joiner, byte
 * order mark, bidirectional controls, noncharacters) are dropped; anything
 * else, curly quotes, dashes and ellipses included, is kept. An invalid
 * sequence (-1) is dropped.
 */
static enum char_class classify(long cp)
{
	if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\v' || cp == '\f' ||
	    cp == '\r' || cp == 0x85)
		return CH_SPACE;
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return CH_DROP;
	if (cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000)
		return CH_SPACE;
	if (cp == 0xad || cp == 0x200b || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || cp == 0x2060 ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff ||
	    cp == 0xfffe || cp == 0xffff)
		return CH_DROP;
	return CH_KEEP;
}

/*
 * Returns s[0..len) as a new string of clean text: white space (see
 * classify()) collapsed to single ASCII spaces and trimmed at both ends,
 * control and invisible format characters removed, everything else copied
 * byte for byte. The result may be empty, never NULL.
 */
static char *clean_text(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = s, *end;
	int space = 0;

	if (!len)
		return xstrdup("");
	end = s + len;
	while (p < end) {
		const char *at = p;

		switch (classify(utf8_decode(&p, end))) {
		case CH_SPACE:
			space = sb.len > 0;
			break;
		case CH_DROP:
			break;
		case CH_KEEP:
			if (space)
				strbuf_addch(&sb, ' ');
			space = 0;
			strbuf_add(&sb, at, (size_t)(p - at));
			break;
		}
	}
	return strbuf_detach(&sb, NULL);
}

/* Whether s[0..len) has anything clean_text() would keep. */
static int has_visible(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while (p < end)
		if (classify(utf8_decode(&p, end)) == CH_KEEP)
			return 1;
	return 0;
}

/*
 * The first line of s, at most `max` bytes of it (cut on a character
 * boundary), as clean text. For notices about code and HTML blocks.
 */
static char *first_line(const char *s, size_t max)
{
	size_t n = strcspn(s, "\n");

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return clean_text(s, n);
}

/* Number of words in clean text (words are separated by single spaces). */
static size_t count_words(const char *s)
{
	size_t n = *s ? 1 : 0;

	for (; *s; s++)
		if (*s == ' ')
			n++;
	return n;
}

/* ---- input checks ----------------------------------------------------- */

/*
 * Copies buf[0..len) into sb without a leading UTF-8 byte order mark and
 * with every CR LF and lone CR turned into one LF. Line numbers are then
 * the same whichever line ends the file used. Cannot fail.
 */
static void normalize_newlines(struct strbuf *sb, const char *buf, size_t len)
{
	size_t i = 0, run;

	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		i = 3;
	strbuf_grow(sb, len - i);
	while (i < len) {
		run = i;
		while (run < len && buf[run] != '\r')
			run++;
		strbuf_add(sb, buf + i, run - i);
		if (run == len)
			break;
		strbuf_addch(sb, '\n');
		i = run + 1;
		if (i < len && buf[i] == '\n')
			i++;
	}
}

/*
 * Fills sb with the normalized text of buf (see normalize_newlines()) and
 * checks it. On a review too large, binary data (a NUL byte), invalid
 * UTF-8 or nothing but white space, prints one error naming `path` (and
 * the line) and returns -1.
 */
static int prepare_input(struct strbuf *sb, const char *path, const char *buf, size_t len)
{
	const char *nul;
	size_t bad;

	if (len > REVIEW_MAX_BYTES)
		return error("%s: too large (%zu bytes; the limit is %u)",
			     path, len, REVIEW_MAX_BYTES);
	if (!buf)
		len = 0;
	normalize_newlines(sb, buf, len);
	nul = memchr(sb->buf, '\0', sb->len);
	if (nul)
		return error("%s:%d: binary data (a NUL byte), not a review", path,
			     line_of_offset(sb->buf, (size_t)(nul - sb->buf)));
	bad = utf8_invalid_at(sb->buf, sb->len);
	if (bad < sb->len)
		return error("%s:%d: invalid UTF-8", path, line_of_offset(sb->buf, bad));
	if (!sb->len)
		return error("%s: empty file", path);
	if (!has_visible(sb->buf, sb->len))
		return error("%s: nothing but white space", path);
	return 0;
}

/* ---- bylines ---------------------------------------------------------- */

/* ASCII-only character tests: ctype's depend on the locale. */
static int is_ascii_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_ascii_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int is_ascii_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_ascii_alnum(int c)
{
	return is_ascii_upper(c) || is_ascii_lower(c) || is_ascii_digit(c);
}

/*
 * Whether code point cp may be a letter of a name outside ASCII: Latin-1
 * letters and up, but not the general punctuation, symbol and CJK
 * punctuation blocks. Without Unicode tables this is approximate.
 */
static int is_name_letter(long cp)
{
	if (cp == 0xd7 || cp == 0xf7)
		return 0;
	return (cp >= 0xc0 && cp < 0x2000) || (cp >= 0x3040 && cp < 0xfe00) ||
	       cp >= 0x10000;
}

/* Lower-case words that may appear inside a name. */
static const char *const name_particles[] = {
	"and", "&", "de", "da", "di", "do", "du", "dos", "das", "del", "della",
	"der", "den", "van", "von", "la", "le", "bin", "ibn", "al", "el", "y",
	"e", "ter", "ten", "zu", "af",
};

/* Whether w[0..len) is one of name_particles. */
static int is_particle(const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(name_particles); i++)
		if (strlen(name_particles[i]) == len && !memcmp(w, name_particles[i], len))
			return 1;
	return 0;
}

/*
 * Whether w[0..len) can be a word of a person's name: a particle (not as
 * the first word), or a capital followed by letters, '.', '-', an
 * apostrophe (straight or curly) and at most a final comma. No digits and
 * no other punctuation.
 */
static int name_word(const char *w, size_t len, int first)
{
	const char *p = w, *end = w + len;
	long cp;

	if (!first && is_particle(w, len))
		return 1;
	cp = utf8_decode(&p, end);
	if (!is_ascii_upper((int)cp) && !is_name_letter(cp))
		return 0;
	while (p < end) {
		cp = utf8_decode(&p, end);
		if (cp == ',' && p == end)
			continue;
		if (!is_ascii_upper((int)cp) && !is_ascii_lower((int)cp) &&
		    cp != '.' && cp != '-' && cp != '\'' && cp != 0x2019 &&
		    !is_name_letter(cp))
			return 0;
	}
	return 1;
}

/* Whether clean text `s` looks like a person's name (see name_word()). */
static int name_like(const char *s)
{
	size_t words = 0, len = strlen(s);
	const char *p = s;

	if (!len || len > 100 || s[len - 1] == ',')
		return 0;
	while (*p) {
		size_t n = strcspn(p, " ");

		if (++words > 8 || !name_word(p, n, words == 1))
			return 0;
		p += n;
		if (*p)
			p++;
	}
	return 1;
}

static const char *const byline_prefixes[] = {
	"words by ", "review by ", "reviewed by ", "written by ", "text by ", "by ",
};

/*
 * Returns the name in a byline such as "Words by Carol Bowditch." (the
 * final full stop dropped) as a new string, or NULL when clean text `s`
 * is not a byline.
 */
static char *byline_name(const char *s)
{
	const char *rest = NULL;
	char *name;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(byline_prefixes) && !rest; i++) {
		n = strlen(byline_prefixes[i]);
		if (!strncasecmp(s, byline_prefixes[i], n))
			rest = s + n;
	}
	if (!rest)
		return NULL;
	n = strlen(rest);
	if (n && rest[n - 1] == '.')
		n--;
	name = xstrndup(rest, n);
	if (!name_like(name)) {
		free(name);
		return NULL;
	}
	return name;
}

/*
 * If block i is a paragraph that is a byline, removes it, records a
 * notice, sets the author unless one is known already, and returns 1;
 * returns 0 and changes nothing otherwise.
 */
static int take_byline_at(struct review *r, size_t i)
{
	struct block *b = &r->blocks[i];
	char *name;

	if (b->kind != BLOCK_PARAGRAPH)
		return 0;
	name = byline_name(b->text);
	if (!name)
		return 0;
	add_notice(r, b->line, b->text, "byline");
	if (!r->author)
		r->author = name;
	else
		free(name);
	remove_block(r, i);
	return 1;
}

/* Takes a byline out of the first and of the last block. Cannot fail. */
static void take_byline(struct review *r)
{
	if (r->nr_blocks)
		take_byline_at(r, 0);
	if (r->nr_blocks > 1)
		take_byline_at(r, r->nr_blocks - 1);
}

/*
 * Last step of both parsers: takes out the byline, then checks that there
 * is a title and something to speak. On failure prints one error naming
 * `path` and returns -1.
 */
static int finish_review(struct review *r, const char *path)
{
	take_byline(r);
	if (!r->title)
		return error("%s: nothing to speak", path);
	if (!r->nr_blocks)
		return error("%s: nothing to speak after the title", path);
	return 0;
}

/* ---- plain text: captions --------------------------------------------- */

static const char *const caption_prefixes[] = {
	"photo:", "photograph:", "photo credit:", "image:", "image credit:",
	"picture:", "pictured:", "credit:", "caption:",
};

static const char *const image_exts[] = {
	".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".heic", ".tif",
	".tiff", ".bmp", ".svg",
};

/*
 * Whether clean text `s` is a caption by its form alone: at most 12 words,
 * starting with a prefix such as "Photo:" or ending in an image file
 * extension ("IMG_2041.jpg").
 */
static int is_marked_caption(const char *s)
{
	size_t i, n = strlen(s), e;

	if (count_words(s) > 12)
		return 0;
	for (i = 0; i < ARRAY_SIZE(caption_prefixes); i++)
		if (!strncasecmp(s, caption_prefixes[i], strlen(caption_prefixes[i])))
			return 1;
	for (i = 0; i < ARRAY_SIZE(image_exts); i++) {
		e = strlen(image_exts[i]);
		if (n > e && !strcasecmp(s + n - e, image_exts[i]))
			return 1;
	}
	return 0;
}

/*
 * Whether clean text `s` looks like an image slug or file name: at most 6
 * words and 60 bytes of lower-case ASCII letters, digits, spaces, '_',
 * and '-' or '.' between letters or digits, with at least one mark that
 * prose words lack: a digit glued to a letter ("bone2"), an underscore, or
 * a hyphen or dot inside a word ("rust-bone").
 */
static int is_slug(const char *s)
{
	size_t i, n = strlen(s);
	int mark = 0;

	if (!n || n > 60 || count_words(s) > 6)
		return 0;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		int prev = i ? (unsigned char)s[i - 1] : ' ';
		int next = i + 1 < n ? (unsigned char)s[i + 1] : ' ';

		if (is_ascii_lower(c)) {
			if (is_ascii_digit(prev) || is_ascii_digit(next))
				mark = 1;
		} else if (c == '_') {
			mark = 1;
		} else if (c == '-' || c == '.') {
			if (!is_ascii_alnum(prev) || !is_ascii_alnum(next))
				return 0;
			mark = 1;
		} else if (!is_ascii_digit(c) && c != ' ') {
			return 0;
		}
	}
	return mark;
}

/*
 * Whether clean text `s` reads like the start of a sentence: three words
 * or more, not starting with a lower-case ASCII letter, and not a slug.
 */
static int is_prose(const char *s)
{
	return count_words(s) >= 3 && !is_ascii_lower((unsigned char)s[0]) && !is_slug(s);
}

/* ---- plain text ------------------------------------------------------- */

/* A non-blank line of plain text, cleaned, with its paragraph number. */
struct tline {
	char *text;
	int line;
	int para;
};

struct tlines {
	struct tline *v;
	size_t nr, alloc;
};

/* Frees the lines and their texts; tl is empty afterwards. */
static void tlines_release(struct tlines *tl)
{
	size_t i;

	for (i = 0; i < tl->nr; i++)
		free(tl->v[i].text);
	free(tl->v);
	tl->v = NULL;
	tl->nr = tl->alloc = 0;
}

/*
 * Splits LF-separated buf into cleaned non-blank lines, numbering the
 * paragraphs (runs of non-blank lines between blank ones). A line that is
 * empty after cleaning (white space, no-break spaces, controls) is blank.
 */
static void split_lines(struct tlines *tl, const char *buf, size_t len)
{
	size_t start = 0, i;
	int line = 1, para = 0, blank = 1;

	for (i = 0; i <= len; i++) {
		char *text;

		if (i < len && buf[i] != '\n')
			continue;
		text = clean_text(buf + start, i - start);
		if (!*text) {
			free(text);
			para += !blank;
			blank = 1;
		} else {
			ALLOC_GROW(tl->v, tl->nr + 1, tl->alloc);
			tl->v[tl->nr].text = text;
			tl->v[tl->nr].line = line;
			tl->v[tl->nr].para = para;
			tl->nr++;
			blank = 0;
		}
		line++;
		start = i + 1;
	}
}

/* Whether the first of the n lines of a paragraph is an image caption. */
static int is_caption(const struct tline *l, size_t n)
{
	if (is_marked_caption(l[0].text))
		return 1;
	return n >= 2 && is_slug(l[0].text) && is_prose(l[1].text);
}

/*
 * Adds the paragraph made of n lines as one block, the lines joined with
 * single spaces, after recording and dropping any captions at its top.
 */
static void text_paragraph(struct review *r, const struct tline *l, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	while (n && is_caption(l, n)) {
		add_notice(r, l->line, l->text, "image caption");
		l++;
		n--;
	}
	if (!n)
		return;
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, l[i].text);
	}
	add_block(r, BLOCK_PARAGRAPH, 0, strbuf_detach(&sb, NULL), l->line);
}

/*
 * Reads plain text: the first non-blank line is the title, the rest are
 * paragraphs (a title's own paragraph continues as a paragraph of its
 * own). See the top of this file for captions and bylines. On failure
 * prints one error, leaves r released and returns -1.
 */
int review_parse_text(struct review *r, const char *path, const char *buf, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	struct tlines tl = { NULL, 0, 0 };
	size_t a, b;
	int ret = -1;

	review_init(r);
	r->path = xstrdup(path);
	if (prepare_input(&sb, path, buf, len))
		goto out;
	split_lines(&tl, sb.buf, sb.len);
	if (tl.nr)
		r->title = xstrdup(tl.v[0].text);
	for (a = 1; a < tl.nr; a = b) {
		for (b = a + 1; b < tl.nr && tl.v[b].para == tl.v[a].para; b++)
			;
		text_paragraph(r, tl.v + a, b - a);
	}
	ret = finish_review(r, path);
out:
	tlines_release(&tl);
	strbuf_release(&sb);
	if (ret)
		review_release(r);
	return ret;
}

/* ---- Markdown: front matter ------------------------------------------- */

enum fm_type { FM_TEXT, FM_PATH, FM_DATE, FM_LANG, FM_VOICE, FM_SLUG, FM_BOOL };

static const struct fm_key {
	const char *name;
	enum fm_type type;
	size_t field;   /* offsetof the char * in struct review; unused for FM_BOOL */
} fm_keys[] = {
	{ "title", FM_TEXT, offsetof(struct review, title) },
	{ "author", FM_TEXT, offsetof(struct review, author) },
	{ "date", FM_DATE, offsetof(struct review, date) },
	{ "lang", FM_LANG, offsetof(struct review, lang) },
	{ "voice", FM_VOICE, offsetof(struct review, voice) },
	{ "slug", FM_SLUG, offsetof(struct review, slug) },
	{ "explicit", FM_BOOL, 0 },
	{ "image", FM_PATH, offsetof(struct review, image) },
	{ "summary", FM_TEXT, offsetof(struct review, summary) },
	{ "lexicon", FM_PATH, offsetof(struct review, lexicon) },
};

/* Where the event parser is in "--- {key: scalar, ...} ...". */
enum fm_state { FM_STREAM, FM_DOC, FM_MAP, FM_KEY, FM_VALUE, FM_DOC_END, FM_END };

struct fm_parse {
	struct review *r;
	const char *path;
	enum fm_state state;
	const struct fm_key *key;   /* the key whose value comes next */
	unsigned seen;              /* bit i: fm_keys[i] was given */
};

/* Whether s[0..n) is "YYYY-MM-DD" naming a real day (year 0001-9999). */
static int valid_date(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = 0, m, d, i;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_ascii_digit((unsigned char)s[i]))
			return 0;
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29)
		return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	return 1;
}

/*
 * Whether s[0..n) has the shape of a BCP 47 tag: a primary language of 2-3
 * letters, then subtags of 1-8 letters or digits after hyphens, at most 35
 * bytes ("en", "en-US", "zh-Hant-TW", "es-419"). The registry is not
 * consulted.
 */
static int valid_lang(const char *s, size_t n)
{
	size_t i = 0, run = 0;

	if (n < 2 || n > 35)
		return 0;
	while (i < n && (is_ascii_lower((unsigned char)s[i]) || is_ascii_upper((unsigned char)s[i])))
		i++;
	if (i < 2 || i > 3)
		return 0;
	for (; i < n; i++) {
		if (s[i] == '-') {
			if (i + 1 == n || s[i + 1] == '-')
				return 0;
			run = 0;
		} else if (!is_ascii_alnum((unsigned char)s[i]) || ++run > 8) {
			return 0;
		}
	}
	return 1;
}

/* Whether s[0..n) is 1-80 lower-case ASCII letters, digits and hyphens. */
static int valid_slug(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > 80)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_ascii_lower((unsigned char)s[i]) &&
		    !is_ascii_digit((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/*
 * Whether s[0..n) can name a voice profile: 1-64 ASCII letters, digits,
 * '-', '_', '+' and '.', not starting with '.', so that it can never
 * climb out of the voices directory.
 */
static int valid_voice(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > 64 || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!is_ascii_alnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '+' && s[i] != '.')
			return 0;
	return 1;
}

/* Whether s[0..n) has no control characters (a path on one line). */
static int valid_path(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while (p < end) {
		long cp = utf8_decode(&p, end);

		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return 0;
	}
	return n > 0;
}

/* Whether a scalar means "no value": empty, "~" or "null" unquoted. */
static int is_null_scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

	if (!n)
		return 1;
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return (n == 1 && v[0] == '~') ||
	       (n == 4 && (!memcmp(v, "null", 4) || !memcmp(v, "Null", 4) ||
			   !memcmp(v, "NULL", 4)));
}

/*
 * Checks the value of key k and stores it in the review. On a bad value
 * prints "path:LINE: bad ..." and returns -1. A null value leaves the
 * field unset.
 */
static int fm_set(struct fm_parse *fp, const struct fm_key *k, const yaml_event_t *ev, int line)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	char **dst = (char **)(void *)((char *)fp->r + k->field);
	int ok = 1, b;

	if (is_null_scalar(ev))
		return 0;
	switch (k->type) {
	case FM_TEXT:
		*dst = clean_text(v, n);
		if (!**dst) {
			free(*dst);
			*dst = NULL;
		}
		return 0;
	case FM_BOOL:
		b = memchr(v, '\0', n) ? -1 : parse_bool(v);
		if (b < 0)
			return error("%s:%d: bad value '%.40s' for 'explicit' (expected true or false)",
				     fp->path, line, v);
		fp->r->explicit_flag = b;
		return 0;
	case FM_DATE:
		ok = valid_date(v, n);
		break;
	case FM_LANG:
		ok = valid_lang(v, n);
		break;
	case FM_VOICE:
		ok = valid_voice(v, n);
		break;
	case FM_SLUG:
		ok = valid_slug(v, n);
		break;
	case FM_PATH:
		ok = valid_path(v, n);
		break;
	}
	if (!ok) {
		static const char *const expect[] = {
			[FM_DATE] = "a real date as YYYY-MM-DD",
			[FM_LANG] = "a language tag such as en, en-US or fr",
			[FM_VOICE] = "a voice name of letters, digits, '-', '_', '+' and '.'",
			[FM_SLUG] = "1-80 lower-case letters, digits and hyphens",
			[FM_PATH] = "a path on one line",
		};
		return error("%s:%d: bad %s '%.40s' (expected %s)",
			     fp->path, line, k->name, v, expect[k->type]);
	}
	*dst = xstrndup(v, n);
	return 0;
}

/*
 * Handles a scalar in key position: finds the key in fm_keys. On an
 * unknown or repeated key prints "path:LINE: ..." and returns -1.
 */
static int fm_key(struct fm_parse *fp, const yaml_event_t *ev, int line)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length, i;

	for (i = 0; i < ARRAY_SIZE(fm_keys); i++) {
		if (strlen(fm_keys[i].name) != n || memcmp(fm_keys[i].name, v, n))
			continue;
		if (fp->seen & (1u << i))
			return error("%s:%d: front matter key '%s' given twice",
				     fp->path, line, fm_keys[i].name);
		fp->seen |= 1u << i;
		fp->key = &fm_keys[i];
		return 0;
	}
	return error("%s:%d: unknown front matter key '%.40s'", fp->path, line, v);
}

/*
 * Feeds one libyaml event to the front matter state machine, which accepts
 * nothing (an empty front matter) or one mapping of known keys to scalar
 * values. On anything else prints "path:LINE: ..." and returns -1.
 */
static int fm_event(struct fm_parse *fp, const yaml_event_t *ev)
{
	int line = (int)ev->start_mark.line + FRONT_MATTER_FIRST_LINE;
	yaml_event_type_t t = ev->type;

	switch (fp->state) {
	case FM_STREAM:
		fp->state = FM_DOC;
		return 0;
	case FM_DOC:
		if (t == YAML_STREAM_END_EVENT)
			fp->state = FM_END;
		else
			fp->state = FM_MAP;
		return 0;
	case FM_MAP:
		if (t == YAML_SCALAR_EVENT && is_null_scalar(ev)) {
			fp->state = FM_DOC_END;
			return 0;
		}
		if (t != YAML_MAPPING_START_EVENT)
			break;
		fp->state = FM_KEY;
		return 0;
	case FM_KEY:
		if (t == YAML_MAPPING_END_EVENT) {
			fp->state = FM_DOC_END;
			return 0;
		}
		if (t != YAML_SCALAR_EVENT)
			return error("%s:%d: front matter keys must be plain words", fp->path, line);
		fp->state = FM_VALUE;
		return fm_key(fp, ev, line);
	case FM_VALUE:
		if (t != YAML_SCALAR_EVENT)
			return error("%s:%d: front matter key '%s' must have a single value",
				     fp->path, line, fp->key->name);
		fp->state = FM_KEY;
		return fm_set(fp, fp->key, ev, line);
	case FM_DOC_END:
		fp->state = FM_END;
		return 0;
	case FM_END:
		if (t == YAML_STREAM_END_EVENT)
			return 0;
		return error("%s:%d: front matter must be one YAML document", fp->path, line);
	}
	return error("%s:%d: front matter must be a mapping of keys to values", fp->path, line);
}

/*
 * Prints libyaml's parse error as "path:LINE: malformed front matter:
 * PROBLEM", adding libyaml's context and its line when there is one (an
 * unclosed quote is found at the end but starts earlier), and returns -1.
 * Reader errors carry a byte offset into `s` instead of a mark.
 */
static int fm_yaml_error(const yaml_parser_t *parser, const char *path, const char *s, size_t n)
{
	const char *problem = parser->problem ? parser->problem : "cannot parse";
	int line;

	if (parser->error == YAML_READER_ERROR)
		line = line_of_offset(s, parser->problem_offset < n ? parser->problem_offset : n) +
		       FRONT_MATTER_FIRST_LINE - 1;
	else
		line = (int)parser->problem_mark.line + FRONT_MATTER_FIRST_LINE;
	if (parser->context && parser->error != YAML_READER_ERROR)
		return error("%s:%d: malformed front matter: %s (%s on line %d)", path, line,
			     problem, parser->context,
			     (int)parser->context_mark.line + FRONT_MATTER_FIRST_LINE);
	return error("%s:%d: malformed front matter: %s", path, line, problem);
}

/*
 * Parses front matter text s[0..n) (which starts on line 2 of the file)
 * with libyaml's event API into r. On failure prints one error naming the
 * file and line and returns -1; fields already set stay for the caller
 * to release.
 */
static int fm_parse(struct review *r, const char *path, const char *s, size_t n)
{
	struct fm_parse fp = { r, path, FM_STREAM, NULL, 0 };
	yaml_parser_t parser;
	yaml_event_t ev;
	int ret = -1, done;

	if (!yaml_parser_initialize(&parser))
		return error("%s: cannot parse front matter: out of memory", path);
	yaml_parser_set_input_string(&parser, (const unsigned char *)s, n);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	do {
		if (!yaml_parser_parse(&parser, &ev)) {
			ret = fm_yaml_error(&parser, path, s, n);
			goto out;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		ret = fm_event(&fp, &ev);
		yaml_event_delete(&ev);
	} while (!ret && !done);
out:
	yaml_parser_delete(&parser);
	return ret;
}

/* Whether s[0..n) is `delim` (3 bytes) followed only by spaces and tabs. */
static int is_delimiter(const char *s, size_t n, const char *delim)
{
	size_t i;

	if (n < 3 || memcmp(s, delim, 3))
		return 0;
	for (i = 3; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* The offset of the '\n' ending the line at `pos`, or len. */
static size_t line_end(const char *buf, size_t len, size_t pos)
{
	const char *nl = memchr(buf + pos, '\n', len - pos);

	return nl ? (size_t)(nl - buf) : len;
}

/*
 * When LF-separated buf starts with a "---" line, parses the front matter
 * up to the closing "---" or "..." line into r, and sets *body to the
 * offset after the closing line and *lines to the number of lines before
 * the body; otherwise sets both to 0. On an unclosed or bad front matter
 * prints one error and returns -1.
 */
static int front_matter(struct review *r, const char *path, const char *buf, size_t len,
			size_t *body, int *lines)
{
	size_t first = line_end(buf, len, 0), pos, e;
	int line = FRONT_MATTER_FIRST_LINE;

	*body = 0;
	*lines = 0;
	if (!is_delimiter(buf, first, "---"))
		return 0;
	for (pos = first + 1; pos < len; pos = e + 1, line++) {
		e = line_end(buf, len, pos);
		if (is_delimiter(buf + pos, e - pos, "---") ||
		    is_delimiter(buf + pos, e - pos, "...")) {
			*body = e < len ? e + 1 : len;
			*lines = line;
			return fm_parse(r, path, buf + first + 1, pos - first - 1);
		}
	}
	return error("%s:1: front matter has no closing '---' line", path);
}

/* ---- Markdown: body ---------------------------------------------------- */

struct md_walk {
	struct review *r;
	int line0;              /* lines before the body */
	cmark_node *title_node; /* the top-level heading that is the title */
	int need_title;         /* take the first line of the next text block */
	int quote_depth, item_depth;
	long *next_number;      /* per open list: next item number, -1 for bullets */
	size_t nr_lists, alloc_lists;
};

/* The first level-1 heading at the top level of doc, or NULL. */
static cmark_node *first_h1(cmark_node *doc)
{
	cmark_node *n;

	for (n = cmark_node_first_child(doc); n; n = cmark_node_next(n))
		if (cmark_node_get_type(n) == CMARK_NODE_HEADING &&
		    cmark_node_get_heading_level(n) == 1)
			return n;
	return NULL;
}

/*
 * Appends to sb the text and inline code anywhere under node (breaks as
 * spaces): an image's alt text, including that of images nested in it.
 */
static void md_plain_text(cmark_node *node, struct strbuf *sb)
{
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		const char *lit;

		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE) {
			lit = cmark_node_get_literal(n);
			if (lit)
				strbuf_addstr(sb, lit);
		} else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK) {
			strbuf_addch(sb, ' ');
		}
	}
	cmark_iter_free(it);
}

/* Records an image as not spoken: its alt text (or URL), at `line`. */
static void md_image_notice(struct md_walk *w, cmark_node *img, int line)
{
	struct strbuf alt;
	const char *url = cmark_node_get_url(img);
	char *what;

	strbuf_init(&alt);  /* buf must be a string even if nothing is added */
	md_plain_text(img, &alt);
	what = clean_text(alt.buf, alt.len);
	if (!*what && url) {
		free(what);
		what = clean_text(url, strlen(url));
	}
	add_notice(w->r, line, what, "image");
	free(what);
	strbuf_release(&alt);
}

/*
 * Appends the spoken text of a paragraph or heading to sb: text, inline
 * code, the text of emphasis, strong emphasis and links (never a URL);
 * soft and hard breaks become '\n' (white space for clean_text()), the
 * first one's offset stored in *brk. Images and inline HTML are not
 * spoken; images get a notice.
 */
static void md_inline_text(struct md_walk *w, cmark_node *block, int line,
			   struct strbuf *sb, size_t *brk)
{
	cmark_iter *it = cmark_iter_new(block);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		const char *lit;

		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			lit = cmark_node_get_literal(n);
			if (lit)
				strbuf_addstr(sb, lit);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			if (*brk == SIZE_MAX)
				*brk = sb->len;
			strbuf_addch(sb, '\n');
			line++;
			break;
		case CMARK_NODE_IMAGE:
			md_image_notice(w, n, line);
			cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/*
 * The kind and level of a paragraph or heading, from its parent: a list
 * item's paragraphs are list items (level: list depth), a block quote's
 * are quotes (level: quote depth).
 */
static enum block_kind md_kind(const struct md_walk *w, cmark_node *n, int *level)
{
	cmark_node *parent = cmark_node_parent(n);
	cmark_node_type pt = parent ? cmark_node_get_type(parent) : CMARK_NODE_NONE;

	if (cmark_node_get_type(n) == CMARK_NODE_HEADING) {
		*level = cmark_node_get_heading_level(n);
		return BLOCK_HEADING;
	}
	if (pt == CMARK_NODE_ITEM) {
		*level = w->item_depth;
		return BLOCK_LIST_ITEM;
	}
	if (pt == CMARK_NODE_BLOCK_QUOTE) {
		*level = w->quote_depth;
		return BLOCK_QUOTE;
	}
	*level = 0;
	return BLOCK_PARAGRAPH;
}

/*
 * The number of the ordered-list item whose first paragraph is n, or -1
 * when n is not the first paragraph of an item in an ordered list.
 */
static long md_item_number(const struct md_walk *w, cmark_node *n)
{
	cmark_node *parent = cmark_node_parent(n);

	if (!w->nr_lists || !parent || cmark_node_get_type(parent) != CMARK_NODE_ITEM ||
	    cmark_node_first_child(parent) != n || w->next_number[w->nr_lists - 1] < 0)
		return -1;
	return w->next_number[w->nr_lists - 1] - 1;
}

/*
 * When the review still needs a title (no front matter title, no level-1
 * heading), takes the first line of raw text sb as the title and returns
 * the offset where the rest begins; returns 0 otherwise.
 */
static size_t md_take_title(struct md_walk *w, const struct strbuf *sb, size_t brk)
{
	size_t end = brk == SIZE_MAX ? sb->len : brk;
	char *title;

	if (!w->need_title)
		return 0;
	title = clean_text(sb->buf, end);
	if (!*title) {
		free(title);
		return 0;
	}
	w->r->title = title;
	w->need_title = 0;
	return end;
}

/*
 * Turns a paragraph or heading into a block (or into the title), with its
 * source line. A text that is empty once cleaned makes no block. A
 * level-1 heading equal to the title is recorded as a notice instead.
 */
static void md_text_block(struct md_walk *w, cmark_node *n)
{
	struct strbuf raw;
	size_t brk = SIZE_MAX, skip;
	int line = w->line0 + cmark_node_get_start_line(n), level;
	enum block_kind kind = md_kind(w, n, &level);
	long number = md_item_number(w, n);
	char *text;

	strbuf_init(&raw);  /* buf must be a string even if nothing is added */
	md_inline_text(w, n, line, &raw, &brk);
	if (n == w->title_node) {
		text = clean_text(raw.buf, raw.len);
		if (*text)
			w->r->title = text;
		else
			free(text);
		w->need_title = !w->r->title;
		goto out;
	}
	skip = md_take_title(w, &raw, brk);
	if (skip)
		line++;
	text = clean_text(raw.buf + skip, raw.len - skip);
	if (!*text) {
		free(text);
		goto out;
	}
	if (kind == BLOCK_HEADING && level == 1 && w->r->title && !strcmp(text, w->r->title)) {
		add_notice(w->r, line, text, "same as the title");
		free(text);
		goto out;
	}
	if (number >= 0) {
		char *numbered = xasprintf("%ld. %s", number, text);

		free(text);
		text = numbered;
	}
	add_block(w->r, kind, level, text, line);
out:
	strbuf_release(&raw);
}

/* Records a code or HTML block as not spoken, by its first line. */
static void md_literal_notice(struct md_walk *w, cmark_node *n, const char *why)
{
	const char *lit = cmark_node_get_literal(n);
	char *what = first_line(lit ? lit : "", 60);

	add_notice(w->r, w->line0 + cmark_node_get_start_line(n), what, why);
	free(what);
}

/* Keeps the list stack and depths up to date on entering or leaving n. */
static void md_container(struct md_walk *w, cmark_node *n, int enter)
{
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_BLOCK_QUOTE:
		w->quote_depth += enter ? 1 : -1;
		break;
	case CMARK_NODE_LIST:
		if (!enter) {
			w->nr_lists -= w->nr_lists > 0;
			break;
		}
		ALLOC_GROW(w->next_number, w->nr_lists + 1, w->alloc_lists);
		w->next_number[w->nr_lists++] =
			cmark_node_get_list_type(n) == CMARK_ORDERED_LIST ?
			cmark_node_get_list_start(n) : -1;
		break;
	case CMARK_NODE_ITEM:
		w->item_depth += enter ? 1 : -1;
		if (enter && w->nr_lists && w->next_number[w->nr_lists - 1] >= 0)
			w->next_number[w->nr_lists - 1]++;
		break;
	default:
		break;
	}
}

/*
 * Walks the document with cmark's iterator (no recursion, whatever the
 * nesting), turning paragraphs and headings into blocks and code and HTML
 * blocks into notices. Thematic breaks are ignored.
 */
static void md_walk_document(struct md_walk *w, cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		int enter = ev == CMARK_EVENT_ENTER;

		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_PARAGRAPH:
		case CMARK_NODE_HEADING:
			if (enter) {
				md_text_block(w, n);
				cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
			}
			break;
		case CMARK_NODE_CODE_BLOCK:
			md_literal_notice(w, n, "code block");
			break;
		case CMARK_NODE_HTML_BLOCK:
			md_literal_notice(w, n, "HTML block");
			break;
		default:
			md_container(w, n, enter);
			break;
		}
	}
	cmark_iter_free(it);
}

/*
 * Parses the Markdown body buf[0..len), whose first line is line
 * `line0 + 1` of the file, into blocks and notices, and the title when the
 * front matter did not give one. Cannot fail (cmark accepts any text).
 */
static void markdown_body(struct review *r, const char *buf, size_t len, int line0)
{
	struct md_walk w;
	cmark_node *doc = cmark_parse_document(buf, len, CMARK_OPT_DEFAULT);

	memset(&w, 0, sizeof(w));
	w.r = r;
	w.line0 = line0;
	w.title_node = r->title ? NULL : first_h1(doc);
	w.need_title = !r->title && !w.title_node;
	md_walk_document(&w, doc);
	free(w.next_number);
	cmark_node_free(doc);
}

/*
 * Reads Markdown with optional YAML front matter (see the top of this
 * file). On failure prints one error, leaves r released and returns -1.
 */
int review_parse_markdown(struct review *r, const char *path, const char *buf, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t body;
	int line0, ret = -1;

	review_init(r);
	r->path = xstrdup(path);
	if (prepare_input(&sb, path, buf, len) ||
	    front_matter(r, path, sb.buf, sb.len, &body, &line0))
		goto out;
	markdown_body(r, sb.buf + body, sb.len - body, line0);
	ret = finish_review(r, path);
out:
	strbuf_release(&sb);
	if (ret)
		review_release(r);
	return ret;
}

/* ---- files ------------------------------------------------------------ */

/* Whether path names a Markdown file: extension .md or .markdown, any case. */
static int is_markdown_path(const char *path)
{
	const char *ext = path_ext(path);

	return !strcasecmp(ext, "md") || !strcasecmp(ext, "markdown");
}

/*
 * Reads the review at `path` (at most REVIEW_MAX_BYTES), parsed as
 * Markdown or plain text by its extension. On failure prints one error
 * naming the file, leaves r released and returns -1.
 */
int review_read(struct review *r, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	review_init(r);
	if (read_file(path, &sb, REVIEW_MAX_BYTES)) {
		strbuf_release(&sb);
		return -1;
	}
	if (is_markdown_path(path))
		ret = review_parse_markdown(r, path, sb.buf, sb.len);
	else
		ret = review_parse_text(r, path, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}
