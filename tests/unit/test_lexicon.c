/*
 * test_lexicon.c - unit tests for lexicon.c: the file format and its
 * errors (each naming file and line), the matching rules (whole words,
 * case, longest phrase, possessives, elisions), that review text cannot
 * smuggle in phonemes, overrides (review > feed > voice, through the real
 * episode_prepare()), and that an entry changes what eSpeak NG says.
 *
 * The tests run from the top of the tree; main() moves there from
 * build/tests/ when started elsewhere.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "episode.h"
#include "lexicon.h"
#include "review.h"
#include "speech.h"
#include "text.h"
#include "util.h"
#include "voice.h"


/* A scratch directory for the whole run. */
static char scratch[64];

/* Writes text to path. */
static void write_text(const char *path, const char *text)
{
	assert_int_equal(write_file_atomic(path, text, strlen(text)), 0);
}

/* Writes text to scratch/name and returns the path; the caller frees it. */
static char *scratch_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", scratch, name);

	write_text(path, text);
	return path;
}

/* Loads `text` as a lexicon file; returns lexicon_load()'s result and stderr. */
static int load_text(struct lexicon *lx, const char *name, const char *text, char **err)
{
	struct capture cap;
	char *path = scratch_file(name, text);
	int ret;

	capture_begin(&cap);
	ret = lexicon_load(lx, path);
	*err = capture_end(&cap);
	free(path);
	return ret;
}

/* Asserts that lexicon lx turns `in` into `want`. */
static void check_apply(const struct lexicon *lx, const char *in, const char *want)
{
	char *got = lexicon_apply(lx, in);

	if (strcmp(got, want))
		print_error("apply(\"%s\")\n  got  \"%s\"\n  want \"%s\"\n", in, got, want);
	assert_string_equal(got, want);
	free(got);
}

/* Builds a lexicon from "from = to" lines given as one string. */
static void lexicon_of(struct lexicon *lx, const char *name, const char *text)
{
	char *err;

	lexicon_init(lx);
	assert_int_equal(load_text(lx, name, text, &err), 0);
	assert_string_equal(err, "");
	free(err);
}

/* ---- the file format --------------------------------------------------- */

static void test_parse_good(void **state)
{
	struct lexicon lx;
	const struct lexicon_entry *e;

	(void)state;
	lexicon_of(&lx, "good.lex",
		   "\xef\xbb\xbf# a comment line\r\n"
		   "\r\n"
		   "  Schoenaerts = [[sx'u:nA:ts]]   # trailing comment\r\n"
		   "Bush = [[bUS  I#]]\n"            /* '#' inside a group is a phoneme */
		   "Marion   Cotillard = Marion Koti-yar\n"
		   "Jean-Pierre=[[Z,A~pj'E@]]\n"
		   "O'Brien = Oh Bryan\n"
		   "xs = [[k=s]]\n");               /* only the first '=' splits */
	assert_int_equal(lx.nr, 6);
	e = lexicon_lookup(&lx, "schoenaerts", 11);
	assert_non_null(e);
	assert_true(e->phonemes);
	assert_string_equal(e->to, "[[sx'u:nA:ts]]");
	assert_int_equal(e->line, 3);
	e = lexicon_lookup(&lx, "bush", 4);
	assert_non_null(e);
	assert_string_equal(e->to, "[[bUS I#]]");
	e = lexicon_lookup(&lx, "marion cotillard", 16);
	assert_non_null(e);
	assert_false(e->phonemes);
	assert_string_equal(e->to, "Marion Koti-yar");
	assert_true(lexicon_has(&lx, "O\xe2\x80\x99" "Brien", 9));
	assert_false(lexicon_has(&lx, "Cotillard", 9));
	assert_string_equal(lexicon_lookup(&lx, "XS", 2)->to, "[[k=s]]");
	lexicon_release(&lx);
}

