/*
 * transcript.c - transcripts and chapters. See transcript.h.
 *
 * A cue is a sentence as it was written (the display text), not as it
 * was said. Its start is the sentence's <mark> (the first sentence of a
 * segment starts with the segment's first audible sample) and it lasts
 * until the next sentence starts, or until the segment's speech ends.
 * A sentence too long for two lines is cut into parts; a part that
 * begins at display word w of N starts at the spoken word event nearest
 * to w * M / N, M being the number of spoken words (the spoken form may
 * have more words: "1984" is four), or, without word events, in
 * proportion to its characters.
 */
#include "transcript.h"
#include "audio.h"
#include "episode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void transcript_init(struct transcript *t)
{
	memset(t, 0, sizeof(*t));
}

void transcript_release(struct transcript *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		free(t->cues[i].id);
		free(t->cues[i].text);
	}
	free(t->cues);
	transcript_init(t);
}

/* ---- cutting a sentence into cues ---- */

struct word {
	const char *s;
	size_t len;     /* bytes */
	size_t cps;     /* code points */
};

/* Splits text at runs of spaces and tabs into *out (pointers into text). */
static size_t split_words(const char *text, struct word **out)
{
	struct word *w = NULL;
	size_t n = 0, alloc = 0;
	const char *p = text;

	while (*p) {
		const char *start;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		ALLOC_GROW(w, n + 1, alloc);
		w[n].s = start;
		w[n].len = (size_t)(p - start);
		w[n].cps = utf8_length(start, w[n].len);
		n++;
	}
	*out = w;
	return n;
}

/* Characters of words [a, b) joined with single spaces. */
static size_t range_len(const struct word *w, size_t a, size_t b)
{
	size_t len = 0, i;

	for (i = a; i < b; i++)
		len += w[i].cps + (i > a);
	return len;
}

/* Whether s ends with suffix. */
static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/*
 * How good a place to cut is after word w (before word next): higher
 * after clause punctuation, and before a dash.
 */
static int cut_bonus(const struct word *w, const struct word *next)
{
	static const char *const strong[] = { ";", ":", ".", "!", "?", "\xe2\x80\x94",
					      "\xe2\x80\x93", "\xe2\x80\xa6" };
	static const char *const weak[] = { ",", ")", "\xe2\x80\x9d", "\"" };
	size_t i;
	size_t len = w->len;

	/* Look through closing quotes and brackets for the punctuation. */
	for (i = 0; i < ARRAY_SIZE(strong); i++)
		if (ends_with(w->s, len, strong[i]))
			return 24;
	if (next && (!strncmp(next->s, "\xe2\x80\x94", 3) || !strncmp(next->s, "\xe2\x80\x93", 3) ||
		     (next->len == 1 && next->s[0] == '-')))
		return 24;
	for (i = 0; i < ARRAY_SIZE(weak); i++)
		if (ends_with(w->s, len, weak[i]))
			return 16;
	return 0;
}

/*
 * Whether w is a short lower-case word with no punctuation after it
 * ("of", "the", "and"): a poor last word for a line or a cue.
 */
static int weak_end(const struct word *w)
{
	size_t i;

	if (w->len > 3 || w->s[0] < 'a' || w->s[0] > 'z')
		return 0;
	for (i = 1; i < w->len; i++)
		if (w->s[i] < 'a' || w->s[i] > 'z')
			return 0;
	return 1;
}

/*
 * Where to break words [a, b) into two lines: the break k (a < k < b)
 * that makes the longer line shortest, a little in favour of clause
 * punctuation and against a short word at the end of the first; b when
 * they fit on one line. Returns whether the result
 * fits in two lines of CUE_LINE_MAX.
 */
static int wrap_lines(const struct word *w, size_t a, size_t b, size_t *brk)
{
	size_t k, best = b, best_cost = (size_t)-1;

	if (range_len(w, a, b) <= CUE_LINE_MAX) {
		*brk = b;
		return 1;
	}
	for (k = a + 1; k < b; k++) {
		size_t l1 = range_len(w, a, k), l2 = range_len(w, k, b);
		size_t longer = l1 > l2 ? l1 : l2;
		size_t cost = 4 * longer + 20 * (size_t)weak_end(&w[k - 1]) -
			      (size_t)cut_bonus(&w[k - 1], &w[k]);

		if (cost < best_cost) {
			best_cost = cost;
			best = k;
		}
	}
	*brk = best;
	return best < b && range_len(w, a, best) <= CUE_LINE_MAX &&
	       range_len(w, best, b) <= CUE_LINE_MAX;
}

