/*
 * words.c - `revcast words`. See words.h.
 *
 * For each review it prepares the render exactly as `revcast render` and
 * `revcast text --speech` would (episode_prepare(): the voice profile and
 * the lexicons that apply: the profile's, the feed's when the review is in
 * a feed's reviews folder, the review's own), adds any --lexicon files,
 * and walks each sentence's normalised text with the lexicon's own
 * matcher (lexicon_scan()), so a word counts as covered exactly when the
 * render would replace it.
 *
 * "Likely to misread" is a documented heuristic, with a dictionary word
 * list of the review's language (Debian's wbritish + wamerican for
 * English, wfrench for French, or --dict): a word is listed when it has
 * letters and digits ("MP3"), a capital after a small letter ("McQueen")
 * and is not in the list as written, or is in the list in no case (for
 * English, also not after taking off a common ending or prefix:
 * "unpitying", "relatable"). eSpeak NG's letter-to-sound rules read the
 * words of its language well; names and coinages are what it gets wrong
 * ("Schoenaerts" -> sk'oUne@ts). Without a word list, only the shape
 * counts: mixed case, capitals ("BBC"), letters with digits, and a
 * capitalised word that does not start its sentence.
 */
#include "words.h"
#include "episode.h"
#include "feedcfg.h"
#include "lexicon.h"
#include "normalize.h"
#include "review.h"
#include "speech.h"
#include "text.h"
#include "util.h"
#include "voice.h"

#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char words_usage[] =
	"revcast words [--phonemes] [--voice NAME] [--lexicon FILE] [options] REVIEW...";
const char words_help[] =
	"Lists the names and unusual words of the reviews that no pronunciation\n"
	"lexicon covers and that eSpeak NG is likely to misread, most frequent\n"
	"first: count, word, and the first file:line where it occurs. The\n"
	"lexicons are those a render uses: the voice profile's, the feed's (for\n"
	"a review in a feed's reviews folder) and the review's own.\n\n"
	"A word is listed when it is in no dictionary word list of the review's\n"
	"language (/usr/share/dict: wbritish and wamerican for English, wfrench\n"
	"for French), or mixes letters and digits, or has a capital after a\n"
	"small letter. To accept a word, give it a lexicon entry (even 'orca =\n"
	"orca'). Phoneme entries that the reviews use are checked with eSpeak NG.\n\n"
	"      --phonemes        also print how eSpeak NG would say each word\n"
	"      --voice NAME      voice profile (default: as `revcast render` picks)\n"
	"      --voices DIR      the voices directory\n"
	"      --lexicon FILE    one more lexicon, over all the others (repeatable)\n"
	"      --dict FILE       word list to use instead of the system's (repeatable)\n\n"
	"Exit status: 0 when every review was read, 1 on an error (for example a\n"
	"bad lexicon entry, reported with its file and line).\n";

/* ---- string maps ---- */

struct strmap_slot {
	char *key;        /* NULL: empty */
	size_t val;
};

/* Open-addressing map from strings to numbers. */
struct strmap {
	struct strmap_slot *slots;
	size_t nr, cap;   /* cap: a power of two, or 0 */
};

/* The slot of key (n bytes): where it is, or the empty slot where it would go. */
static struct strmap_slot *strmap_slot(const struct strmap *m, const char *key, size_t n)
{
	size_t mask = m->cap - 1, i = (size_t)hash_fnv1a(key, n) & mask;

	while (m->slots[i].key &&
	       (strlen(m->slots[i].key) != n || memcmp(m->slots[i].key, key, n)))
		i = (i + 1) & mask;
	return &m->slots[i];
}

/* The value of key (n bytes) in *val; returns whether it is there. */
static int strmap_get(const struct strmap *m, const char *key, size_t n, size_t *val)
{
	struct strmap_slot *s;

	if (!m->cap)
		return 0;
	s = strmap_slot(m, key, n);
	if (!s->key)
		return 0;
	if (val)
		*val = s->val;
	return 1;
}

