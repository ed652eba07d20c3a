/*
 * text.c - the spoken script. See text.h.
 */
#include "text.h"
#include "review.h"
#include "voice.h"
#include "normalize.h"
#include "lexicon.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Runs of dotted single letters longer than this are spaced out. */
#define DOTTED_RUN_MAX 6
/* Words longer than this (in code points) are split. */
#define WORD_MAX 60

const char *seg_kind_name(enum seg_kind k)
{
	switch (k) {
	case SEG_INTRO: return "intro";
	case SEG_PARAGRAPH: return "paragraph";
	case SEG_HEADING: return "heading";
	case SEG_QUOTE: return "quote";
	case SEG_LIST_ITEM: return "list item";
	case SEG_OUTRO: return "outro";
	}
	return "?";
}

void script_init(struct script *s)
{
	memset(s, 0, sizeof(*s));
}

void script_release(struct script *s)
{
	size_t i, j;

	for (i = 0; i < s->nr; i++) {
		struct segment *seg = &s->segs[i];

		for (j = 0; j < seg->nr_sentences; j++) {
			free(seg->sentences[j].display);
			free(seg->sentences[j].spoken);
		}
		free(seg->sentences);
	}
	free(s->segs);
	free(s->lang);
	script_init(s);
}

/* Code points that are dropped: controls, zero-width and bidi marks. */
static int is_invisible(long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || cp == 0xad ||
	       (cp >= 0xfff0 && cp <= 0xfffc) || (cp >= 0xe000 && cp <= 0xf8ff);
}

/* Code points that are white space of any width. */
static int is_space_cp(long cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xa0 ||
	       (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x205f ||
	       cp == 0x3000 || cp == 0x1680;
}

/*
 * Length of a run of "X." units (one ASCII letter, one dot) at p, in
 * units.
 */
static size_t dotted_run(const char *p)
{
	size_t n = 0;

	while (isalpha((unsigned char)p[0]) && p[1] == '.') {
		n++;
		p += 2;
	}
	return n;
}

char *text_clean(const char *in)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = in, *end = in + strlen(in);
	int pending_space = 0;
	size_t word_len = 0;

	while (p < end) {
		long cp;

		/* Space out long runs of dotted letters ("A.A.A.A..."). */
		if (word_len == 0 && dotted_run(p) > DOTTED_RUN_MAX) {
			size_t n = dotted_run(p), i;

			if (pending_space && sb.len)
				strbuf_addch(&sb, ' ');
			pending_space = 0;
			for (i = 0; i < n; i++) {
				strbuf_add(&sb, p, 2);
				if (i + 1 < n)
					strbuf_addch(&sb, ' ');
				p += 2;
			}
			word_len = 1;
			continue;
		}
		cp = utf8_decode(&p, end);
		if (cp < 0)
			continue;
		if (is_space_cp(cp)) {
			pending_space = 1;
			word_len = 0;
			continue;
		}
		if (is_invisible(cp))
			continue;
		if (pending_space && sb.len)
			strbuf_addch(&sb, ' ');
		pending_space = 0;
		if (++word_len > WORD_MAX) {
			strbuf_addch(&sb, ' ');
			word_len = 1;
		}
		utf8_encode(&sb, cp);
	}
	return strbuf_detach(&sb, NULL);
}

/* Abbreviations after which a full stop does not end a sentence. */
static const char *const no_break_after[] = {
	"Mr", "Mrs", "Ms", "Dr", "St", "Prof", "Mt", "Jr", "Sr", "vs", "etc",
	"approx", "e.g", "i.e", "cf", "No", "Nos", "Vol", "Fig", "M", "Mme", "Mlle",
	"feat", "env", "Ste", "MM", "c",
};

/* Whether the word ending just before `dot` is an abbreviation or initial. */
static int is_abbreviation(const char *start, const char *dot)
{
	const char *w = dot;
	size_t len, i;

	while (w > start && !isspace((unsigned char)w[-1]) && w[-1] != '(' &&
	       w[-1] != '"')
		w--;
	len = (size_t)(dot - w);
	if (len == 1 && isupper((unsigned char)*w))
		return 1;   /* an initial: "J. Audiard" */
	for (i = 0; i < ARRAY_SIZE(no_break_after); i++)
		if (strlen(no_break_after[i]) == len && !strncmp(w, no_break_after[i], len))
			return 1;
	return 0;
}

/* Whether the UTF-8 text at p starts a closing quote or bracket. */
static size_t closer_len(const char *p)
{
	static const char *const closers[] = { "\"", "'", ")", "]", "\xe2\x80\x9d",
		"\xe2\x80\x99", "\xc2\xbb" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(closers); i++)
		if (!strncmp(p, closers[i], strlen(closers[i])))
			return strlen(closers[i]);
	return 0;
}

