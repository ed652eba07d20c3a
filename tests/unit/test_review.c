/*
 * test_review.c - unit tests for review.c: plain text and Markdown
 * reviews, the caption and byline heuristics, and every way a review can
 * be refused (each with one message naming the file and the line).
 *
 * Fixtures live in tests/data/reviews/. The tests run from the top of the
 * tree; main() moves there from build/tests/ when started elsewhere.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capture.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "review.h"
#include "util.h"

#define DATA "tests/data/reviews/"
/* A string literal and its length, which may include NUL bytes. */
#define LIT(s) s, sizeof(s) - 1

/* ---- helpers ----------------------------------------------------------- */


/* Asserts that r is as after review_init(): a failed read keeps nothing. */
static void assert_released(const struct review *r)
{
	assert_null(r->path);
	assert_null(r->title);
	assert_null(r->author);
	assert_null(r->blocks);
	assert_int_equal(r->nr_blocks, 0);
	assert_null(r->notices);
	assert_int_equal(r->nr_notices, 0);
	assert_int_equal(r->explicit_flag, -1);
}

/*
 * Asserts that `err` is exactly one error line that contains `expect`
 * (typically "path:LINE: message").
 */
static void assert_one_error(const char *err, const char *expect)
{
	const char *nl = strchr(err, '\n');

	if (!strstr(err, expect))
		fail_msg("expected '%s' in: %s", expect, err);
	assert_non_null(strstr(err, "error: "));
	assert_non_null(nl);
	assert_string_equal(nl + 1, "");
}

/* Reads `path`, which must fail with one error containing `expect`. */
static void read_fails(const char *path, const char *expect)
{
	struct review r;
	struct capture c;
	char *err;
	int rc;

	review_init(&r);
	capture_begin(&c);
	rc = review_read(&r, path);
	err = capture_end(&c);
	assert_int_equal(rc, -1);
	assert_released(&r);
	assert_one_error(err, expect);
	free(err);
}

/* Parses buf (as Markdown when md), which must fail like read_fails(). */
static void parse_fails(int md, const char *path, const char *buf, size_t len,
			const char *expect)
{
	struct review r;
	struct capture c;
	char *err;
	int rc;

	review_init(&r);
	capture_begin(&c);
	rc = md ? review_parse_markdown(&r, path, buf, len) :
		  review_parse_text(&r, path, buf, len);
	err = capture_end(&c);
	assert_int_equal(rc, -1);
	assert_released(&r);
	assert_one_error(err, expect);
	free(err);
}

/* Parses a NUL-terminated plain-text review that must be accepted. */
static void parse_text_ok(struct review *r, const char *text)
{
	review_init(r);
	assert_int_equal(review_parse_text(r, "t.txt", text, strlen(text)), 0);
}

/* Parses a NUL-terminated Markdown review that must be accepted. */
static void parse_md_ok(struct review *r, const char *text)
{
	review_init(r);
	assert_int_equal(review_parse_markdown(r, "t.md", text, strlen(text)), 0);
}

/* The notice whose why is `why`, or NULL. */
static const struct notice *find_notice(const struct review *r, const char *why)
{
	size_t i;

	for (i = 0; i < r->nr_notices; i++)
		if (!strcmp(r->notices[i].why, why))
			return &r->notices[i];
	return NULL;
}

/* Asserts block i's kind, level, line and text. */
static void assert_block(const struct review *r, size_t i, enum block_kind kind,
			 int level, int line, const char *text)
{
	assert_true(i < r->nr_blocks);
	assert_string_equal(r->blocks[i].text, text);
	assert_string_equal(block_kind_name(r->blocks[i].kind), block_kind_name(kind));
	assert_int_equal(r->blocks[i].level, level);
	assert_int_equal(r->blocks[i].line, line);
}

/*
 * Asserts the promises of struct block: valid UTF-8, no control
 * characters (C0, DEL, C1), no no-break spaces, no leading, trailing or
 * doubled spaces.
 */
static void assert_clean(const char *s)
{
	const char *p = s, *end = s + strlen(s);

	assert_int_equal(utf8_invalid_at(s, strlen(s)), strlen(s));
	assert_true(*s != ' ' && (!*s || end[-1] != ' '));
	assert_null(strstr(s, "  "));
	while (p < end) {
		long cp = utf8_decode(&p, end);

		assert_false(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f));
		assert_false(cp == 0xa0 || cp == 0x202f);
	}
}

