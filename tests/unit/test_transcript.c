/*
 * test_transcript.c - transcripts and chapters from a render's script and
 * timeline (made by hand here, so that every time is known), the WebVTT
 * read back, the timed HTML of the listening page and the M3U playlist.
 * The real pipeline is judged by tests/integration/t0500-transcripts.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "episode.h"
#include "html.h"
#include "site.h"
#include "transcript.h"
#include "util.h"

#define MS(samples) llround((double)(samples) * 1000.0 / SPEECH_RATE)

/*
 * Appends a segment of kind k (block b) with sentences sents[0..n),
 * spoken from `start` for `len` samples each, every display word a word
 * event spread evenly over its sentence, then `pause` samples of silence.
 * Returns the sample after the pause.
 */
static long long add_segment(struct episode_result *res, enum seg_kind k, int b,
			     const char *const *sents, size_t n, long long start,
			     long long len, long long pause)
{
	struct script *s = &res->script;
	struct timeline *tl = &res->timeline;
	struct segment *seg;
	size_t i;

	ALLOC_GROW(s->segs, s->nr + 1, s->alloc);
	seg = &s->segs[s->nr];
	memset(seg, 0, sizeof(*seg));
	seg->kind = k;
	seg->block = b;
	for (i = 0; i < n; i++) {
		long long at = start + (long long)i * len, w = 0, words = 1;
		const char *p;

		ALLOC_GROW(seg->sentences, seg->nr_sentences + 1, seg->alloc_sentences);
		seg->sentences[seg->nr_sentences].display = xstrdup(sents[i]);
		seg->sentences[seg->nr_sentences].spoken = xstrdup(sents[i]);
		seg->nr_sentences++;
		ALLOC_GROW(tl->sentences, tl->nr_sentences + 1, tl->alloc_sentences);
		tl->sentences[tl->nr_sentences].seg = (int)s->nr;
		tl->sentences[tl->nr_sentences].index = (int)i;
		/* eSpeak NG places the first mark a little before the sound */
		tl->sentences[tl->nr_sentences].start = i ? at : start - 100;
		tl->nr_sentences++;
		for (p = sents[i]; *p; p++)
			words += *p == ' ';
		for (p = sents[i], w = 0; w < words; w++) {
			ALLOC_GROW(tl->words, tl->nr_words + 1, tl->alloc_words);
			tl->words[tl->nr_words].seg = (int)s->nr;
			tl->words[tl->nr_words].sentence = (int)i;
			tl->words[tl->nr_words].start = at + w * len / words;
			tl->nr_words++;
		}
	}
	ALLOC_GROW(tl->segs, tl->nr_segs + 1, tl->alloc_segs);
	tl->segs[tl->nr_segs].start = start;
	tl->segs[tl->nr_segs].end = start + (long long)n * len;
	tl->nr_segs++;
	s->nr++;
	tl->total = start + (long long)n * len + pause;
	res->audio.duration = (double)tl->total / SPEECH_RATE;
	return tl->total;
}

static const char *const intro[] = { "A Title.", "A review by Someone." };
static const char *const para[] = { "Short one.", "Another short sentence." };
static const char *const longer[] = {
	"When a storm drives a fishing boat onto the rocks, three strangers spend "
	"nine days in her tower, and the novel follows what they carry in with them: "
	"grief, a stolen ledger, and one very bad joke told eleven times.",
};

/* Whether cue text (lines joined by spaces) ... checks every cue's shape. */
static void check_cues(const struct transcript *t, double duration)
{
	long long prev_end = 0;
	size_t i;

	for (i = 0; i < t->nr; i++) {
		const struct cue *c = &t->cues[i];
		const char *nl = strchr(c->text, '\n');

		assert_true(c->start_ms >= prev_end);
		assert_true(c->end_ms > c->start_ms);
		assert_true(c->end_ms <= (long long)floor(duration * 1000.0));
		assert_null(nl ? strchr(nl + 1, '\n') : NULL);   /* two lines at most */
		if (nl) {
			assert_true(utf8_length(c->text, (size_t)(nl - c->text)) <= CUE_LINE_MAX);
			assert_true(utf8_length(nl + 1, strlen(nl + 1)) <= CUE_LINE_MAX);
		} else {
			assert_true(utf8_length(c->text, strlen(c->text)) <= CUE_LINE_MAX);
		}
		prev_end = c->end_ms;
	}
}

/* The cues' text with line breaks as spaces, all joined by spaces. */
static char *joined(const struct transcript *t, size_t from, size_t to)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	char *p;

	for (i = from; i < to; i++) {
		if (i > from)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, t->cues[i].text);
	}
	for (p = sb.buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return strbuf_detach(&sb, NULL);
}