/* Sets key (n bytes) to val unless it is there; returns whether it was added. */
static int strmap_add(struct strmap *m, const char *key, size_t n, size_t val)
{
	struct strmap_slot *s;

	if ((m->nr + 1) * 2 > m->cap) {
		struct strmap old = *m;
		size_t i;

		m->cap = m->cap ? m->cap * 2 : 64;
		m->slots = xcalloc(m->cap, sizeof(*m->slots));
		for (i = 0; i < old.cap; i++)
			if (old.slots[i].key)
				*strmap_slot(m, old.slots[i].key, strlen(old.slots[i].key)) =
					old.slots[i];
		free(old.slots);
	}
	s = strmap_slot(m, key, n);
	if (s->key)
		return 0;
	s->key = xstrndup(key, n);
	s->val = val;
	m->nr++;
	return 1;
}

/* Frees the keys and the table; m is empty afterwards. */
static void strmap_release(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ---- word lists ---- */

struct wordlist {
	char *name;           /* language ("en", "fr"), or "" for --dict */
	struct strmap folded; /* every word, case-folded */
	struct strmap mixed;  /* words with a capital after a small letter, as written */
	int english;          /* also try English endings and prefixes */
	int files;            /* word lists read */
};

/* Letters, capitals and digits in s (n bytes). */
struct shape {
	int cps, letters, digits, upper, first_upper, all_upper, upper_after_lower;
};

/* Counts the letters, capitals and digits of s (n bytes) into *sh. */
static void shape_of(const char *s, size_t n, struct shape *sh)
{
	const char *p = s, *end = s + n;
	int lower_seen = 0;

	memset(sh, 0, sizeof(*sh));
	while (p < end) {
		long cp = utf8_decode(&p, end);

		if (cp < 0)
			continue;
		sh->cps++;
		if (cp >= '0' && cp <= '9') {
			sh->digits++;
			continue;
		}
		if (!lexicon_word_cp(cp))
			continue;
		sh->letters++;
		if (lexicon_fold_cp(cp) != cp) {
			sh->upper++;
			if (sh->cps == 1)
				sh->first_upper = 1;
			if (lower_seen)
				sh->upper_after_lower = 1;
		} else {
			lower_seen = 1;
		}
	}
	sh->all_upper = sh->letters && sh->upper == sh->letters;
}

/* Adds the words of one list file (one word a line) to wl. */
static int wordlist_read(struct wordlist *wl, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *p, *next;

	if (read_file(path, &sb, 64u << 20))
		return error("cannot read the word list '%s'", path);
	for (p = sb.buf; p && *p; p = next) {
		size_t n;
		struct shape sh;
		char *f;

		next = strchr(p, '\n');
		n = next ? (size_t)(next - p) : strlen(p);
		if (next)
			next++;
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!n || utf8_invalid_at(p, n) != n)
			continue;
		f = lexicon_fold(p, n);
		strmap_add(&wl->folded, f, strlen(f), 0);
		free(f);
		shape_of(p, n, &sh);
		if (sh.upper_after_lower)
			strmap_add(&wl->mixed, p, n, 0);
	}
	strbuf_release(&sb);
	wl->files++;
	return 0;
}

const char *words_default_lists(const char *lang)
{
	if (!lang)
		return NULL;
	if (!strncasecmp(lang, "en", 2) && (!lang[2] || lang[2] == '-' || lang[2] == '_'))
		return "/usr/share/dict/british-english:/usr/share/dict/american-english";
	if (!strncasecmp(lang, "fr", 2) && (!lang[2] || lang[2] == '-' || lang[2] == '_'))
		return "/usr/share/dict/french";
	return NULL;
}

/* Frees word list wl (NULL is fine). */
static void wordlist_free(struct wordlist *wl)
{
	if (!wl)
		return;
	strmap_release(&wl->folded);
	strmap_release(&wl->mixed);
	free(wl->name);
	free(wl);
}

/* Whether w (folded, n bytes) is in the list. */
static int listed(const struct wordlist *wl, const char *w, size_t n)
{
	return strmap_get(&wl->folded, w, n, NULL);
}