/* Asserts two reviews have the same title, author and blocks. */
static void assert_same_review(const struct review *a, const struct review *b)
{
	size_t i;

	assert_string_equal(a->title, b->title);
	assert_string_equal(a->author, b->author);
	assert_int_equal(a->nr_blocks, b->nr_blocks);
	for (i = 0; i < a->nr_blocks; i++)
		assert_block(b, i, a->blocks[i].kind, a->blocks[i].level,
			     a->blocks[i].line, a->blocks[i].text);
}

/* ---- plain text -------------------------------------------------------- */

/* The shipped example: title, byline, caption, paragraphs, curly quotes. */
static void test_example(void **state)
{
	struct review r;
	const struct notice *cap, *by;
	size_t i;

	review_init(&r);
	assert_int_equal(review_read(&r, DATA "rust-and-bone.txt"), 0);
	assert_string_equal(r.path, DATA "rust-and-bone.txt");
	assert_string_equal(r.title, "The Tenderness of Rust And Bone");
	assert_string_equal(r.author, "Carol Bowditch");

	cap = find_notice(&r, "image caption");
	assert_non_null(cap);
	assert_int_equal(cap->line, 3);
	assert_string_equal(cap->what, "rust bone2");
	by = find_notice(&r, "byline");
	assert_non_null(by);
	assert_int_equal(by->line, 20);
	assert_string_equal(by->what, "Words by Carol Bowditch.");

	/* Nine paragraphs after the title: eight spoken, then the byline. */
	assert_int_equal(r.nr_blocks, 8);
	assert_int_equal(strncmp(r.blocks[0].text,
				 "Carol Bowditch checked out Rust and Bone", 40), 0);
	assert_int_equal(r.blocks[0].line, 4);
	assert_int_equal(r.blocks[7].line, 18);
	assert_non_null(strstr(r.blocks[2].text, "Ali\xe2\x80\x99s sister\xe2\x80\x99s garage"));
	assert_non_null(strstr(r.blocks[1].text, "Ali (Matthias Schoenaerts) is self-sufficient"));
	for (i = 0; i < r.nr_blocks; i++) {
		assert_int_equal(r.blocks[i].kind, BLOCK_PARAGRAPH);
		assert_null(strstr(r.blocks[i].text, "Words by"));
		assert_null(strstr(r.blocks[i].text, "rust bone2"));
		assert_clean(r.blocks[i].text);
	}
	review_release(&r);
	assert_released(&r);
}

/* CR LF, a byte order mark and trailing no-break spaces change nothing. */
static void test_crlf_bom_nbsp(void **state)
{
	struct review a, b;

	review_init(&a);
	review_init(&b);
	assert_int_equal(review_read(&a, DATA "rust-and-bone.txt"), 0);
	assert_int_equal(review_read(&b, DATA "rust-and-bone-crlf.txt"), 0);
	assert_same_review(&a, &b);
	review_release(&a);
	review_release(&b);
}

/* Lone CR line ends (old Mac files) count as line ends too. */
static void test_lone_cr(void **state)
{
	struct review a, b;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	review_init(&a);
	review_init(&b);
	assert_int_equal(read_file(DATA "rust-and-bone.txt", &sb, REVIEW_MAX_BYTES), 0);
	assert_int_equal(review_parse_text(&a, "a.txt", sb.buf, sb.len), 0);
	for (i = 0; i < sb.len; i++)
		if (sb.buf[i] == '\n')
			sb.buf[i] = '\r';
	assert_int_equal(review_parse_text(&b, "b.txt", sb.buf, sb.len), 0);
	assert_same_review(&a, &b);
	strbuf_release(&sb);
	review_release(&a);
	review_release(&b);
}

/* Hard-wrapped lines of a paragraph are joined with one space. */
static void test_hard_wraps_joined(void **state)
{
	struct review r;

	parse_text_ok(&r, "A Title\n\nThe first line\n  of a paragraph,\t\nwrapped by hand.\n"
		      " \t \n\nSecond paragraph.\n");
	assert_string_equal(r.title, "A Title");
	assert_int_equal(r.nr_blocks, 2);
	assert_block(&r, 0, BLOCK_PARAGRAPH, 0, 3, "The first line of a paragraph, wrapped by hand.");
	assert_block(&r, 1, BLOCK_PARAGRAPH, 0, 8, "Second paragraph.");
	assert_int_equal(r.nr_notices, 0);
	review_release(&r);
}