/* Each bad line gives one error "file:line: ..." and the good ones still load. */
static void test_parse_errors(void **state)
{
	static const struct {
		const char *line;
		const char *msg;
	} bad[] = {
		{ "no equals sign", "expected 'word = how to say it'" },
		{ " = [[a]]", "expected 'word = how to say it'" },
		{ "word =", "expected 'word = how to say it'" },
		{ "word = [[a]] [[b]]", "phonemes must be one [[...]] group" },
		{ "word = [[a", "phonemes must be one [[...]] group" },
		{ "word = [[]]", "empty [[]] phoneme group" },
		{ "word = [[a(b]]", "printable ASCII" },
		{ "word = [[a\"b]]", "printable ASCII" },
		{ "word = [[k\xc3\xa9]]", "printable ASCII" },
		{ "word = say <this>", "a respelling is letters" },
		{ "word = it [[a]]", "phonemes must be one [[...]] group" },
		{ "word = ...", "a respelling needs a letter or digit" },
		{ "-word = x", "must start with a letter or digit" },
		{ "word. = x", "must end with a letter or digit" },
		{ "wo[rd = x", "may not contain brackets" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct lexicon lx;
		char *text = xasprintf("# bad line follows\ngood = fine\n%s\n", bad[i].line);
		char *err, *want;

		lexicon_init(&lx);
		assert_int_equal(load_text(&lx, "bad.lex", text, &err), -1);
		want = xasprintf("%s/bad.lex:3: ", scratch);
		if (!strstr(err, want) || !strstr(err, bad[i].msg))
			print_error("line '%s': got '%s'\n", bad[i].line, err);
		assert_non_null(strstr(err, want));
		assert_non_null(strstr(err, bad[i].msg));
		/* Exactly one error line. */
		assert_int_equal(strchr(err, '\n') - err + 1, (long)strlen(err));
		assert_true(lexicon_has(&lx, "good", 4));
		free(want);
		free(err);
		free(text);
		lexicon_release(&lx);
	}
}

static void test_duplicate_in_one_file(void **state)
{
	struct lexicon lx;
	char *err, *want;

	(void)state;
	lexicon_init(&lx);
	assert_int_equal(load_text(&lx, "dup.lex",
				   "Audiard = [[,oUdi:'A:]]\n"
				   "# a comment\n"
				   "Cotillard = [[k,0ti:j'A:]]\n"
				   "AUDIARD = Odiar\n", &err), -1);
	want = xasprintf("%s/dup.lex:4: 'AUDIARD' is already defined at line 1", scratch);
	assert_non_null(strstr(err, want));
	/* The first definition stands. */
	assert_string_equal(lexicon_lookup(&lx, "audiard", 7)->to, "[[,oUdi:'A:]]");
	free(want);
	free(err);
	lexicon_release(&lx);
}

static void test_unreadable_files(void **state)
{
	struct lexicon lx;
	char *err, *want;

	(void)state;
	lexicon_init(&lx);
	assert_int_equal(load_text(&lx, "utf8.lex", "ok = fine\nbad = caf\xe9\n", &err), -1);
	want = xasprintf("%s/utf8.lex:2: invalid UTF-8", scratch);
	assert_non_null(strstr(err, want));
	free(want);
	free(err);
	{
		struct capture cap;

		capture_begin(&cap);
		assert_int_equal(lexicon_load(&lx, "/nonexistent/x.lex"), -1);
		err = capture_end(&cap);
		assert_non_null(strstr(err, "cannot read the lexicon '/nonexistent/x.lex'"));
		free(err);
	}
	lexicon_release(&lx);
}

/* A later file overrides an earlier one; the latest definition wins. */
static void test_override_between_files(void **state)
{
	struct lexicon lx;
	char *err;

	(void)state;
	lexicon_of(&lx, "voice.lex", "Cotillard = Voice\nAudiard = Voice\nBowditch = Voice\n");
	assert_int_equal(load_text(&lx, "feed.lex", "cotillard = Feed\nAudiard = Feed\n", &err), 0);
	free(err);
	assert_int_equal(load_text(&lx, "review.lex", "COTILLARD = Review\n", &err), 0);
	free(err);
	check_apply(&lx, "Cotillard, Audiard, Bowditch.", "Review, Feed, Voice.");
	assert_int_equal(lx.nr, 3);
	assert_non_null(strstr(lexicon_lookup(&lx, "cotillard", 9)->file, "review.lex"));
	lexicon_release(&lx);
}

/* ---- matching ---------------------------------------------------------- */

static void test_whole_words_and_case(void **state)
{
	struct lexicon lx;

	(void)state;
	lexicon_of(&lx, "m.lex",
		   "Audi = Owdee\n"
		   "Émile = Aymeel\n"
		   "Jean-Pierre = Zhon-Pyair\n"
		   "r2d2 = Artoo\n");
	check_apply(&lx, "Audiard, Audi and AUDI; audis", "Audiard, Owdee and Owdee; audis");
	check_apply(&lx, "émile ÉMILE Émiles", "Aymeel Aymeel Émiles");
	check_apply(&lx, "Audi-style, pre-Audi", "Owdee-style, pre-Owdee");
	check_apply(&lx, "Jean-Pierre; Jean Pierre", "Zhon-Pyair; Jean Pierre");
	check_apply(&lx, "R2D2 r2d2x", "Artoo r2d2x");
	/* An apostrophe inside a word keeps it one word. */
	check_apply(&lx, "Audi'x don't", "Audi'x don't");
	/* Single quotes around a word are not part of it. */
	check_apply(&lx, "'Audi' and \xe2\x80\x98" "Audi\xe2\x80\x99",
		    "'Owdee' and \xe2\x80\x98" "Owdee\xe2\x80\x99");
	check_apply(NULL, "Audi", "Audi");
	lexicon_release(&lx);
}

static void test_longest_phrase_first(void **state)
{
	struct lexicon lx;

	(void)state;
	lexicon_of(&lx, "p.lex",
		   "Matthias = [[ma#T'aI@s]]\n"
		   "Matthias Schoenaerts = [[m'A:ti:@s sx'u:nA:ts]]\n"
		   "Schoenaerts = [[sx'u:nA:ts]]\n"
		   "Matthias Schoenaerts Junior = Junior\n");
	check_apply(&lx, "Matthias Schoenaerts is here.",
		    "[[m'A:ti:@s sx'u:nA:ts]] is here.");
	/* Any white space between the words of a phrase. */
	check_apply(&lx, "Matthias \t Schoenaerts", "[[m'A:ti:@s sx'u:nA:ts]]");
	check_apply(&lx, "matthias schoenaerts junior!", "Junior!");
	check_apply(&lx, "Matthias and Schoenaerts", "[[ma#T'aI@s]] and [[sx'u:nA:ts]]");
	/* A phrase must end on a word boundary: the shorter one matches. */
	check_apply(&lx, "Matthias Schoenaertsx", "[[ma#T'aI@s]] Schoenaertsx");
	lexicon_release(&lx);
}

static void test_possessives(void **state)
{
	struct lexicon lx;

	(void)state;
	lexicon_of(&lx, "s.lex",
		   "Cotillard = [[k,0ti:j'A:]]\n"
		   "Schoenaerts = [[sx'u:nA:ts]]\n"
		   "Bowditch = [[b'aUdItS]]\n"
		   "Kate = [[k'eIt]]\n"
		   "Audiard = Odiar\n");
	/* The ending joins the group: a vowel takes z, a voiceless stop s, a sibilant I2z. */
	check_apply(&lx, "Cotillard's role", "[[k,0ti:j'A:z]] role");
	check_apply(&lx, "COTILLARD\xe2\x80\x99S role", "[[k,0ti:j'A:z]] role");
	check_apply(&lx, "Kate's", "[[k'eIts]]");
	check_apply(&lx, "Schoenaerts's", "[[sx'u:nA:tsI2z]]");
	check_apply(&lx, "Bowditch's", "[[b'aUdItSI2z]]");
	/* A respelling keeps the text's own ending. */
	check_apply(&lx, "Audiard\xe2\x80\x99s film", "Odiar\xe2\x80\x99s film");
	/* Other endings are other words. */
	check_apply(&lx, "Audiard'd Audiards Audiard'sx", "Audiard'd Audiards Audiard'sx");
	/* A closing quote after a name is not a possessive. */
	check_apply(&lx, "'Audiard', 'Schoenaerts'", "'Odiar', ' [[sx'u:nA:ts]]'");
	lexicon_release(&lx);
}

static void test_elisions(void **state)
{
	struct lexicon lx;

	(void)state;
	lexicon_of(&lx, "e.lex", "Audiard = [[odj'ar]]\nAmélie = Amaylee\n");
	check_apply(&lx, "le film d'Audiard", "le film [[dodj'ar]]");
	check_apply(&lx, "l\xe2\x80\x99" "Audiard et qu'Audiard", "[[lodj'ar]] et [[kodj'ar]]");
	check_apply(&lx, "d'Amélie", "d'Amaylee");
	/* Not an elision: the name is inside a longer word. */
	check_apply(&lx, "aujourd'Audiard", "aujourd'Audiard");
	lexicon_release(&lx);
}

/* Review text can never start eSpeak NG phonemes; a group follows white space. */
static void test_no_injected_phonemes(void **state)
{
	struct lexicon lx;
	char *out;

	(void)state;
	check_apply(NULL, "say [[h@l'oU]] now", "say [ [h@l'oU]] now");
	check_apply(NULL, "[[[[x]]", "[ [ [ [x]]");
	lexicon_of(&lx, "i.lex", "Cotillard = [[k,0ti:j'A:]]\n");
	check_apply(&lx, "[[h@l'oU]] Cotillard", "[ [h@l'oU]] [[k,0ti:j'A:]]");
	check_apply(&lx, "[Cotillard] [[Cotillard]]",
		    "[ [[k,0ti:j'A:]]] [ [ [[k,0ti:j'A:]]]]");
	check_apply(&lx, "\xe2\x80\x9c" "Cotillard\xe2\x80\x9d",
		    "\xe2\x80\x9c [[k,0ti:j'A:]]\xe2\x80\x9d");
	check_apply(&lx, "(Cotillard)", "( [[k,0ti:j'A:]])");
	check_apply(&lx, "Cotillard", "[[k,0ti:j'A:]]");
	/* Whatever the input, every "[[" in the output starts an entry's group. */
	out = lexicon_apply(&lx, "[[[Cotillard[[x]][[[[ [[Cotillard");
	{
		const char *p = out;
		int groups = 0;

		while ((p = strstr(p, "[[")) != NULL) {
			assert_int_equal(strncmp(p, "[[k,0ti:j'A:]]", 14), 0);
			groups++;
			p += 2;
		}
		assert_int_equal(groups, 2);
	}
	free(out);
	lexicon_release(&lx);
}

struct scanned {
	struct strbuf sb;
};

static void scan_cb(const char *text, const struct lexicon_word *w, void *data)
{
	struct scanned *s = data;

	strbuf_addf(&s->sb, "%s%.*s%s|", w->sentence_start ? "^" : "", (int)w->len,
		    text + w->start, w->entry ? "*" : "");
}

static void test_scan(void **state)
{
	struct lexicon lx;
	struct scanned s = { STRBUF_INIT };

	(void)state;
	lexicon_of(&lx, "sc.lex", "Marion Cotillard = x\nAudiard = y\n");
	lexicon_scan(&lx, "Then Marion Cotillard's friend, d'Audiard's Ali\xe2\x80\x99s "
		     "don't l'Ami five-year-old 1990s.", scan_cb, &s);
	assert_string_equal(s.sb.buf, "^Then|Marion Cotillard*|friend|Audiard*|Ali|don't|"
			    "Ami|five|year|old|1990s|");
	strbuf_release(&s.sb);
	lexicon_release(&lx);
}

/* A large lexicon on a long text: every entry found, nothing else touched. */
static void test_large(void **state)
{
	struct lexicon lx;
	struct strbuf text = STRBUF_INIT, want = STRBUF_INIT;
	char *got;
	int i;

	(void)state;
	lexicon_init(&lx);
	lexicon_next_file(&lx);
	for (i = 0; i < 20000; i++) {
		char from[32], to[32];

		snprintf(from, sizeof(from), "name%d", i);
		snprintf(to, sizeof(to), "N%d", i);
		assert_int_equal(lexicon_add(&lx, from, to, "gen", i + 1), 0);
		if (i % 100 == 0) {
			/* Phrases sharing a first word. */
			snprintf(from, sizeof(from), "name%d extra", i);
			snprintf(to, sizeof(to), "P%d", i);
			assert_int_equal(lexicon_add(&lx, from, to, "gen", i + 1), 0);
		}
	}
	for (i = 0; i < 60000; i++) {
		int n = (i * 7919) % 25000;

		strbuf_addf(&text, "Name%d extra word%d, ", n, i);
		if (n < 20000 && n % 100 == 0)
			strbuf_addf(&want, "P%d word%d, ", n, i);
		else if (n < 20000)
			strbuf_addf(&want, "N%d extra word%d, ", n, i);
		else
			strbuf_addf(&want, "Name%d extra word%d, ", n, i);
	}
	got = lexicon_apply(&lx, text.buf);
	assert_string_equal(got, want.buf);
	free(got);
	strbuf_release(&text);
	strbuf_release(&want);
	lexicon_release(&lx);
}

/* ---- through the pipeline ---------------------------------------------- */

/* Copies file `from` to `to`. */
static void copy_file(const char *from, const char *to)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(read_file(from, &sb, 1u << 20), 0);
	assert_int_equal(write_file_atomic(to, sb.buf, sb.len), 0);
	strbuf_release(&sb);
}