/* Whether lower-case ASCII word w is an English word once an ending is taken off. */
static int english_stem_known(const struct wordlist *wl, const char *w, size_t n)
{
	static const struct { const char *end, *add; } endings[] = {
		{ "ies", "y" }, { "ied", "y" }, { "ier", "y" }, { "iest", "y" },
		{ "ily", "y" }, { "iness", "y" }, { "es", "" }, { "s", "" },
		{ "ed", "" }, { "ed", "e" }, { "ing", "" }, { "ing", "e" },
		{ "ly", "" }, { "er", "" }, { "er", "e" }, { "est", "" },
		{ "est", "e" }, { "ness", "" }, { "able", "" }, { "able", "e" },
		{ "ible", "" }, { "ible", "e" }, { "ity", "" }, { "ity", "e" },
		{ "ment", "" }, { "ful", "" }, { "less", "" }, { "ism", "" },
		{ "ist", "" }, { "ish", "" },
	};
	char buf[64];
	size_t i;

	if (n >= sizeof(buf) - 2)
		return 0;
	for (i = 0; i < ARRAY_SIZE(endings); i++) {
		size_t el = strlen(endings[i].end), al = strlen(endings[i].add), sn;

		if (n < el + 3 || memcmp(w + n - el, endings[i].end, el))
			continue;
		sn = n - el;
		memcpy(buf, w, sn);
		memcpy(buf + sn, endings[i].add, al);
		if (listed(wl, buf, sn + al))
			return 1;
		/* "stopped" -> "stop" */
		if (!al && sn >= 4 && buf[sn - 1] == buf[sn - 2] && listed(wl, buf, sn - 1))
			return 1;
	}
	return 0;
}

/* Whether lower-case ASCII word w is English with a common prefix or ending. */
static int english_known(const struct wordlist *wl, const char *w, size_t n)
{
	static const char *const prefixes[] = {
		"un", "re", "non", "over", "under", "out", "mis", "pre", "dis", "in",
		"im", "co", "sub", "super", "anti", "counter", "semi", "multi", "inter",
	};
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return 0;
	if (english_stem_known(wl, w, n))
		return 1;
	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t pl = strlen(prefixes[i]);

		if (n < pl + 3 || memcmp(w, prefixes[i], pl))
			continue;
		if (listed(wl, w + pl, n - pl) || english_stem_known(wl, w + pl, n - pl))
			return 1;
	}
	return 0;
}

/* ---- the command's state ---- */

struct token {
	char *shown;      /* as first written */
	const char *file; /* as given on the command line */
	int line;
	int count;
	size_t order;
	size_t voice;     /* index in words.voices */
};

struct feed_cache {
	char *dir;        /* real path of the feed folder */
	struct feed_config cfg;
};

struct words {
	const char *voice, *voices_dir;
	const char **lexicons;
	size_t nr_lexicons;
	const char **dicts;
	size_t nr_dicts;
	int phonemes;

	struct token *tokens;
	size_t nr_tokens, alloc_tokens;
	struct strmap token_index;    /* folded word -> index in tokens */
	struct voice_profile *voices;
	size_t nr_voices, alloc_voices;
	struct wordlist **lists;
	size_t nr_lists, alloc_lists;
	struct feed_cache *feeds;
	size_t nr_feeds, alloc_feeds;
	struct strmap checked;        /* "file:line" of phoneme entries checked */
	int bad_entries;
};

/* The word list for language lang (loaded once), or NULL when there is none. */
static struct wordlist *wordlist_for(struct words *w, const char *lang)
{
	const char *lists = w->nr_dicts ? NULL : words_default_lists(lang);
	char key[8];
	struct wordlist *wl;
	size_t i;