static void test_one_cue_per_sentence(void **state)
{
	struct episode_result res;
	struct transcript t;
	long long at;

	episode_result_init(&res);
	at = add_segment(&res, SEG_INTRO, -1, intro, 2, 0, 22050, 19845);
	add_segment(&res, SEG_PARAGRAPH, 0, para, 2, at, 33075, 13230);
	transcript_init(&t);
	transcript_build(&t, &res);
	assert_int_equal(t.nr, 4);
	assert_string_equal(t.cues[0].id, "intro-1");
	assert_string_equal(t.cues[1].id, "intro-2");
	assert_string_equal(t.cues[2].id, "b0-1");
	assert_string_equal(t.cues[3].id, "b0-2");
	assert_string_equal(t.cues[2].text, "Short one.");
	/* a segment's first cue starts with its sound, not its (earlier) mark */
	assert_int_equal(t.cues[2].start_ms, MS(at));
	assert_int_equal(t.cues[2].end_ms, MS(at + 33075));
	assert_int_equal(t.cues[3].start_ms, MS(at + 33075));
	/* the last cue of a segment ends with its speech, before the pause */
	assert_int_equal(t.cues[1].end_ms, MS(2 * 22050));
	assert_int_equal(t.cues[3].end_ms, MS(at + 2 * 33075));
	check_cues(&t, res.audio.duration);
	transcript_release(&t);
	episode_result_release(&res);
}

static void test_long_sentence_is_cut(void **state)
{
	struct episode_result res;
	struct transcript t;
	size_t i, k;
	char *all;

	episode_result_init(&res);
	add_segment(&res, SEG_PARAGRAPH, 3, longer, 1, 1000, 15 * 22050, 22050);
	transcript_init(&t);
	transcript_build(&t, &res);
	assert_true(t.nr >= 3);
	check_cues(&t, res.audio.duration);
	all = joined(&t, 0, t.nr);
	assert_string_equal(all, longer[0]);
	free(all);
	for (i = 0; i < t.nr; i++) {
		char id[32];
		int found = i == 0;

		snprintf(id, sizeof(id), "b3-%zu", i + 1);
		assert_string_equal(t.cues[i].id, id);
		/* each later part starts at a word event */
		for (k = 0; k < res.timeline.nr_words && !found; k++)
			found = MS(res.timeline.words[k].start) == t.cues[i].start_ms;
		assert_true(found);
		if (i)
			assert_int_equal(t.cues[i].start_ms, t.cues[i - 1].end_ms);
	}
	/* a cut after "them:" is taken over one in the middle of a clause */
	for (i = 0, k = 0; i < t.nr; i++) {
		size_t len = strlen(t.cues[i].text);

		k += len > 0 && strchr(",:", t.cues[i].text[len - 1]) != NULL;
	}
	assert_true(k >= 1);
	transcript_release(&t);
	episode_result_release(&res);
}

static void test_lines_count_characters(void **state)
{
	/* 40 characters, 52 bytes: one line */
	static const char *const accents[] = { "\xc3\xa9t\xc3\xa9 \xc3\xa0 l\xe2\x80\x99h\xc3\xb4tel "
					       "d\xc3\xa9j\xc3\xa0 r\xc3\xa9v\xc3\xa9l\xc3\xa9 \xc3\xa7" "a "
					       "va tr\xc3\xa8s bien." };
	struct episode_result res;
	struct transcript t;

	assert_true(strlen(accents[0]) > CUE_LINE_MAX);
	assert_true(utf8_length(accents[0], strlen(accents[0])) <= CUE_LINE_MAX);
	episode_result_init(&res);
	add_segment(&res, SEG_PARAGRAPH, 0, accents, 1, 0, 22050, 0);
	transcript_init(&t);
	transcript_build(&t, &res);
	assert_int_equal(t.nr, 1);
	assert_string_equal(t.cues[0].text, accents[0]);
	transcript_release(&t);
	episode_result_release(&res);
}

static void test_cues_stay_inside(void **state)
{
	struct episode_result res;
	struct transcript t;
	size_t i;

	episode_result_init(&res);
	add_segment(&res, SEG_PARAGRAPH, 0, para, 2, 0, 22050, 0);
	/* the file is shorter than the speech claims: cues are clamped */
	res.audio.duration = 1.5;
	transcript_init(&t);
	transcript_build(&t, &res);
	check_cues(&t, res.audio.duration);
	assert_int_equal(t.cues[t.nr - 1].end_ms, 1500);
	/* a timeline offset (an intro jingle) moves every cue */
	res.timeline_offset = 2.0;
	res.audio.duration = 5.0;
	transcript_build(&t, &res);
	assert_int_equal(t.cues[0].start_ms, 2000);
	assert_int_equal(t.nr, 2);
	for (i = 0; i < t.nr; i++)
		assert_true(t.cues[i].end_ms <= 4000);
	transcript_release(&t);
	episode_result_release(&res);
}