/* The spoken text of the script's first paragraph. */
static const char *first_paragraph(const struct script *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		if (s->segs[i].kind == SEG_PARAGRAPH)
			return s->segs[i].sentences[0].spoken;
	fail();
	return NULL;
}

/* review > feed > voice, with the real voice profile and episode_prepare(). */
static void test_override_through_episode(void **state)
{
	char *voices = xasprintf("%s/voices", scratch);
	char *ini = xasprintf("%s/en-gb.ini", voices), *lex = xasprintf("%s/en.lex", voices);
	char *feed_lex, *review_path;
	struct render_options ro;
	struct episode_job job;
	struct review r;

	(void)state;
	assert_int_equal(mkdir_p(voices, 0755), 0);
	copy_file("voices/en-gb.ini", ini);
	write_text(lex, "Cotillard = Voice\nAudiard = Voice\nSchoenaerts = Voice\n");
	feed_lex = scratch_file("feed-names.lex", "Audiard = Feed\nSchoenaerts = Feed\n");
	free(scratch_file("review-names.lex", "Schoenaerts = Review\n"));
	review_path = scratch_file("r.md", "---\ntitle: T\nlexicon: review-names.lex\n---\n\n"
				   "Cotillard, Audiard, Schoenaerts.\n");
	assert_int_equal(review_read(&r, review_path), 0);
	render_options_init(&ro);
	ro.voices_dir = voices;
	assert_int_equal(episode_prepare(&job, &r, &ro), 0);
	assert_string_equal(first_paragraph(&job.script), "Voice, Voice, Review.");
	episode_job_release(&job);

	/* Without the review's lexicon: the feed's. */
	ro.feed_lexicon = feed_lex;
	{
		char *keep = r.lexicon;

		r.lexicon = NULL;
		assert_int_equal(episode_prepare(&job, &r, &ro), 0);
		assert_string_equal(first_paragraph(&job.script), "Voice, Feed, Feed.");
		episode_job_release(&job);
		r.lexicon = keep;
	}
	assert_int_equal(episode_prepare(&job, &r, &ro), 0);
	assert_string_equal(first_paragraph(&job.script), "Voice, Feed, Review.");
	episode_job_release(&job);

	/* A bad voice lexicon stops the render, naming file and line. */
	write_text(lex, "Audiard = A\naudiard = B\n");
	{
		struct capture cap;
		char *err, *want = xasprintf("%s:2: 'audiard' is already defined at line 1", lex);

		capture_begin(&cap);
		assert_int_equal(episode_prepare(&job, &r, &ro), -1);
		err = capture_end(&cap);
		assert_non_null(strstr(err, want));
		free(err);
		free(want);
	}
	review_release(&r);
	free(review_path);
	free(feed_lex);
	free(lex);
	free(ini);
	free(voices);
}