void text_split_sentences(const char *text,
			  void (*fn)(const char *s, size_t len, void *data), void *data)
{
	const char *start = text, *p = text;

	while (*start == ' ')
		start++;
	p = start;
	while (*p) {
		int end_here = 0;
		const char *q = p;

		if (*p == '.' || *p == '!' || *p == '?' || !strncmp(p, "\xe2\x80\xa6", 3)) {
			q = p + (*p == '\xe2' ? 3 : 1);
			while (*q == '.' || *q == '!' || *q == '?')
				q++;
			for (;;) {
				size_t c = closer_len(q);
				if (!c)
					break;
				q += c;
			}
			if (*q == '\0' || (*q == ' ' && q[1] != '\0')) {
				end_here = 1;
				if (*p == '.' && q == p + 1 && is_abbreviation(start, p))
					end_here = 0;
				/* Lower-case after an ellipsis continues the sentence. */
				if (*q == ' ' && islower((unsigned char)q[1]))
					end_here = 0;
			}
		}
		if (end_here) {
			fn(start, (size_t)(q - start), data);
			start = q;
			while (*start == ' ')
				start++;
			p = start;
			continue;
		}
		p++;
	}
	if (*start) {
		size_t len = strlen(start);

		while (len && start[len - 1] == ' ')
			len--;
		if (len)
			fn(start, len, data);
	}
}

struct split_ctx {
	struct segment *seg;
	const char *lang;
	const struct lexicon *lex;
};

static void add_sentence(const char *s, size_t len, void *data)
{
	struct split_ctx *ctx = data;
	struct segment *seg = ctx->seg;
	struct sentence *st;
	char *display = xstrndup(s, len);
	char *normal = normalize_text(ctx->lang, display);
	char *spoken = lexicon_apply(ctx->lex, normal);

	free(normal);
	if (!*spoken) {
		free(display);
		free(spoken);
		return;
	}
	ALLOC_GROW(seg->sentences, seg->nr_sentences + 1, seg->alloc_sentences);
	st = &seg->sentences[seg->nr_sentences++];
	st->display = display;
	st->spoken = spoken;
}

/* Appends a segment of kind k with the sentences of `text`. */
static struct segment *add_segment(struct script *s, const struct lexicon *lex,
				   enum seg_kind k, int block, int line, const char *text,
				   int pause_ms)
{
	struct segment *seg;
	struct split_ctx ctx;
	char *clean = text_clean(text);

	ALLOC_GROW(s->segs, s->nr + 1, s->alloc);
	seg = &s->segs[s->nr];
	memset(seg, 0, sizeof(*seg));
	seg->kind = k;
	seg->block = block;
	seg->line = line;
	seg->pause_after_ms = pause_ms;
	seg->quote = k == SEG_QUOTE;
	ctx.seg = seg;
	ctx.lang = s->lang;
	ctx.lex = lex;
	text_split_sentences(clean, add_sentence, &ctx);
	free(clean);
	if (!seg->nr_sentences) {
		free(seg->sentences);
		return NULL;  /* nothing to say: no segment */
	}
	s->nr++;
	return seg;
}

static int pause_after_block(const struct review *r, size_t i, const struct voice_profile *v)
{
	const struct block *b = &r->blocks[i];
	const struct block *next = i + 1 < r->nr_blocks ? &r->blocks[i + 1] : NULL;

	if (!next)
		return v->pause_end_ms;
	if (b->kind == BLOCK_HEADING)
		return v->pause_heading_ms;
	if (next->kind == BLOCK_HEADING)
		return v->pause_heading_ms > v->pause_paragraph_ms ?
		       v->pause_heading_ms : v->pause_paragraph_ms;
	if (b->kind == BLOCK_LIST_ITEM && next->kind == BLOCK_LIST_ITEM)
		return v->pause_list_ms;
	return v->pause_paragraph_ms;
}

static enum seg_kind seg_kind_of(enum block_kind k)
{
	switch (k) {
	case BLOCK_HEADING: return SEG_HEADING;
	case BLOCK_QUOTE: return SEG_QUOTE;
	case BLOCK_LIST_ITEM: return SEG_LIST_ITEM;
	case BLOCK_PARAGRAPH: break;
	}
	return SEG_PARAGRAPH;
}

int script_build(struct script *s, const struct review *r,
		 const struct voice_profile *v, const char *feed_title,
		 const struct lexicon *lex)
{
	const char *tmpl = r->author ? v->intro : v->intro_anonymous;
	size_t i;

	script_init(s);
	s->lang = xstrdup(r->lang ? r->lang : v->language ? v->language : "en");
	if (tmpl && *tmpl) {
		char *intro = voice_expand(tmpl, r->title, r->author, feed_title, r->date);

		add_segment(s, lex, SEG_INTRO, -1, 0, intro, v->pause_title_ms);
		free(intro);
	}
	for (i = 0; i < r->nr_blocks; i++) {
		const struct block *b = &r->blocks[i];

		add_segment(s, lex, seg_kind_of(b->kind), (int)i, b->line, b->text,
			    pause_after_block(r, i, v));
	}
	if (v->outro && *v->outro) {
		char *outro = voice_expand(v->outro, r->title, r->author, feed_title, r->date);
		struct segment *last = s->nr ? &s->segs[s->nr - 1] : NULL;

		if (last)
			last->pause_after_ms = v->pause_paragraph_ms;
		add_segment(s, lex, SEG_OUTRO, -1, 0, outro, v->pause_end_ms);
		free(outro);
	}
	for (i = 0; i < s->nr; i++)
		if (s->segs[i].kind != SEG_INTRO && s->segs[i].kind != SEG_OUTRO)
			return 0;
	script_release(s);
	return error("%s: nothing to speak", r->path ? r->path : "review");
}

