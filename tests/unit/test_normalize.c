/*
 * test_normalize.c - unit tests for normalize.c: the written forms of
 * reviews (ratings, money, years, running times, abbreviations, web
 * addresses, header lines) turned into what a person says, in English
 * and French; everything else left exactly as it is; and bounded, safe
 * behaviour on hostile input.
 *
 * The cases live in tests/data/normalize/cases.txt (one sentence, its
 * language and its expected spoken form each). The tests run from the
 * top of the tree; main() moves there from build/tests/ when started
 * elsewhere.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "normalize.h"
#include "util.h"

#define CASES "tests/data/normalize/cases.txt"

/* ---- the table of cases ------------------------------------------------ */

struct ncase {
	int line;
	char *lang, *in, *expect;
};

struct cases {
	struct ncase *v;
	size_t nr, alloc;
	struct strbuf file;
};

/* Reads CASES; fails the test on a malformed file. */
static void cases_read(struct cases *c)
{
	char *line, *save = NULL;
	int lineno = 0;
	struct ncase *open = NULL;

	memset(c, 0, sizeof(*c));
	strbuf_init(&c->file);
	assert_int_equal(read_file(CASES, &c->file, 1u << 20), 0);
	/* strtok_r would skip empty lines and lose the line numbers */
	for (line = c->file.buf; line && *line; line = save) {
		char *nl = strchr(line, '\n');

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		if (!*line || *line == '#')
			continue;
		if ((*line == '<' || *line == '=') && line[1] == ' ') {
			char *lang = line + 2, *sp = strchr(lang, ' ');
			struct ncase *k;

			if (open) {
				print_error("%s:%d: case without '>' line\n", CASES, open->line);
				fail();
			}
			ALLOC_GROW(c->v, c->nr + 1, c->alloc);
			k = &c->v[c->nr++];
			k->line = lineno;
			if (sp)
				*sp = '\0';
			k->lang = lang;
			k->in = sp ? sp + 1 : lang + strlen(lang);
			k->expect = *line == '=' ? k->in : NULL;
			open = *line == '<' ? k : NULL;
		} else if (*line == '>' && (line[1] == ' ' || !line[1]) && open) {
			open->expect = line[1] ? line + 2 : line + 1;
			open = NULL;
		} else {
			print_error("%s:%d: cannot parse '%s'\n", CASES, lineno, line);
			fail();
		}
	}
	if (open) {
		print_error("%s:%d: case without '>' line\n", CASES, open->line);
		fail();
	}
}

static void cases_release(struct cases *c)
{
	free(c->v);
	strbuf_release(&c->file);
}

/* ---- tests -------------------------------------------------------------- */

/* Every case of the table: all failures are listed, then the test fails. */
static void test_table(void **state)
{
	struct cases c;
	size_t i, bad = 0;

	(void)state;
	cases_read(&c);
	assert_true(c.nr >= 150);
	for (i = 0; i < c.nr; i++) {
		const struct ncase *k = &c.v[i];
		char *got = normalize_text(k->lang, k->in);

		if (strcmp(got, k->expect)) {
			print_error("%s:%d: [%s] '%s'\n    expected '%s'\n    got      '%s'\n",
				    CASES, k->line, k->lang, k->in, k->expect, got);
			bad++;
		}
		free(got);
	}
	cases_release(&c);
	assert_int_equal(bad, 0);
}

/*
 * Spoken forms are already spoken: normalising one again changes nothing
 * (so a sentence is never read twice over, and a lexicon that produces
 * words is safe).
 */
static void test_spoken_forms_are_stable(void **state)
{
	struct cases c;
	size_t i, bad = 0;

	(void)state;
	cases_read(&c);
	for (i = 0; i < c.nr; i++) {
		const struct ncase *k = &c.v[i];
		char *again = normalize_text(k->lang, k->expect);

		if (strcmp(again, k->expect)) {
			print_error("%s:%d: [%s] '%s' is not stable: '%s'\n", CASES, k->line,
				    k->lang, k->expect, again);
			bad++;
		}
		free(again);
	}
	cases_release(&c);
	assert_int_equal(bad, 0);
}

/* Language tags in every spelling; no language or no text at all. */
static void test_language_tags(void **state)
{
	static const char *const en[] = { "en", "EN", "en-GB", "en_US", "en-gb-x-rp" };
	static const char *const fr[] = { "fr", "fr-FR", "fr_CA", "FR" };
	static const char *const other[] = { "", "e", "eng", "english", "de", "frr", "f" };
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(en); i++) {
		s = normalize_text(en[i], "7/10");
		assert_string_equal(s, "7 out of 10");
		free(s);
	}
	for (i = 0; i < ARRAY_SIZE(fr); i++) {
		s = normalize_text(fr[i], "7/10");
		assert_string_equal(s, "7 sur 10");
		free(s);
	}
	for (i = 0; i < ARRAY_SIZE(other); i++) {
		s = normalize_text(other[i], "7/10");
		assert_string_equal(s, "7/10");
		free(s);
	}
	s = normalize_text(NULL, "7/10");
	assert_string_equal(s, "7/10");
	free(s);
	s = normalize_text("en", NULL);
	assert_string_equal(s, "");
	free(s);
}