/*
 * The shipped lexicon changes what eSpeak NG says: the phonemes of each
 * name differ from eSpeak NG's own reading, and (when speech_phonemes()
 * reads [[...]] as synthesis does) eSpeak NG takes every phoneme of the
 * entry.
 */
static void test_changes_espeak_phonemes(void **state)
{
	static const char *const names[] = { "Schoenaerts", "Cotillard", "Audiard" };
	struct voice_profile v;
	struct lexicon lx;
	struct strbuf probe = STRBUF_INIT;
	int reads_groups;
	size_t i;

	(void)state;
	/* voice_profile_load() initialises v itself. */
	assert_int_equal(voice_profile_load(&v, "voices", "en-gb"), 0);
	lexicon_init(&lx);
	assert_int_equal(lexicon_load(&lx, "voices/en.lex"), 0);
	assert_int_equal(speech_phonemes(&v, "[[t]]", &probe), 0);
	reads_groups = !strcmp(probe.buf, "t");
	strbuf_release(&probe);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const struct lexicon_entry *e = lexicon_lookup(&lx, names[i], strlen(names[i]));
		struct strbuf own = STRBUF_INIT, lexed = STRBUF_INIT;
		char *applied = lexicon_apply(&lx, names[i]);
		char *group;

		assert_non_null(e);
		assert_true(e->phonemes);
		assert_string_equal(applied, e->to);
		assert_int_equal(speech_phonemes(&v, names[i], &own), 0);
		assert_true(own.len > 0);
		group = xstrndup(e->to + 2, strlen(e->to) - 4);
		/* eSpeak NG's own reading is not the lexicon's. */
		assert_string_not_equal(own.buf, group);
		if (reads_groups) {
			assert_int_equal(speech_phonemes(&v, applied, &lexed), 0);
			assert_string_not_equal(lexed.buf, own.buf);
			assert_int_equal(lexicon_check_phonemes(e, &v), 1);
		}
		free(group);
		free(applied);
		strbuf_release(&own);
		strbuf_release(&lexed);
	}
	lexicon_release(&lx);
	voice_profile_release(&v);
	if (!reads_groups)
		skip();  /* speech_phonemes() does not read [[...]] yet (speech.c) */
}