static void test_marks_out_of_order(void **state)
{
	static const char *const four[] = { "One two three.", "Four five six.", "Seven eight.",
					    "Nine ten." };
	struct episode_result res;
	struct transcript t;
	char *all;

	episode_result_init(&res);
	add_segment(&res, SEG_PARAGRAPH, 0, four, 4, 0, 22050, 0);
	/* the second mark is lost, the fourth comes before the third */
	res.timeline.sentences[1].seg = 7;
	res.timeline.sentences[3].start = res.timeline.sentences[2].start - 100;
	transcript_init(&t);
	transcript_build(&t, &res);
	check_cues(&t, res.audio.duration);
	assert_int_equal(t.nr, 4);
	/* the third keeps its mark; the others are placed by their characters */
	assert_int_equal(t.cues[2].start_ms, MS(2 * 22050));
	assert_true(t.cues[1].start_ms > 0 && t.cues[1].start_ms < MS(2 * 22050));
	assert_true(t.cues[3].start_ms > MS(2 * 22050) && t.cues[3].end_ms == MS(4 * 22050));
	all = joined(&t, 0, t.nr);
	assert_string_equal(all, "One two three. Four five six. Seven eight. Nine ten.");
	free(all);
	transcript_release(&t);
	episode_result_release(&res);
}

static void test_vtt_and_srt(void **state)
{
	static const char *const hostile[] = { "Fish & <Chips> --> \"x\"." };
	struct episode_result res;
	struct transcript t, back;
	struct strbuf vtt = STRBUF_INIT, srt = STRBUF_INIT;
	size_t i;

	episode_result_init(&res);
	add_segment(&res, SEG_INTRO, -1, intro, 2, 0, 22050, 22050);
	add_segment(&res, SEG_PARAGRAPH, 0, hostile, 1, 3 * 22050, 3000 * 22050 / 1000 + 7, 0);
	transcript_init(&t);
	transcript_init(&back);
	transcript_build(&t, &res);
	transcript_vtt(&t, &vtt);
	transcript_srt(&t, &srt);
	assert_true(!strncmp(vtt.buf, "WEBVTT\n\nintro-1\n00:00:00.000 --> 00:00:01.000\nA Title.\n", 53));
	assert_non_null(strstr(vtt.buf, "\nFish &amp; &lt;Chips&gt; --&gt; \"x\".\n"));
	assert_true(!strncmp(srt.buf, "1\n00:00:00,000 --> 00:00:01,000\nA Title.\n\n2\n", 44));
	assert_non_null(strstr(srt.buf, "\n3\n00:00:03,000 --> 00:00:06,000\nFish & <Chips>"));
	assert_int_equal(transcript_parse_vtt(&back, vtt.buf, vtt.len, "x.vtt"), 0);
	assert_int_equal(back.nr, t.nr);
	for (i = 0; i < t.nr; i++) {
		assert_string_equal(back.cues[i].id, t.cues[i].id);
		assert_int_equal(back.cues[i].start_ms, t.cues[i].start_ms);
		assert_int_equal(back.cues[i].end_ms, t.cues[i].end_ms);
	}
	/* not ours, or broken: refused */
	assert_int_equal(transcript_parse_vtt(&back, "1\n00:00:00,000", 14, "x.srt"), -1);
	assert_int_equal(back.nr, 0);
	assert_int_equal(transcript_parse_vtt(&back, "WEBVTT\n\na\n00:00:01.000 --> 00:00:00.500\nx\n",
					      42, "x.vtt"), -1);
	assert_int_equal(transcript_parse_vtt(&back, "WEBVTT\n\na\n0:61:00.000 --> 1:00:00.000\nx\n",
					      40, "x.vtt"), -1);
	strbuf_release(&vtt);
	strbuf_release(&srt);
	transcript_release(&t);
	transcript_release(&back);
	episode_result_release(&res);
}