/* A byline right after the title gives the author and is not spoken. */
static void test_byline_at_start(void **state)
{
	struct review r;

	parse_text_ok(&r, "A Title\n\nReview by Jean-Luc O\xe2\x80\x99" "Brien\n\nA fine film.\n");
	assert_string_equal(r.author, "Jean-Luc O\xe2\x80\x99" "Brien");
	assert_int_equal(r.nr_blocks, 1);
	assert_block(&r, 0, BLOCK_PARAGRAPH, 0, 5, "A fine film.");
	review_release(&r);

	parse_text_ok(&r, "A Title\nBy Ana de Armas and Tom Smith\n\nA fine film.\n");
	assert_string_equal(r.author, "Ana de Armas and Tom Smith");
	assert_int_equal(r.nr_blocks, 1);
	review_release(&r);
}

/* "By ..." and "Written by ..." in ordinary prose are not bylines. */
static void test_by_in_prose(void **state)
{
	struct review r;

	parse_text_ok(&r, "A Title\n\nBy the end of the film, I was in tears.\n\n"
		      "A middle paragraph.\n\nBy Sunday, everyone had seen it.\n");
	assert_null(r.author);
	assert_int_equal(r.nr_blocks, 3);
	assert_string_equal(r.blocks[0].text, "By the end of the film, I was in tears.");
	review_release(&r);

	parse_text_ok(&r, "A Title\n\nText.\n\nWritten by Jacques Audiard and "
		      "Thomas Bidegain, it is a triumph.\n");
	assert_null(r.author);
	assert_int_equal(r.nr_blocks, 2);
	review_release(&r);

	/* A byline-like line in the middle is left alone. */
	parse_text_ok(&r, "A Title\n\nText.\n\nBy Carol Bowditch\n\nMore text.\n");
	assert_null(r.author);
	assert_int_equal(r.nr_blocks, 3);
	review_release(&r);
}

/* Slugs, file names and "Photo:" lines above a paragraph are captions. */
static void test_caption_forms(void **state)
{
	static const char *const captions[] = {
		"IMG_2041.JPG", "rust-and-bone_02", "Photo: Studio Canal",
		"Credit: Roger Arpajou / Why Not Productions", "cotillard 2012 orca3",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(captions); i++) {
		struct review r;
		char *text = xasprintf("A Title\n\n%s\nThe film opens on a beach.\n", captions[i]);

		parse_text_ok(&r, text);
		assert_int_equal(r.nr_blocks, 1);
		assert_block(&r, 0, BLOCK_PARAGRAPH, 0, 4, "The film opens on a beach.");
		assert_int_equal(r.nr_notices, 1);
		assert_string_equal(r.notices[0].what, captions[i]);
		assert_string_equal(r.notices[0].why, "image caption");
		assert_int_equal(r.notices[0].line, 3);
		review_release(&r);
		free(text);
	}
}

/* A caption on the line right under the title, with no blank line. */
static void test_caption_under_title(void **state)
{
	struct review r;

	parse_text_ok(&r, "A Title\nrust bone2\nCarol checked out the film.\n");
	assert_string_equal(r.title, "A Title");
	assert_int_equal(r.nr_blocks, 1);
	assert_block(&r, 0, BLOCK_PARAGRAPH, 0, 3, "Carol checked out the film.");
	assert_int_equal(r.notices[0].line, 2);
	review_release(&r);
}

/* A genuinely short first line of prose stays part of its paragraph. */
static void test_short_first_line_not_caption(void **state)
{
	static const char *const lines[] = {
		"Brilliant", "and yet", "in 2012", "Rust and Bone2", "three cheers.",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		struct review r;
		char *text = xasprintf("A Title\n\n%s\nIt works as a film.\n", lines[i]);
		char *want = xasprintf("%s It works as a film.", lines[i]);

		parse_text_ok(&r, text);
		assert_int_equal(r.nr_notices, 0);
		assert_int_equal(r.nr_blocks, 1);
		assert_block(&r, 0, BLOCK_PARAGRAPH, 0, 3, want);
		review_release(&r);
		free(text);
		free(want);
	}

	/* A slug followed by a lower-case continuation is not taken either. */
	{
		struct review r;

		parse_text_ok(&r, "A Title\n\nwatch it in 3d\nor not at all, says the critic.\n");
		assert_int_equal(r.nr_notices, 0);
		assert_string_equal(r.blocks[0].text,
				    "watch it in 3d or not at all, says the critic.");
		review_release(&r);
	}
}