/*
 * Cuts words [0, n) into parts that each fit in two lines, as even as
 * possible, preferring cuts at clause punctuation and avoiding a short
 * last part. Fills starts[0..) with each part's first word and returns
 * the number of parts. starts has room for n entries.
 */
static size_t cut_parts(const struct word *w, size_t n, size_t *starts)
{
	size_t a = 0, nr = 0, brk;

	while (a < n) {
		size_t rem = range_len(w, a, n), parts, b, best = 0;
		double target, best_cost = HUGE_VAL;

		starts[nr++] = a;
		if (wrap_lines(w, a, n, &brk))
			break;
		parts = (rem + 2 * CUE_LINE_MAX - 9) / (2 * CUE_LINE_MAX - 8);
		if (parts < 2)
			parts = 2;
		target = (double)rem / (double)parts;
		for (b = a + 1; b < n; b++) {
			size_t len = range_len(w, a, b);
			double cost;

			if (len > 2 * CUE_LINE_MAX + 1)
				break;
			if (!wrap_lines(w, a, b, &brk))
				continue;
			cost = fabs((double)len - target) - cut_bonus(&w[b - 1], &w[b]) +
			       16 * weak_end(&w[b - 1]);
			if (range_len(w, b, n) < 16)
				cost += 40;   /* no orphan of a word or two */
			if (cost < best_cost) {
				best_cost = cost;
				best = b;
			}
		}
		a = best ? best : a + 1;   /* a single word too long for two lines */
	}
	return nr;
}

/* Appends words [a, b) as one or two lines. */
static void add_lines(struct strbuf *sb, const struct word *w, size_t a, size_t b)
{
	size_t brk, i;

	wrap_lines(w, a, b, &brk);
	for (i = a; i < b; i++) {
		if (i > a)
			strbuf_addch(sb, i == brk ? '\n' : ' ');
		strbuf_add(sb, w[i].s, w[i].len);
	}
}

/* ---- timing ---- */

static void add_cue(struct transcript *t, long long start_ms, long long end_ms,
		    char *id, char *text)
{
	ALLOC_GROW(t->cues, t->nr + 1, t->alloc);
	t->cues[t->nr].start_ms = start_ms;
	t->cues[t->nr].end_ms = end_ms;
	t->cues[t->nr].id = id;
	t->cues[t->nr].text = text;
	t->nr++;
}

static long long to_ms(const struct episode_result *res, long long sample)
{
	return llround(episode_time(res, sample) * 1000.0);
}

/* The cue id prefix of segment seg: "intro", "outro" or "bB". */
static char *seg_id(const struct segment *seg, size_t part)
{
	if (seg->block >= 0)
		return xasprintf("b%d-%zu", seg->block, part);
	return xasprintf("%s-%zu", seg->kind == SEG_OUTRO ? "outro" : "intro", part);
}

/*
 * The start (in samples) of each sentence of segment i: its mark when
 * there is one in order inside the segment, else interpolated by
 * characters between its neighbours. starts has nr_sentences + 1 entries;
 * the last is the segment's end.
 */
static void sentence_starts(const struct episode_result *res, size_t i, long long *starts)
{
	const struct segment *seg = &res->script.segs[i];
	const struct timeline *tl = &res->timeline;
	long long s0 = tl->segs[i].start, s1 = tl->segs[i].end;
	size_t n = seg->nr_sentences, j, k;

	if (s1 < s0)
		s1 = s0;
	for (j = 0; j <= n; j++)
		starts[j] = -1;
	for (k = 0; k < tl->nr_sentences; k++) {
		const struct tl_sentence *ts = &tl->sentences[k];

		if (ts->seg == (int)i && ts->index > 0 && (size_t)ts->index < n &&
		    starts[ts->index] < 0 && ts->start > s0 && ts->start < s1)
			starts[ts->index] = ts->start;
	}
	starts[0] = s0;
	starts[n] = s1;
	/* Drop marks out of order, then fill the gaps by characters. */
	for (j = 1, k = 0; j < n; j++) {
		if (starts[j] < 0)
			continue;
		if (starts[j] <= starts[k])
			starts[j] = -1;
		else
			k = j;
	}
	for (j = 1; j < n; j++) {
		size_t prev = j - 1, next = j, chars_all = 0, chars_before = 0, m;

		if (starts[j] >= 0)
			continue;
		while (starts[next] < 0)
			next++;
		for (m = prev; m < next; m++) {
			size_t l = strlen(seg->sentences[m].display) + 1;

			chars_all += l;
			if (m < j)
				chars_before += l;
		}
		/* starts[prev] is known: a mark, or filled on the turn before */
		starts[j] = starts[prev] + (long long)((double)(starts[next] - starts[prev]) *
						       (double)chars_before / (double)chars_all);
	}
}