/* eSpeak NG refuses phonemes its language does not have: the entry is reported. */
static void test_check_bad_phonemes(void **state)
{
	struct voice_profile v;
	struct lexicon lx;
	struct capture cap;
	char *err;
	int ret;

	(void)state;
	/* voice_profile_load() initialises v itself. */
	assert_int_equal(voice_profile_load(&v, "voices", "en-gb"), 0);
	lexicon_of(&lx, "ph.lex", "Good = [[g'Ud]]\nCotillard = [[kE~tija]]\n");
	capture_begin(&cap);
	ret = lexicon_check_phonemes(lexicon_lookup(&lx, "Cotillard", 9), &v);
	err = capture_end(&cap);
	if (ret >= 0) {
		assert_int_equal(ret, 0);
		assert_non_null(strstr(err, "ph.lex:2: eSpeak NG voice 'en' does not know"));
		assert_int_equal(lexicon_check_phonemes(lexicon_lookup(&lx, "good", 4), &v), 1);
	}
	free(err);
	lexicon_release(&lx);
	voice_profile_release(&v);
	if (ret < 0)
		skip();  /* speech_phonemes() does not read [[...]] yet (speech.c) */
}

/* Moves to the top of the tree when started from build/tests/. */
static void find_top(const char *argv0)
{
	char *dir;

	if (is_file("voices/en.lex"))
		return;
	dir = xasprintf("%.*s../..", (int)(path_base(argv0) - argv0), argv0);
	if (chdir(dir))
		fprintf(stderr, "cannot find voices/en.lex from %s\n", dir);
	free(dir);
}

static int setup(void **state)
{
	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/test_lexicon.XXXXXX");
	return mkdtemp(scratch) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", scratch);
	int ret;

	(void)state;
	ret = system(cmd);
	free(cmd);
	return ret ? -1 : 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_duplicate_in_one_file),
		cmocka_unit_test(test_unreadable_files),
		cmocka_unit_test(test_override_between_files),
		cmocka_unit_test(test_whole_words_and_case),
		cmocka_unit_test(test_longest_phrase_first),
		cmocka_unit_test(test_possessives),
		cmocka_unit_test(test_elisions),
		cmocka_unit_test(test_no_injected_phonemes),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_override_through_episode),
		cmocka_unit_test(test_changes_espeak_phonemes),
		cmocka_unit_test(test_check_bad_phonemes),
	};

	(void)argc;
	find_top(argv[0]);
	return cmocka_run_group_tests(tests, setup, teardown);
}