static void test_chapters_json(void **state)
{
	struct chapter ch[] = {
		{ 0.0, 17.41, "Introduction" },
		{ 17.4104, 52.3, "The \"story\"\n\x01\\" },
		{ 52.3059, 70.2, "Caf\xc3\xa9" },
		{ 52.3059, 70.2, "same start: left out" },
		{ 80.0, 90.0, "after the end: left out" },
	};
	struct strbuf sb = STRBUF_INIT;

	chapters_json(&sb, ch, ARRAY_SIZE(ch), 70.1915, "An \"episode\"");
	assert_string_equal(sb.buf,
		"{\n  \"version\": \"1.2.0\",\n  \"title\": \"An \\\"episode\\\"\",\n  \"chapters\": [\n"
		"    {\"startTime\": 0, \"endTime\": 17.41, \"title\": \"Introduction\"},\n"
		"    {\"startTime\": 17.41, \"endTime\": 52.3, \"title\": \"The \\\"story\\\"\\n\\u0001\\\\\"},\n"
		"    {\"startTime\": 52.306, \"endTime\": 70.191, \"title\": \"Caf\xc3\xa9\"}\n"
		"  ]\n}\n");
	strbuf_reset(&sb);
	chapters_json(&sb, NULL, 0, 10.0, NULL);
	assert_string_equal(sb.buf, "{\n  \"version\": \"1.2.0\",\n  \"chapters\": []\n}\n");
	strbuf_release(&sb);
}

static void test_sibling_names(void **state)
{
	char *s = episode_sibling("episodes/a-b-1234abcd.mp3", "chapters.json");

	assert_string_equal(s, "episodes/a-b-1234abcd.chapters.json");
	free(s);
	s = episode_sibling("episodes.d/noext", "vtt");
	assert_string_equal(s, "episodes.d/noext.vtt");
	free(s);
}

static void test_timed_body(void **state)
{
	static const char body[] = "<p>One &amp; \xe2\x80\x9ctwo\xe2\x80\x9d</p>\n<h3>Head</h3>\n"
				   "<blockquote>\n<p>Quoted &lt;b&gt;</p>\n</blockquote>\n"
				   "<ul>\n<li>Item</li>\n</ul>\n";
	struct block_time times[] = { { 5412, 16510 }, { -1, -1 }, { 37823, 42542 },
				      { 3723000, 3724000 } };
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(html_timed_body(&out, body, times, ARRAY_SIZE(times)), 0);
	assert_non_null(strstr(out.buf, "<p data-start=\"5.412\" data-end=\"16.510\" data-at=\"0:05\" "
				  "tabindex=\"0\">One &amp; \xe2\x80\x9ctwo\xe2\x80\x9d</p>"));
	assert_non_null(strstr(out.buf, "<h3>Head</h3>"));
	assert_non_null(strstr(out.buf, "<blockquote>\n<p data-start=\"37.823\""));
	assert_non_null(strstr(out.buf, ">Quoted &lt;b&gt;</p>"));
	assert_non_null(strstr(out.buf, "<li data-start=\"3723.000\" data-end=\"3724.000\" "
				  "data-at=\"1:02:03\" tabindex=\"0\">Item</li>"));
	assert_null(strstr(out.buf, "<body"));
	/* fewer times than blocks, none at all, no body */
	strbuf_reset(&out);
	assert_int_equal(html_timed_body(&out, body, NULL, 0), 0);
	assert_null(strstr(out.buf, "data-start"));
	assert_non_null(strstr(out.buf, "<li>Item</li>"));
	strbuf_reset(&out);
	assert_int_equal(html_timed_body(&out, "", times, 1), 0);
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
}

static void test_m3u(void **state)
{
	struct episode e[2];
	struct strbuf sb = STRBUF_INIT;

	memset(e, 0, sizeof(e));
	e[0].file = (char *)"episodes/new-1.mp3";
	e[0].title = (char *)"New\nline";
	e[0].author = (char *)"A";
	e[0].duration = 70.6;
	e[1].file = (char *)"episodes/old-2.mp3";
	e[1].title = (char *)"Old";
	e[1].duration = 206.4;
	site_m3u(&sb, "Show", e, 2, 0);
	assert_string_equal(sb.buf, "#EXTM3U\n#PLAYLIST:Show\n#EXTINF:71,A - New line\n"
			    "episodes/new-1.mp3\n#EXTINF:206,Old\nepisodes/old-2.mp3\n");
	strbuf_reset(&sb);
	site_m3u(&sb, NULL, e, 2, 1);
	assert_string_equal(sb.buf, "#EXTM3U\n#EXTINF:206,Old\nepisodes/old-2.mp3\n"
			    "#EXTINF:71,A - New line\nepisodes/new-1.mp3\n");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_cue_per_sentence),
		cmocka_unit_test(test_long_sentence_is_cut),
		cmocka_unit_test(test_lines_count_characters),
		cmocka_unit_test(test_cues_stay_inside),
		cmocka_unit_test(test_marks_out_of_order),
		cmocka_unit_test(test_vtt_and_srt),
		cmocka_unit_test(test_chapters_json),
		cmocka_unit_test(test_sibling_names),
		cmocka_unit_test(test_timed_body),
		cmocka_unit_test(test_m3u),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