	/* One list per primary language ("en", "fr"); --dict: one for all. */
	key[0] = '\0';
	if (!w->nr_dicts && lang) {
		for (i = 0; i < 3 && lang[i] && lang[i] != '-' && lang[i] != '_'; i++)
			key[i] = (char)(lang[i] | 0x20);
		key[i] = '\0';
	}
	for (i = 0; i < w->nr_lists; i++)
		if (!strcmp(w->lists[i]->name, key))
			return w->lists[i]->files ? w->lists[i] : NULL;
	wl = xcalloc(1, sizeof(*wl));
	wl->name = xstrdup(key);
	wl->english = !strcmp(key, "en") ||
		      (w->nr_dicts && lang && !strncasecmp(lang, "en", 2));
	if (w->nr_dicts) {
		for (i = 0; i < w->nr_dicts; i++)
			if (wordlist_read(wl, w->dicts[i]))
				w->bad_entries++;
	} else if (lists) {
		char *all = xstrdup(lists), *p, *save = NULL;

		for (p = strtok_r(all, ":", &save); p; p = strtok_r(NULL, ":", &save))
			if (is_file(p))
				wordlist_read(wl, p);
		free(all);
		if (!wl->files)
			warning("no word list for '%s' (install wbritish and wamerican, or "
				"wfrench): judging words by their shape only", lang);
	} else {
		warning("no word list for '%s' (give one with --dict): judging words by "
			"their shape only", lang ? lang : "?");
	}
	ALLOC_GROW(w->lists, w->nr_lists + 1, w->alloc_lists);
	w->lists[w->nr_lists++] = wl;
	return wl->files ? wl : NULL;
}

/* Keeps voice profile v (moved from), once per file; returns its index. */
static size_t keep_voice(struct words *w, struct voice_profile *v)
{
	size_t i;

	for (i = 0; i < w->nr_voices; i++)
		if (w->voices[i].path && v->path && !strcmp(w->voices[i].path, v->path))
			return i;
	ALLOC_GROW(w->voices, w->nr_voices + 1, w->alloc_voices);
	w->voices[w->nr_voices] = *v;
	memset(v, 0, sizeof(*v));
	return w->nr_voices++;
}

/*
 * The feed whose reviews folder holds review `path`: a feed.ini in the
 * review's folder or the one above, whose [reviews] dir is that folder.
 * *out is NULL when there is none. Returns -1 when a feed.ini is bad.
 */
static int feed_of(struct words *w, const char *path, const struct feed_config **out)
{
	const char *base = path_base(path);
	char *dir = base == path ? xstrdup(".") : xstrndup(path, (size_t)(base - path));
	char *rdir = realpath(dir, NULL), *cands[2];
	size_t i, c;
	int ret = 0;

	*out = NULL;
	cands[0] = xstrdup(dir);
	cands[1] = path_join(dir, "..");
	for (c = 0; c < 2 && rdir && !*out; c++) {
		char *ini = path_join(cands[c], "feed.ini"), *rc = NULL, *rr = NULL;
		struct feed_cache *fc = NULL;

		if (!is_file(ini) || !(rc = realpath(cands[c], NULL)))
			goto next;
		for (i = 0; i < w->nr_feeds; i++)
			if (!strcmp(w->feeds[i].dir, rc))
				fc = &w->feeds[i];
		if (!fc) {
			struct feed_config cfg;

			if (feed_config_load(&cfg, cands[c])) {
				ret = -1;
				goto next;
			}
			ALLOC_GROW(w->feeds, w->nr_feeds + 1, w->alloc_feeds);
			fc = &w->feeds[w->nr_feeds++];
			fc->dir = xstrdup(rc);
			fc->cfg = cfg;
		}
		rr = fc->cfg.reviews_dir ? realpath(fc->cfg.reviews_dir, NULL) : NULL;
		if (rr && !strcmp(rr, rdir))
			*out = &fc->cfg;
next:
		free(rr);
		free(rc);
		free(ini);
		if (ret)
			break;
	}
	free(cands[0]);
	free(cands[1]);
	free(rdir);
	free(dir);
	return ret;
}

/* ---- one review ---- */