/* Appends the cues of sentence j of segment i, spoken from t0 to t1 (samples). */
static void sentence_cues(struct transcript *t, const struct episode_result *res,
			  size_t i, size_t j, long long t0, long long t1, size_t *part)
{
	const struct segment *seg = &res->script.segs[i];
	const struct timeline *tl = &res->timeline;
	struct word *w;
	size_t n = split_words(seg->sentences[j].display, &w), nr, k, m = 0, total;
	size_t *starts;
	long long *at, *ws = NULL;
	size_t ws_alloc = 0;

	if (!n) {
		free(w);
		return;
	}
	starts = xmalloc((n + 1) * sizeof(*starts));
	nr = cut_parts(w, n, starts);
	starts[nr] = n;
	at = xmalloc((nr + 1) * sizeof(*at));
	/* The spoken words of this sentence. */
	for (k = 0; k < tl->nr_words; k++) {
		const struct tl_word *tw = &tl->words[k];

		if (tw->seg == (int)i && tw->sentence == (int)j &&
		    tw->start >= t0 && tw->start < t1) {
			ALLOC_GROW(ws, m + 1, ws_alloc);
			ws[m++] = tw->start;
		}
	}
	total = range_len(w, 0, n);
	at[0] = t0;
	at[nr] = t1;
	for (k = 1; k < nr; k++) {
		long long by_chars = t0 + (long long)((double)(t1 - t0) *
			(double)(range_len(w, 0, starts[k]) + 1) / (double)(total + 1));

		at[k] = by_chars;
		if (m >= 2) {
			double x = (double)starts[k] * (double)m / (double)n;
			size_t idx = (size_t)floor(x + 0.5);

			if (idx < 1)
				idx = 1;
			if (idx > m - 1)
				idx = m - 1;
			at[k] = ws[idx];
		}
		if (at[k] <= at[k - 1] || at[k] >= t1)
			at[k] = by_chars;
	}
	for (k = 0; k < nr; k++) {
		struct strbuf text = STRBUF_INIT;
		size_t last = k;

		/* A part with no time of its own is shown with the next. */
		while (last + 1 < nr && at[last + 1] <= at[k])
			last++;
		add_lines(&text, w, starts[k], starts[last + 1]);
		add_cue(t, to_ms(res, at[k]), to_ms(res, at[last + 1]),
			seg_id(seg, ++*part), strbuf_detach(&text, NULL));
		k = last;
	}
	free(ws);
	free(at);
	free(starts);
	free(w);
}

/*
 * Makes the cues non-overlapping and inside [0, duration): a cue starts
 * no earlier than the previous one ends, ends no later than the file; a
 * cue left with no time joins the one before it.
 */
static void transcript_fix(struct transcript *t, double duration)
{
	long long end_ms = (long long)floor(duration * 1000.0), prev_end = 0;
	size_t i, keep = 0;

	for (i = 0; i < t->nr; i++) {
		struct cue *c = &t->cues[i];

		if (c->start_ms < prev_end)
			c->start_ms = prev_end;
		if (c->end_ms > end_ms)
			c->end_ms = end_ms;
		if (c->end_ms <= c->start_ms) {
			if (keep) {
				struct cue *p = &t->cues[keep - 1];
				char *joined = xasprintf("%s %s", p->text, c->text);

				free(p->text);
				p->text = joined;
			}
			free(c->id);
			free(c->text);
			continue;
		}
		prev_end = c->end_ms;
		t->cues[keep++] = *c;
	}
	t->nr = keep;
}

void transcript_build(struct transcript *t, const struct episode_result *res)
{
	const struct script *s = &res->script;
	size_t i, j;

	transcript_release(t);
	for (i = 0; i < s->nr && i < res->timeline.nr_segs; i++) {
		const struct segment *seg = &s->segs[i];
		long long *starts = xmalloc((seg->nr_sentences + 1) * sizeof(*starts));
		size_t part = 0;

		sentence_starts(res, i, starts);
		for (j = 0; j < seg->nr_sentences; j++)
			sentence_cues(t, res, i, j, starts[j], starts[j + 1], &part);
		free(starts);
	}
	transcript_fix(t, res->audio.duration);
}

/* ---- writing ---- */

/* HH:MM:SS.mmm (sep '.') or HH:MM:SS,mmm (sep ','). */
static void add_time(struct strbuf *out, long long ms, char sep)
{
	if (ms < 0)
		ms = 0;
	strbuf_addf(out, "%02lld:%02lld:%02lld%c%03lld", ms / 3600000, ms / 60000 % 60,
		    ms / 1000 % 60, sep, ms % 1000);
}