/* Appends text with SSML's special characters escaped. */
static void add_escaped(struct strbuf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': strbuf_addstr(out, "&amp;"); break;
		case '<': strbuf_addstr(out, "&lt;"); break;
		case '>': strbuf_addstr(out, "&gt;"); break;
		case '"': strbuf_addstr(out, "&quot;"); break;
		default: strbuf_addch(out, s[i]);
		}
	}
}

/*
 * Appends one spoken sentence as SSML: em dashes and parentheses become
 * breaks of the profile's lengths.
 */
static void add_sentence_ssml(struct strbuf *out, const char *s,
			      const struct voice_profile *v)
{
	const char *p = s, *run = s;

	while (*p) {
		const char *brk = NULL;
		size_t skip = 0;
		int ms = 0;

		if (!strncmp(p, "\xe2\x80\x94", 3)) {       /* em dash */
			skip = 3;
			ms = v->pause_dash_ms;
			brk = p;
		} else if (*p == '(' || *p == ')') {
			skip = 1;
			ms = v->pause_paren_ms;
			brk = p;
		}
		if (!brk) {
			p++;
			continue;
		}
		add_escaped(out, run, (size_t)(brk - run));
		if (ms > 0)
			strbuf_addf(out, "<break time=\"%dms\"/>", ms);
		else
			strbuf_addch(out, ' ');
		p += skip;
		run = p;
	}
	add_escaped(out, run, (size_t)(p - run));
}

void script_segment_ssml(const struct segment *seg, const struct voice_profile *v,
			 struct strbuf *out)
{
	size_t i;

	/*
	 * No <speak> wrapper: espeakSSML reads the tags without it, and with it
	 * libespeak-ng 1.51 reads an uninitialised stack value when a segment
	 * has two sentences (valgrind shows it; the bare tags do not).
	 */
	for (i = 0; i < seg->nr_sentences; i++) {
		strbuf_addf(out, "<mark name=\"%zu\"/>", i);
		add_sentence_ssml(out, seg->sentences[i].spoken, v);
		strbuf_addch(out, ' ');
	}
}

/* Whether word w (len bytes, lower-cased ASCII) matches a list entry. */
static int word_listed(const char *w, size_t len, char **list, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		size_t el = strlen(list[i]);

		if (el && list[i][el - 1] == '*') {
			if (len >= el - 1 && !strncmp(w, list[i], el - 1))
				return 1;
		} else if (el == len && !strncmp(w, list[i], len)) {
			return 1;
		}
	}
	return 0;
}

/* Whether text has a listed word. Words are runs of letters and apostrophes. */
static int text_has_listed(const char *text, char **list, size_t nr)
{
	struct strbuf w = STRBUF_INIT;
	const char *p = text;
	int found = 0;

	for (;;) {
		int c = (unsigned char)*p;

		if (c && (isalpha(c) || c >= 0x80)) {
			strbuf_addch(&w, tolower(c));
		} else {
			if (w.len && word_listed(w.buf, w.len, list, nr)) {
				found = 1;
				break;
			}
			strbuf_reset(&w);
			if (!c)
				break;
		}
		p++;
	}
	strbuf_release(&w);
	return found;
}

int text_is_explicit(const struct review *r, const char *lang, const char *voices_dir)
{
	const struct cached_file *f;
	struct strbuf sb = STRBUF_INIT;
	char **list = NULL, *path, *line, *save = NULL;
	size_t nr = 0, alloc = 0, i, plen;
	int found = 0;

	if (r->explicit_flag >= 0)
		return r->explicit_flag;
	plen = strcspn(lang ? lang : "en", "-_");
	path = xasprintf("%s/explicit-%.*s.txt", voices_dir, (int)plen, lang ? lang : "en");
	f = file_cached(path, 1u << 20);   /* read once per build, not per review */
	if (!f) {
		free(path);
		return 0;
	}
	strbuf_add(&sb, f->data.buf, f->data.len);
	for (line = strtok_r(sb.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strcspn(line, "#\r");

		while (len && isspace((unsigned char)line[len - 1]))
			len--;
		if (!len)
			continue;
		ALLOC_GROW(list, nr + 1, alloc);
		list[nr++] = xstrndup(line, len);
	}
	found = text_has_listed(r->title, list, nr);
	for (i = 0; !found && i < r->nr_blocks; i++)
		found = text_has_listed(r->blocks[i].text, list, nr);
	for (i = 0; i < nr; i++)
		free(list[i]);
	free(list);
	free(path);
	strbuf_release(&sb);
	return found;
}