struct file_ctx {
	struct words *w;
	const char *path;
	const char *src;          /* the review file's bytes */
	size_t src_len;
	size_t *line_starts;      /* byte offset of each line */
	size_t nr_lines;
	int from_line, to_line;   /* where the current segment's text is (0: anywhere) */
	const struct wordlist *list;
	size_t voice;
	const struct lexicon_entry **used;  /* phoneme entries the review uses */
	size_t nr_used, alloc_used;
};

/* Whether the code point that ends just before src[at] is a word character. */
static int word_before(const char *s, size_t at)
{
	size_t b = at;
	const char *p;

	if (!at)
		return 0;
	while (b > 0 && at - b < 4 && ((unsigned char)s[b - 1] & 0xc0) == 0x80)
		b--;
	if (b > 0)
		b--;
	p = s + b;
	return lexicon_word_cp(utf8_decode(&p, s + at));
}

/* First whole-word occurrence of w in src[from, to), as a byte offset, or -1. */
static long find_word(const char *src, size_t from, size_t to, const char *w, size_t n)
{
	size_t i = from;

	while (i + n <= to) {
		const char *hit = memmem(src + i, to - i, w, n);
		size_t at;
		const char *p;

		if (!hit)
			return -1;
		at = (size_t)(hit - src);
		p = src + at + n;
		if (!word_before(src, at) &&
		    (at + n == to || !lexicon_word_cp(utf8_decode(&p, src + to))))
			return (long)at;
		i = at + 1;
	}
	return -1;
}

/* The 1-based line of byte offset at. */
static int line_at(const struct file_ctx *c, size_t at)
{
	size_t lo = 0, hi = c->nr_lines;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (c->line_starts[mid] <= at)
			lo = mid;
		else
			hi = mid;
	}
	return (int)lo + 1;
}

/* The line where word w first occurs in the current segment's source. */
static int source_line(const struct file_ctx *c, const char *w, size_t n)
{
	size_t from = 0, to = c->src_len;
	long at;

	if (c->from_line > 0 && (size_t)c->from_line <= c->nr_lines)
		from = c->line_starts[c->from_line - 1];
	if (c->to_line > 0 && (size_t)c->to_line <= c->nr_lines)
		to = c->line_starts[c->to_line - 1];
	at = from < to ? find_word(c->src, from, to, w, n) : -1;
	if (at < 0)
		at = find_word(c->src, 0, c->src_len, w, n);
	if (at < 0)
		return c->from_line > 0 ? c->from_line : 1;
	return line_at(c, (size_t)at);
}

/* Whether eSpeak NG is likely to misread word s (n bytes): see the top of the file. */
static int likely_misread(const struct file_ctx *c, const char *s, size_t n,
			  int sentence_start)
{
	struct shape sh;
	char *f;
	int known;

	shape_of(s, n, &sh);
	if (!sh.letters || sh.cps < 2)
		return 0;       /* numbers and single letters */
	if (sh.digits)
		return 1;
	if (!c->list)
		return sh.upper_after_lower || (sh.all_upper && sh.letters >= 2) ||
		       (sh.first_upper && !sentence_start);
	if (sh.upper_after_lower)
		return !strmap_get(&c->list->mixed, s, n, NULL);
	f = lexicon_fold(s, n);
	known = listed(c->list, f, strlen(f)) ||
		(c->list->english && english_known(c->list, f, strlen(f)));
	free(f);
	return !known;
}

/*
 * lexicon_scan() callback: notes the phoneme entries a review uses, and
 * counts each word likely to be misread (the first time, with its line).
 */