void transcript_vtt(const struct transcript *t, struct strbuf *out)
{
	size_t i;
	const char *p;

	strbuf_addstr(out, "WEBVTT\n");
	for (i = 0; i < t->nr; i++) {
		const struct cue *c = &t->cues[i];

		strbuf_addf(out, "\n%s\n", c->id);
		add_time(out, c->start_ms, '.');
		strbuf_addstr(out, " --> ");
		add_time(out, c->end_ms, '.');
		strbuf_addch(out, '\n');
		for (p = c->text ? c->text : ""; *p; p++) {
			switch (*p) {
			case '&': strbuf_addstr(out, "&amp;"); break;
			case '<': strbuf_addstr(out, "&lt;"); break;
			case '>': strbuf_addstr(out, "&gt;"); break;
			default: strbuf_addch(out, *p); break;
			}
		}
		strbuf_addch(out, '\n');
	}
}

void transcript_srt(const struct transcript *t, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		const struct cue *c = &t->cues[i];

		if (i)
			strbuf_addch(out, '\n');
		strbuf_addf(out, "%zu\n", i + 1);
		add_time(out, c->start_ms, ',');
		strbuf_addstr(out, " --> ");
		add_time(out, c->end_ms, ',');
		strbuf_addf(out, "\n%s\n", c->text ? c->text : "");
	}
}

/* Parses "HH:MM:SS.mmm" at *p (advancing it) into ms. 0 or -1. */
static int parse_time(const char **p, long long *ms)
{
	const char *s = *p;
	long long h, m, sec, frac;

	if (!(s[0] >= '0' && s[0] <= '9'))
		return -1;
	for (h = 0; *s >= '0' && *s <= '9'; s++)
		if ((h = h * 10 + (*s - '0')) > 100000)
			return -1;
	if (*s++ != ':' || !(s[0] >= '0' && s[0] <= '5') || !(s[1] >= '0' && s[1] <= '9'))
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	s += 2;
	if (*s++ != ':' || !(s[0] >= '0' && s[0] <= '5') || !(s[1] >= '0' && s[1] <= '9'))
		return -1;
	sec = (s[0] - '0') * 10 + (s[1] - '0');
	s += 2;
	if (*s++ != '.' || !(s[0] >= '0' && s[0] <= '9') || !(s[1] >= '0' && s[1] <= '9') ||
	    !(s[2] >= '0' && s[2] <= '9'))
		return -1;
	frac = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	*p = s + 3;
	*ms = ((h * 60 + m) * 60 + sec) * 1000 + frac;
	return 0;
}

int transcript_parse_vtt(struct transcript *t, const char *buf, size_t len,
			 const char *path)
{
	struct strbuf line = STRBUF_INIT, id = STRBUF_INIT;
	const char *p = buf, *end = buf + len;
	int lineno = 0, ret = -1;

	transcript_release(t);
	if (len < 6 || memcmp(buf, "WEBVTT", 6) || memchr(buf, '\0', len)) {
		error("'%s' is not a WebVTT file", path);
		goto out;
	}
	strbuf_reset(&id);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *q;
		long long s, e;

		strbuf_reset(&line);
		strbuf_add(&line, p, (size_t)((nl ? nl : end) - p));
		p = nl ? nl + 1 : end;
		lineno++;
		if (lineno == 1)
			continue;
		if (!line.len) {
			strbuf_reset(&id);
			continue;
		}
		if (!strstr(line.buf, "-->")) {
			if (!id.len)
				strbuf_addstr(&id, line.buf);
			continue;
		}
		q = line.buf;
		if (parse_time(&q, &s) || strncmp(q, " --> ", 5)) {
			error("%s:%d: bad cue timing", path, lineno);
			goto out;
		}
		q += 5;
		if (parse_time(&q, &e) || e < s) {
			error("%s:%d: bad cue timing", path, lineno);
			goto out;
		}
		add_cue(t, s, e, strbuf_detach(&id, NULL), NULL);
		/* skip the cue's text */
		while (p < end && *p != '\n') {
			nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
			lineno++;
		}
	}
	ret = 0;
out:
	if (ret)
		transcript_release(t);
	strbuf_release(&line);
	strbuf_release(&id);
	return ret;
}

void json_string(struct strbuf *out, const char *s)
{
	const unsigned char *p;

	strbuf_addch(out, '"');
	for (p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': strbuf_addstr(out, "\\\""); break;
		case '\\': strbuf_addstr(out, "\\\\"); break;
		case '\n': strbuf_addstr(out, "\\n"); break;
		case '\r': strbuf_addstr(out, "\\r"); break;
		case '\t': strbuf_addstr(out, "\\t"); break;
		default:
			if (*p < 0x20)
				strbuf_addf(out, "\\u%04x", *p);
			else
				strbuf_addch(out, (char)*p);
		}
	}
	strbuf_addch(out, '"');
}