/* C0 and C1 controls and invisible format characters are removed. */
static void test_control_characters(void **state)
{
	struct review r;

	parse_text_ok(&r, "A \x01Title\x7f\n\nHello\x01 400S wor\x1b" "ld\xc2\x85" "again"
		      "\xc2\x9b \xe2\x80\x8bnow\xef\xbb\xbf.\tTabs\vand\xc2\xa0spaces"
		      "\xe2\x80\xaf\xe2\x80\x94 dash\xe2\x80\xa6 \xe2\x80\x9cquoted\xe2\x80\x9d\n");
	assert_string_equal(r.title, "A Title");
	assert_int_equal(r.nr_blocks, 1);
	assert_string_equal(r.blocks[0].text,
			    "Hello 400S world again now. Tabs and spaces \xe2\x80\x94 dash\xe2\x80\xa6 "
			    "\xe2\x80\x9cquoted\xe2\x80\x9d");
	assert_clean(r.blocks[0].text);
	review_release(&r);
}

/* ---- Markdown ------------------------------------------------------------ */

/* Every front matter key, and every kind of Markdown block. */
static void test_markdown_full(void **state)
{
	struct review r;

	review_init(&r);
	assert_int_equal(review_read(&r, DATA "full.md"), 0);
	assert_string_equal(r.title, "The Tenderness of Rust and Bone");
	assert_string_equal(r.author, "Carol Bowditch");
	assert_string_equal(r.date, "2013-02-28");
	assert_string_equal(r.lang, "en-GB");
	assert_string_equal(r.voice, "narrator-uk");
	assert_string_equal(r.slug, "rust-and-bone");
	assert_int_equal(r.explicit_flag, 1);
	assert_string_equal(r.image, "cover.jpg");
	assert_string_equal(r.summary, "A harrowing tale about adversity and love.");
	assert_string_equal(r.lexicon, "names.lex");

	assert_int_equal(r.nr_blocks, 10);
	assert_block(&r, 0, BLOCK_PARAGRAPH, 0, 18,
		     "Ali is self-sufficient and tough, says the critic in Cannes.");
	assert_block(&r, 1, BLOCK_HEADING, 2, 23, "The performances");
	assert_block(&r, 2, BLOCK_QUOTE, 1, 25, "Tender and beautiful to watch.");
	assert_block(&r, 3, BLOCK_QUOTE, 2, 27, "A quote within a quote.");
	assert_block(&r, 4, BLOCK_LIST_ITEM, 1, 29, "First point");
	assert_block(&r, 5, BLOCK_LIST_ITEM, 1, 30, "Second point");
	assert_block(&r, 6, BLOCK_LIST_ITEM, 2, 31, "Nested point");
	assert_block(&r, 7, BLOCK_LIST_ITEM, 1, 33, "3. Third thing");
	assert_block(&r, 8, BLOCK_LIST_ITEM, 1, 34, "4. Fourth thing");
	assert_block(&r, 9, BLOCK_PARAGRAPH, 0, 44,
		     "Final words with a hard break here and an image inline.");

	assert_int_equal(r.nr_notices, 5);
	assert_int_equal(r.notices[0].line, 16);
	assert_string_equal(r.notices[0].why, "same as the title");
	assert_int_equal(r.notices[1].line, 21);
	assert_string_equal(r.notices[1].what, "Marion Cotillard on the beach");
	assert_string_equal(r.notices[1].why, "image");
	assert_int_equal(r.notices[2].line, 36);
	assert_string_equal(r.notices[2].what, "int main(void) { return 0; }");
	assert_string_equal(r.notices[2].why, "code block");
	assert_int_equal(r.notices[3].line, 40);
	assert_string_equal(r.notices[3].why, "HTML block");
	assert_int_equal(r.notices[4].line, 45);
	assert_string_equal(r.notices[4].what, "poster");
	review_release(&r);
}