static void on_word(const char *text, const struct lexicon_word *lw, void *data)
{
	struct file_ctx *c = data;
	struct words *w = c->w;
	const char *s = text + lw->start;
	struct token *t;
	size_t idx;
	char *key;

	if (lw->entry) {
		if (lw->entry->phonemes) {
			ALLOC_GROW(c->used, c->nr_used + 1, c->alloc_used);
			c->used[c->nr_used++] = lw->entry;
		}
		return;
	}
	if (!likely_misread(c, s, lw->len, lw->sentence_start))
		return;
	key = lexicon_fold(s, lw->len);
	if (strmap_get(&w->token_index, key, strlen(key), &idx)) {
		w->tokens[idx].count++;
		free(key);
		return;
	}
	ALLOC_GROW(w->tokens, w->nr_tokens + 1, w->alloc_tokens);
	t = &w->tokens[w->nr_tokens];
	t->shown = xstrndup(s, lw->len);
	t->file = c->path;
	t->line = source_line(c, s, lw->len);
	t->count = 1;
	t->order = w->nr_tokens;
	t->voice = c->voice;
	strmap_add(&w->token_index, key, strlen(key), w->nr_tokens);
	w->nr_tokens++;
	free(key);
}

/* Checks, once each, the phoneme entries that review c uses. Returns -1 if one is bad. */
static int check_used(struct file_ctx *c)
{
	struct words *w = c->w;
	const struct voice_profile *v = &w->voices[c->voice];
	size_t i;
	int ret = 0;

	for (i = 0; i < c->nr_used; i++) {
		const struct lexicon_entry *e = c->used[i];
		char *id = xasprintf("%s:%d:%s", e->file, e->line, v->path ? v->path : "");

		if (strmap_add(&w->checked, id, strlen(id), 0) &&
		    lexicon_check_phonemes(e, v) == 0)
			ret = -1;
		free(id);
	}
	return ret;
}

/* Lists the words of review `path`. Returns 0 or -1 (printed). */
static int words_file(struct words *w, const char *path)
{
	struct render_options ro;
	struct review r;
	struct episode_job job;
	struct file_ctx c;
	struct strbuf src = STRBUF_INIT;
	const struct feed_config *feed = NULL;
	size_t i, j, alloc_lines = 0;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	if (review_read(&r, path))
		return -1;
	render_options_init(&ro);
	if (feed_of(w, path, &feed)) {
		review_release(&r);
		return -1;
	}
	if (feed) {
		ro.default_voice = feed->voice;
		ro.feed_lexicon = feed->lexicon;
		ro.feed_title = feed->title;
	}
	ro.voice = w->voice;
	ro.voices_dir = w->voices_dir;
	if (episode_prepare(&job, &r, &ro)) {
		review_release(&r);
		return -1;
	}
	for (i = 0; i < w->nr_lexicons; i++)
		if (lexicon_load(&job.lexicon, w->lexicons[i]))
			goto out;
	if (read_file(path, &src, REVIEW_MAX_BYTES + 1))
		goto out;
	c.w = w;
	c.path = path;
	c.src = src.buf;
	c.src_len = src.len;
	ALLOC_GROW(c.line_starts, c.nr_lines + 1, alloc_lines);
	c.line_starts[c.nr_lines++] = 0;
	for (i = 0; i < src.len; i++)
		if (src.buf[i] == '\n' && i + 1 < src.len) {
			ALLOC_GROW(c.line_starts, c.nr_lines + 1, alloc_lines);
			c.line_starts[c.nr_lines++] = i + 1;
		}
	c.list = wordlist_for(w, job.script.lang);
	c.voice = keep_voice(w, &job.voice);
	for (i = 0; i < job.script.nr; i++) {
		const struct segment *seg = &job.script.segs[i];
		size_t k;

		c.from_line = seg->line;
		c.to_line = 0;
		for (k = i + 1; k < job.script.nr && seg->line; k++)
			if (job.script.segs[k].line > seg->line) {
				c.to_line = job.script.segs[k].line;
				break;
			}
		for (j = 0; j < seg->nr_sentences; j++) {
			char *normal = normalize_text(job.script.lang, seg->sentences[j].display);

			lexicon_scan(&job.lexicon, normal, on_word, &c);
			free(normal);
		}
	}
	ret = check_used(&c);
out:
	free(c.used);
	free(c.line_starts);
	strbuf_release(&src);
	episode_job_release(&job);
	review_release(&r);
	return ret;
}