/* Text around a match is kept byte for byte, multi-byte characters too. */
static void test_context_kept(void **state)
{
	char *s;

	(void)state;
	s = normalize_text("en", "Ça coûte £2.50 — à peu près (vraiment) «7/10» ☺.");
	assert_string_equal(s, "Ça coûte 2 pounds 50 — à peu près (vraiment) «7 out of 10» ☺.");
	free(s);
	s = normalize_text("fr", "« Un film de 2h » : ★★★☆☆, vraiment.");
	assert_string_equal(s, "« Un film de 2 heures » : 3 étoiles sur 5, vraiment.");
	free(s);
	/* invalid UTF-8 (never given by text.c) is passed through, not dropped */
	s = normalize_text("en", "a\xff\xfe 7/10 \xc3");
	assert_string_equal(s, "a\xff\xfe 7 out of 10 \xc3");
	free(s);
}

/*
 * Long hostile inputs: runs of every kind of token, each far longer than
 * any matcher's window. Checks that each finishes (a pass that went
 * back over its input would take billions of steps here), that the
 * output stays valid UTF-8 and within a fixed factor of the input.
 */
static void test_long_inputs(void **state)
{
	static const char *const units[] = {
		"1/", "1", "\xe2\x98\x85", "\xe2\x98\x86", "\xc2\xbd", "www.", "a.", "a@",
		"\xc2\xa3", "\xc2\xa3" "1", "1.", "1,", "1 ", "19", "'9", "h", "1h",
		"e.g.", "etc. ", "St. ", "Rated: ", "-", "x", "/", ". ", "\xe2\x80\x99",
		"1999-", "n\xc2\xb0", "#", "#1 ", "http://a", "M. ", "1 000 ",
	};
	static const char *const langs[] = { "en", "fr" };
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		struct strbuf in = STRBUF_INIT;

		while (in.len < (64u << 10))
			strbuf_addstr(&in, units[i]);
		for (j = 0; j < ARRAY_SIZE(langs); j++) {
			char *out = normalize_text(langs[j], in.buf);
			size_t len = strlen(out);

			if (utf8_invalid_at(in.buf, in.len) == in.len)
				assert_int_equal(utf8_invalid_at(out, len), len);
			assert_true(len <= 20 * in.len + 64);
			free(out);
		}
		strbuf_release(&in);
	}
}

/*
 * Random sentences built from the pieces the matchers look for, with a
 * fixed seed: no crash, valid UTF-8 out for valid UTF-8 in, bounded
 * growth. (A real fuzzer will do better; this keeps the basics honest in
 * every run.)
 */
static void test_random_pieces(void **state)
{
	static const char *const pieces[] = {
		" ", "7", "10", "/", ".", ",", "5", "1999", "199", "0s", "s", "'", "\xe2\x80\x99",
		"\xc2\xa3", "$", "\xe2\x82\xac", "m", "bn", "h", "min", "km", "%", "#",
		"\xe2\x98\x85", "\xe2\x98\x86", "\xc2\xbd", "www.", "http://", "@", "com",
		"org", "uk", "e.g.", "etc.", "Dr.", "St.", "No.", "M.", "Mme", "n\xc2\xb0",
		"Rated:", "Running time:", "Dur\xc3\xa9" "e :", "12A", "PG-13", "-12",
		"ann\xc3\xa9" "es", "the", "Paul", "(", ")", "\xe2\x80\x94", "\xe2\x80\x93",
		"-", ":", "\xc3\xa9", "x", "A",
	};
	static const char *const langs[] = { "en", "fr", "de" };
	unsigned long seed = 12345;
	int round;

	(void)state;
	for (round = 0; round < 3000; round++) {
		struct strbuf in = STRBUF_INIT;
		char *out;
		int pieces_nr, i;
		size_t len;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		pieces_nr = (int)((seed >> 33) % 24);
		for (i = 0; i < pieces_nr; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			strbuf_addstr(&in, pieces[(seed >> 33) % ARRAY_SIZE(pieces)]);
		}
		out = normalize_text(langs[round % 3], in.buf);
		len = strlen(out);
		assert_int_equal(utf8_invalid_at(out, len), len);
		assert_true(len <= 20 * in.len + 64);
		if (round % 3 == 2)
			assert_string_equal(out, in.buf);
		free(out);
		strbuf_release(&in);
	}
}

/* Runs from the top of the tree, moving up from build/tests/ if needed. */
static void find_top(const char *argv0)
{
	char *dir;

	if (is_file(CASES))
		return;
	dir = xasprintf("%.*s../..", (int)(path_base(argv0) - argv0), argv0);
	if (chdir(dir))
		fprintf(stderr, "cannot find %s from %s\n", CASES, dir);
	free(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_spoken_forms_are_stable),
		cmocka_unit_test(test_language_tags),
		cmocka_unit_test(test_context_kept),
		cmocka_unit_test(test_long_inputs),
		cmocka_unit_test(test_random_pieces),
	};

	(void)argc;
	find_top(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