/* Without front matter the title is the first level-1 heading. */
static void test_markdown_title_from_heading(void **state)
{
	struct review r;

	parse_md_ok(&r, "An intro [link](http://x.example/).\n\n# The Real Title\n\n"
		    "Words by Jane Doe\n\nBody, with <b>inline</b> HTML.\n");
	assert_string_equal(r.title, "The Real Title");
	assert_null(r.author);  /* the byline is not first or last */
	assert_int_equal(r.nr_blocks, 3);
	assert_block(&r, 0, BLOCK_PARAGRAPH, 0, 1, "An intro link.");
	assert_block(&r, 2, BLOCK_PARAGRAPH, 0, 7, "Body, with inline HTML.");
	review_release(&r);
}

/* Without front matter or heading, the first line is the title. */
static void test_markdown_title_first_line(void **state)
{
	struct review r;

	parse_md_ok(&r, "\n\nA *plain* first line\nthat goes on.\n\n## Part\n\nWords by Jane Doe.\n");
	assert_string_equal(r.title, "A plain first line");
	assert_string_equal(r.author, "Jane Doe");
	assert_int_equal(r.nr_blocks, 2);
	assert_block(&r, 0, BLOCK_PARAGRAPH, 0, 4, "that goes on.");
	assert_block(&r, 1, BLOCK_HEADING, 2, 6, "Part");
	review_release(&r);
}

/* Front matter with CR LF, a BOM, "..." as the end and null values. */
static void test_markdown_front_matter_forms(void **state)
{
	struct review r;

	parse_md_ok(&r, "\xef\xbb\xbf---\r\ntitle: 'T: a title'\r\nexplicit: off\r\n"
		    "image:\r\nlang: ~\r\n...\r\n\r\n# Heading\r\n\r\nText.\r\n");
	assert_string_equal(r.title, "T: a title");
	assert_int_equal(r.explicit_flag, 0);
	assert_null(r.image);
	assert_null(r.lang);
	assert_block(&r, 0, BLOCK_HEADING, 1, 8, "Heading");
	assert_block(&r, 1, BLOCK_PARAGRAPH, 0, 10, "Text.");
	review_release(&r);

	parse_md_ok(&r, "---\n---\n# Only Heading\n\nText.\n");
	assert_string_equal(r.title, "Only Heading");
	assert_block(&r, 0, BLOCK_PARAGRAPH, 0, 5, "Text.");
	review_release(&r);
}

/* An unknown key is named, with its line. */
static void test_fm_unknown_key(void **state)
{
	read_fails(DATA "unknown-key.md", DATA "unknown-key.md:4: unknown front matter key 'foo'");
}

/* A date that is not a real day is refused, with its line. */
static void test_fm_bad_date(void **state)
{
	read_fails(DATA "bad-date.md", DATA "bad-date.md:3: bad date '2023-02-29'");
	parse_fails(1, "x.md", LIT("---\ndate: 2024-2-01\n---\nT\n\nx\n"), "x.md:2: bad date");
	parse_fails(1, "x.md", LIT("---\n\ndate: 2023-13-01\n---\nT\n\nx\n"), "x.md:3: bad date");
}

/* Malformed YAML is reported at the line libyaml found the problem on. */
static void test_fm_malformed_yaml(void **state)
{
	read_fails(DATA "malformed-yaml.md",
		   DATA "malformed-yaml.md:4: malformed front matter: mapping values are not allowed");
}