/* Seconds to the millisecond, without trailing zeros: 0, 12.5, 61.234. */
static void add_seconds(struct strbuf *out, long long ms)
{
	strbuf_addf(out, "%lld", ms / 1000);
	if (ms % 1000) {
		char frac[8];
		size_t n;

		snprintf(frac, sizeof(frac), ".%03lld", ms % 1000);
		n = strlen(frac);
		while (frac[n - 1] == '0')
			frac[--n] = '\0';
		strbuf_addstr(out, frac);
	}
}

/* A chapter time in whole ms, rounded as the CHAP frames round it. */
static long long chapter_ms(double t)
{
	return t > 0 && isfinite(t) ? (long long)floor(t * 1000.0 + 0.5) : 0;
}

void chapters_json(struct strbuf *out, const struct chapter *ch, size_t nr,
		   double duration, const char *title)
{
	long long dur_ms = duration > 0 && isfinite(duration) ?
			   (long long)floor(duration * 1000.0) : 0, last = -1;
	size_t i;
	int first = 1;

	strbuf_addstr(out, "{\n  \"version\": \"1.2.0\",\n");
	if (title) {
		strbuf_addstr(out, "  \"title\": ");
		json_string(out, title);
		strbuf_addstr(out, ",\n");
	}
	strbuf_addstr(out, "  \"chapters\": [");
	for (i = 0; i < nr; i++) {
		long long s = chapter_ms(ch[i].start), e = chapter_ms(ch[i].end);

		if (s >= dur_ms || s <= last)
			continue;
		if (e > dur_ms || e <= s)
			e = dur_ms;
		strbuf_addstr(out, first ? "\n    {\"startTime\": " : ",\n    {\"startTime\": ");
		add_seconds(out, s);
		strbuf_addstr(out, ", \"endTime\": ");
		add_seconds(out, e);
		strbuf_addstr(out, ", \"title\": ");
		json_string(out, ch[i].title);
		strbuf_addch(out, '}');
		last = s;
		first = 0;
	}
	strbuf_addstr(out, first ? "]\n}\n" : "\n  ]\n}\n");
}

char *episode_sibling(const char *file, const char *ext)
{
	const char *base = path_base(file), *dot = strrchr(base, '.');
	size_t stem = dot && dot != base ? (size_t)(dot - file) : strlen(file);

	return xasprintf("%.*s.%s", (int)stem, file, ext);
}

int publish_file(const char *path, const void *data, size_t len)
{
	struct strbuf cur = STRBUF_INIT;
	int same = 0;

	if (is_file(path)) {
		FILE *fp = fopen(path, "rb");

		if (fp) {
			char buf[8192];
			size_t n;

			while ((n = fread(buf, 1, sizeof(buf), fp)) > 0 && cur.len <= len)
				strbuf_add(&cur, buf, n);
			same = !ferror(fp) && cur.len == len && !memcmp(cur.buf, data, len);
			fclose(fp);
		}
	}
	strbuf_release(&cur);
	return same ? 0 : write_file_atomic(path, data, len);
}

int transcript_write_files(const struct episode_result *res, const char *dir,
			   const char *file, const char *title,
			   char **vtt, char **srt, char **chapters)
{
	struct transcript t;
	struct strbuf sb = STRBUF_INIT;
	char *names[3], *path;
	int i, ret = 0;

	names[0] = episode_sibling(file, "vtt");
	names[1] = episode_sibling(file, "srt");
	names[2] = episode_sibling(file, "chapters.json");
	transcript_init(&t);
	transcript_build(&t, res);
	for (i = 0; i < 3 && !ret; i++) {
		strbuf_reset(&sb);
		if (i == 0)
			transcript_vtt(&t, &sb);
		else if (i == 1)
			transcript_srt(&t, &sb);
		else
			chapters_json(&sb, res->chapters, res->nr_chapters, res->audio.duration,
				      title);
		path = path_join(dir, names[i]);
		ret = publish_file(path, sb.buf, sb.len);
		free(path);
	}
	transcript_release(&t);
	strbuf_release(&sb);
	if (ret) {
		for (i = 0; i < 3; i++)
			free(names[i]);
		*vtt = *srt = *chapters = NULL;
		return -1;
	}
	*vtt = names[0];
	*srt = names[1];
	*chapters = names[2];
	return 0;
}