/* qsort order: most frequent first, then in order of first appearance. */
static int token_cmp(const void *a, const void *b)
{
	const struct token *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Prints the list; with --phonemes, asks eSpeak NG how it says each word. */
static int print_tokens(struct words *w)
{
	size_t i, width = 0;
	int ret = 0;

	if (w->nr_tokens)
		qsort(w->tokens, w->nr_tokens, sizeof(*w->tokens), token_cmp);
	for (i = 0; i < w->nr_tokens; i++) {
		size_t n = utf8_length(w->tokens[i].shown, strlen(w->tokens[i].shown));

		if (n > width)
			width = n;
	}
	if (width > 30)
		width = 30;
	for (i = 0; i < w->nr_tokens; i++) {
		const struct token *t = &w->tokens[i];
		size_t n = utf8_length(t->shown, strlen(t->shown));

		printf("%5d  %s%*s  %s:%d", t->count, t->shown,
		       (int)(n < width ? width - n : 0), "", t->file, t->line);
		if (w->phonemes) {
			struct strbuf ph = STRBUF_INIT;

			if (speech_phonemes(&w->voices[t->voice], t->shown, &ph))
				ret = -1;
			printf("  %s", ph.buf);
			strbuf_release(&ph);
		}
		printf("\n");
	}
	if (!w->nr_tokens)
		info("no words that the lexicons miss and eSpeak NG is likely to misread");
	return ret;
}

/* Frees everything the command kept. */
static void words_release(struct words *w)
{
	size_t i;

	for (i = 0; i < w->nr_tokens; i++)
		free(w->tokens[i].shown);
	free(w->tokens);
	strmap_release(&w->token_index);
	strmap_release(&w->checked);
	for (i = 0; i < w->nr_voices; i++)
		voice_profile_release(&w->voices[i]);
	free(w->voices);
	for (i = 0; i < w->nr_lists; i++)
		wordlist_free(w->lists[i]);
	free(w->lists);
	for (i = 0; i < w->nr_feeds; i++) {
		free(w->feeds[i].dir);
		feed_config_release(&w->feeds[i].cfg);
	}
	free(w->feeds);
	free(w->lexicons);
	free(w->dicts);
}

enum {
	W_VOICE = 1000, W_VOICES, W_LEXICON, W_DICT, W_PHONEMES, W_HELP,
};

int cmd_words(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "voice", required_argument, NULL, W_VOICE },
		{ "voices", required_argument, NULL, W_VOICES },
		{ "lexicon", required_argument, NULL, W_LEXICON },
		{ "dict", required_argument, NULL, W_DICT },
		{ "phonemes", no_argument, NULL, W_PHONEMES },
		{ "help", no_argument, NULL, W_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct words w;
	int c, ret = 0;

	memset(&w, 0, sizeof(w));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case W_VOICE:
			w.voice = optarg;
			break;
		case W_VOICES:
			w.voices_dir = optarg;
			break;
		case W_LEXICON:
			w.lexicons = xrealloc(w.lexicons, (w.nr_lexicons + 1) * sizeof(*w.lexicons));
			w.lexicons[w.nr_lexicons++] = optarg;
			break;
		case W_DICT:
			w.dicts = xrealloc(w.dicts, (w.nr_dicts + 1) * sizeof(*w.dicts));
			w.dicts[w.nr_dicts++] = optarg;
			break;
		case W_PHONEMES:
			w.phonemes = 1;
			break;
		case W_HELP:
			printf("usage: %s\n\n%s", words_usage, words_help);
			words_release(&w);
			return 0;
		default:
			fprintf(stderr, "usage: %s\n\n%s", words_usage, words_help);
			words_release(&w);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: %s\n\n%s", words_usage, words_help);
		words_release(&w);
		return 2;
	}
	for (; optind < argc; optind++)
		if (words_file(&w, argv[optind]))
			ret = 1;
	if (w.bad_entries)
		ret = 1;
	if (print_tokens(&w))
		ret = 1;
	words_release(&w);
	return ret;
}