/* Bad values, shapes and delimiters of front matter, each with its line. */
static void test_fm_bad_values(void **state)
{
	static const struct {
		const char *md, *expect;
	} cases[] = {
		{ "---\ntitle: T\nslug: Rust_Bone\n---\nx\n", "x.md:3: bad slug 'Rust_Bone'" },
		{ "---\nlang: english\n---\nx\n", "x.md:2: bad lang 'english'" },
		{ "---\nlang: en_US\n---\nx\n", "x.md:2: bad lang" },
		{ "---\nexplicit: maybe\n---\nx\n", "x.md:2: bad value 'maybe' for 'explicit'" },
		{ "---\nvoice: ../../etc/passwd\n---\nx\n", "x.md:2: bad voice" },
		{ "---\nimage: \"a\\x01b\"\n---\nx\n", "x.md:2: bad image" },
		{ "---\ntitle: T\nauthor:\n  - A\n  - B\n---\nx\n",
		  "x.md:4: front matter key 'author' must have a single value" },
		{ "---\ntitle: A\ntitle: B\n---\nx\n", "x.md:3: front matter key 'title' given twice" },
		{ "---\n- a list\n---\nx\n", "x.md:2: front matter must be a mapping" },
		{ "---\ntitle: T\n? [a, b]\n: c\n---\nx\n", "x.md:3: front matter keys must be plain words" },
		{ "---\ntitle: &x T\nauthor: *x\n---\nx\n",
		  "x.md:3: front matter key 'author' must have a single value" },
		{ "---\ntitle: T\n\nText, never closed.\n", "x.md:1: front matter has no closing '---' line" },
		{ "---\ntitle: T\nsummary: \"open\n---\nx\n",
		  "x.md:4: malformed front matter: found unexpected end of stream "
		  "(while scanning a quoted scalar on line 3)" },
		{ "---\ntitle: T\nsummary: a\x01" "b\n---\nx\n", "x.md:3: malformed front matter" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		parse_fails(1, "x.md", cases[i].md, strlen(cases[i].md), cases[i].expect);
}

/* ---- refused input ------------------------------------------------------- */

static void test_missing_file(void **state)
{
	read_fails(DATA "no-such-review.txt", "cannot open '" DATA "no-such-review.txt'");
	read_fails(DATA, "'" DATA "' is a directory");
}

static void test_empty_file(void **state)
{
	read_fails(DATA "empty.txt", DATA "empty.txt: empty file");
	parse_fails(1, "e.md", LIT(""), "e.md: empty file");
	parse_fails(0, "e.txt", NULL, 0, "e.txt: empty file");
}

static void test_whitespace_only(void **state)
{
	read_fails(DATA "whitespace.txt", DATA "whitespace.txt: nothing but white space");
	parse_fails(1, "w.md", LIT("\xef\xbb\xbf \r\n\xe2\x80\xaf\x01\n"), "w.md: nothing but white space");
}

static void test_title_only(void **state)
{
	read_fails(DATA "title-only.txt", DATA "title-only.txt: nothing to speak after the title");
	parse_fails(0, "t.txt", LIT("A Title\n\nWords by Jane Doe.\n"),
		    "t.txt: nothing to speak after the title");
	parse_fails(1, "t.md", LIT("---\ntitle: T\n---\n# T\n\n```\ncode\n```\n"),
		    "t.md: nothing to speak after the title");
	parse_fails(1, "t.md", LIT("![only](an-image.png)\n"), "t.md: nothing to speak");
}

static void test_nul_bytes(void **state)
{
	read_fails(DATA "nul.txt", DATA "nul.txt:4: binary data");
	parse_fails(1, "n.md", LIT("# T\r\rx\0y\n"), "n.md:3: binary data");
}

static void test_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\xc3\x28", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "\xe2\x80",
	};
	size_t i;

	read_fails(DATA "invalid-utf8.txt", DATA "invalid-utf8.txt:5: invalid UTF-8");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char *text = xasprintf("T\r\n\r\nok\r\nbad %s here\n", bad[i]);

		parse_fails(0, "u.txt", text, strlen(text), "u.txt:4: invalid UTF-8");
		parse_fails(1, "u.md", text, strlen(text), "u.md:4: invalid UTF-8");
		free(text);
	}
}

/* A 10 MB review is refused without being read; so is a big buffer. */
static void test_too_large(void **state)
{
	char dir[] = "/tmp/test_review.XXXXXX";
	char *path, *big;
	size_t size = 10 * 1024 * 1024;
	int fd;

	assert_non_null(mkdtemp(dir));
	path = path_join(dir, "huge.txt");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	big = xmalloc(size);
	memset(big, 'a', size);
	assert_int_equal(write(fd, big, size), (ssize_t)size);
	close(fd);

	read_fails(path, "is too large");
	parse_fails(0, "big.txt", big, REVIEW_MAX_BYTES + 1, "big.txt: too large");

	free(big);
	unlink(path);
	rmdir(dir);
	free(path);
}

/*
 * Random damage to the fixtures (and some pathological Markdown) is
 * either read into a clean review or refused with exactly one message.
 */
static void test_damaged_input(void **state)
{
	static const char *const sources[] = {
		DATA "rust-and-bone.txt", DATA "full.md",
	};
	static const char *const nasty[] = {
		">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>> x\n",
		"- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - x\n",
		"1. 2. 3. 4. 5. 6. 7. 8. 9. 10. 11. 12. x\n\n999999999. y\n",
		"[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]](y)\n\n![![![a](b)](c)](d) z\n",
		"---\n[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n---\nx\n",
		"---\n---\n",
		"---",
		"# \n\n#\n\n![](x)\n",
		"&#1; &#x80; &#0; &#xfeff;title\n\nbody &#x202f;\n",
	};
	unsigned seed = 12345;
	size_t s, i, k;

	for (i = 0; i < ARRAY_SIZE(nasty); i++) {
		struct review r;
		struct capture c;
		char *err;

		review_init(&r);
		capture_begin(&c);
		if (!review_parse_markdown(&r, "n.md", nasty[i], strlen(nasty[i]))) {
			assert_non_null(r.title);
			assert_true(r.nr_blocks > 0);
		}
		review_release(&r);
		err = capture_end(&c);
		free(err);
	}

	for (s = 0; s < ARRAY_SIZE(sources); s++) {
		struct strbuf orig = STRBUF_INIT;

		assert_int_equal(read_file(sources[s], &orig, REVIEW_MAX_BYTES), 0);
		for (i = 0; i < 300; i++) {
			struct strbuf sb = STRBUF_INIT;
			struct review r;
			struct capture c;
			char *err;
			int rc, md;

			strbuf_add(&sb, orig.buf, orig.len);
			for (k = 0; k < 1 + i % 8; k++) {
				seed = seed * 1103515245u + 12345u;
				sb.buf[(seed >> 8) % sb.len] = (char)(seed >> 24);
			}
			sb.len = (seed >> 4) % (sb.len + 1);
			md = (int)(i & 1);
			review_init(&r);
			capture_begin(&c);
			rc = md ? review_parse_markdown(&r, "d.md", sb.buf, sb.len) :
				  review_parse_text(&r, "d.txt", sb.buf, sb.len);
			err = capture_end(&c);
			if (rc) {
				assert_released(&r);
				assert_one_error(err, md ? "d.md" : "d.txt");
			} else {
				assert_string_equal(err, "");
				assert_non_null(r.title);
				assert_clean(r.title);
				assert_true(r.nr_blocks > 0);
				for (k = 0; k < r.nr_blocks; k++) {
					assert_clean(r.blocks[k].text);
					assert_true(*r.blocks[k].text);
					assert_true(r.blocks[k].line >= 1);
				}
			}
			free(err);
			review_release(&r);
			strbuf_release(&sb);
		}
		strbuf_release(&orig);
	}
}

/*
 * Runs from the top of the tree: when started elsewhere (as
 * build/tests/test_review), moves two directories up from the binary.
 */
static void find_top(const char *argv0)
{
	char *dir;

	if (is_dir(DATA))
		return;
	dir = xasprintf("%.*s../..", (int)(path_base(argv0) - argv0), argv0);
	if (chdir(dir))
		fprintf(stderr, "cannot find %s from %s\n", DATA, dir);
	free(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_crlf_bom_nbsp),
		cmocka_unit_test(test_lone_cr),
		cmocka_unit_test(test_hard_wraps_joined),
		cmocka_unit_test(test_byline_at_start),
		cmocka_unit_test(test_by_in_prose),
		cmocka_unit_test(test_caption_forms),
		cmocka_unit_test(test_caption_under_title),
		cmocka_unit_test(test_short_first_line_not_caption),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_markdown_full),
		cmocka_unit_test(test_markdown_title_from_heading),
		cmocka_unit_test(test_markdown_title_first_line),
		cmocka_unit_test(test_markdown_front_matter_forms),
		cmocka_unit_test(test_fm_unknown_key),
		cmocka_unit_test(test_fm_bad_date),
		cmocka_unit_test(test_fm_malformed_yaml),
		cmocka_unit_test(test_fm_bad_values),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_whitespace_only),
		cmocka_unit_test(test_title_only),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_damaged_input),
	};

	(void)argc;
	find_top(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
