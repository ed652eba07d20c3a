/*
 * lexicon.c - pronunciation lexicons. See lexicon.h for the file format
 * and the matching rules.
 *
 * Entries are kept in two open-addressing hash tables: one by the whole
 * (case-folded) key, to find duplicates and overrides, and one by the
 * key's first word, whose slot holds the longest entry starting with that
 * word; entries sharing a first word are chained longest first. Applying
 * a lexicon walks the text once: at each word start it hashes the folded
 * word and tries only that word's chain, so the cost is linear in the text
 * (times the chain length, which is the number of phrases sharing a first
 * word), whatever the size of the lexicon.
 */
#include "lexicon.h"
#include "speech.h"
#include "util.h"
#include "voice.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Longest word or phrase, and longest pronunciation, in bytes. */
#define KEY_MAX 256
#define TO_MAX 256
/* A lexicon file stops being reported after this many bad lines. */
#define MAX_ERRORS 20

void lexicon_init(struct lexicon *lx)
{
	memset(lx, 0, sizeof(*lx));
}

void lexicon_release(struct lexicon *lx)
{
	size_t i;

	for (i = 0; i < lx->nr; i++) {
		free(lx->entries[i].from);
		free(lx->entries[i].to);
		free(lx->entries[i].file);
		free(lx->entries[i].key);
	}
	free(lx->entries);
	free(lx->by_key);
	free(lx->by_first);
	lexicon_init(lx);
}

void lexicon_next_file(struct lexicon *lx)
{
	lx->gen++;
}

/* ---- characters ---- */

int lexicon_word_cp(long cp)
{
	if (cp < 0)
		return 0;
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		       (cp >= 'A' && cp <= 'Z');
	if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7)
		return 0;
	if (cp == 0x2bc)                        /* modifier letter apostrophe */
		return 0;
	if ((cp >= 0x2000 && cp <= 0x2bff) ||   /* punctuation, symbols, arrows... */
	    (cp >= 0x2e00 && cp <= 0x2e7f) ||   /* supplemental punctuation */
	    (cp >= 0x3000 && cp <= 0x303f) ||   /* CJK punctuation */
	    (cp >= 0xd800 && cp <= 0xf8ff) ||   /* surrogates, private use */
	    (cp >= 0xfe00 && cp <= 0xfe6f) ||   /* variation selectors, small forms */
	    (cp >= 0xff00 && cp <= 0xff0f) || (cp >= 0xff1a && cp <= 0xff20) ||
	    (cp >= 0xff3b && cp <= 0xff40) || (cp >= 0xff5b && cp <= 0xff65) ||
	    (cp >= 0xfff0 && cp <= 0xffff) ||
	    (cp >= 0x1f000 && cp <= 0x1faff))   /* emoji and pictographs */
		return 0;
	return 1;
}

/* Whether cp is an apostrophe (ASCII, U+2019, or U+02BC). */
static int is_apostrophe(long cp)
{
	return cp == '\'' || cp == 0x2019 || cp == 0x2bc;
}

/* Whether cp is white space that separates the words of a phrase. */
static int is_space(long cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xa0 ||
	       cp == 0x202f || (cp >= 0x2000 && cp <= 0x200a);
}

long lexicon_fold_cp(long cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp < 0xc0)
		return cp;
	if (cp <= 0xde)
		return cp == 0xd7 ? cp : cp + 32;
	if (cp >= 0x100 && cp <= 0x137)
		return cp | 1;
	if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e))
		return cp & 1 ? cp + 1 : cp;
	if (cp >= 0x14a && cp <= 0x177)
		return cp | 1;
	if (cp == 0x178)
		return 0xff;
	if ((cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) || (cp >= 0x410 && cp <= 0x42f))
		return cp + 32;
	if (cp >= 0x400 && cp <= 0x40f)
		return cp + 80;
	if (cp == 0x2019 || cp == 0x2bc)
		return '\'';
	if (cp == 0x2010 || cp == 0x2011)
		return '-';
	return cp;
}

/* Decodes the code point at text[i] (len bytes in all); *n gets its size. */
static long peek(const char *text, size_t len, size_t i, size_t *n)
{
	const char *p = text + i;
	long cp;

	if (i >= len) {
		*n = 0;
		return -1;
	}
	cp = utf8_decode(&p, text + len);
	*n = (size_t)(p - (text + i));
	return cp;
}

/* Whether a word character starts at text[i]. */
static int word_at(const char *text, size_t len, size_t i)
{
	size_t n;

	return lexicon_word_cp(peek(text, len, i, &n));
}

char *lexicon_fold(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0, n;

	while (i < len) {
		long cp = peek(s, len, i, &n);

		if (cp < 0)
			strbuf_addch(&sb, s[i]);
		else
			utf8_encode(&sb, lexicon_fold_cp(cp));
		i += n;
	}
	return strbuf_detach(&sb, NULL);
}

/* ---- hash tables ---- */

/* The slot of key (n bytes) in the whole-key table: its entry, or an empty slot. */
static size_t key_slot(const struct lexicon *lx, const char *key, size_t n)
{
	size_t mask = lx->slots - 1, s = (size_t)hash_fnv1a(key, n) & mask;

	while (lx->by_key[s] >= 0) {
		const struct lexicon_entry *e = &lx->entries[lx->by_key[s]];

		if (strlen(e->key) == n && !memcmp(e->key, key, n))
			break;
		s = (s + 1) & mask;
	}
	return s;
}

/* The slot of first word w (n bytes) in the first-word table. */
static size_t first_slot(const struct lexicon *lx, const char *w, size_t n)
{
	size_t mask = lx->slots - 1, s = (size_t)hash_fnv1a(w, n) & mask;

	while (lx->by_first[s] >= 0) {
		const struct lexicon_entry *e = &lx->entries[lx->by_first[s]];

		if (e->first_len == n && !memcmp(e->key, w, n))
			break;
		s = (s + 1) & mask;
	}
	return s;
}

/* Makes room for one more entry, rebuilding both tables when they grow. */
static void tables_reserve(struct lexicon *lx)
{
	size_t i, slots = lx->slots ? lx->slots : 64;

	while ((lx->nr + 1) * 2 > slots)
		slots *= 2;
	if (slots == lx->slots)
		return;
	free(lx->by_key);
	free(lx->by_first);
	lx->slots = slots;
	lx->by_key = xmalloc(slots * sizeof(*lx->by_key));
	lx->by_first = xmalloc(slots * sizeof(*lx->by_first));
	for (i = 0; i < slots; i++)
		lx->by_key[i] = lx->by_first[i] = -1;
	for (i = 0; i < lx->nr; i++) {
		struct lexicon_entry *e = &lx->entries[i];

		lx->by_key[key_slot(lx, e->key, strlen(e->key))] = (int)i;
		if (e->head)
			lx->by_first[first_slot(lx, e->key, e->first_len)] = (int)i;
	}
}

/* Links new entry idx into the chain of its first word, longest key first. */
static void chain_insert(struct lexicon *lx, int idx)
{
	struct lexicon_entry *e = &lx->entries[idx];
	size_t s = first_slot(lx, e->key, e->first_len), klen = strlen(e->key);
	int cur = lx->by_first[s], prev = -1;

	while (cur >= 0 && strlen(lx->entries[cur].key) >= klen) {
		prev = cur;
		cur = lx->entries[cur].next;
	}
	e->next = cur;
	if (prev < 0) {
		if (cur >= 0)
			lx->entries[cur].head = 0;
		e->head = 1;
		lx->by_first[s] = idx;
	} else {
		e->head = 0;
		lx->entries[prev].next = idx;
	}
}

/* ---- parsing ---- */

/* Trims ASCII white space at both ends, in place. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n' ||
			 e[-1] == '\v' || e[-1] == '\f'))
		*--e = '\0';
	return s;
}

/*
 * The key of a word or phrase: folded, white space runs as one space.
 * Returns NULL (with *why set) when `from` is not a valid word or phrase.
 */
static char *make_key(const char *from, const char **why)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(from), i = 0, n;
	long cp = -1, last = -1;
	int space = 0;

	while (i < len) {
		cp = peek(from, len, i, &n);
		i += n;
		if (cp < 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		    cp == '[' || cp == ']') {
			*why = "a word or phrase may not contain brackets or control characters";
			goto bad;
		}
		if (is_space(cp)) {
			space = 1;
			continue;
		}
		if (!sb.len && !lexicon_word_cp(cp)) {
			*why = "a word or phrase must start with a letter or digit";
			goto bad;
		}
		if (space)
			strbuf_addch(&sb, ' ');
		space = 0;
		utf8_encode(&sb, lexicon_fold_cp(cp));
		last = cp;
	}
	if (!lexicon_word_cp(last)) {
		*why = "a word or phrase must end with a letter or digit";
		goto bad;
	}
	if (sb.len > KEY_MAX) {
		*why = "the word or phrase is too long";
		goto bad;
	}
	return strbuf_detach(&sb, NULL);
bad:
	strbuf_release(&sb);
	return NULL;
}

/* Whether c may appear in a [[...]] group of eSpeak NG phonemes. */
static int phoneme_char(int c)
{
	return c > ' ' && c < 0x7f && !strchr("[]<>&\"(){}\\`", c);
}

/*
 * Checks the pronunciation `to` and returns it normalised (a phoneme group
 * with single spaces), or NULL with *why set.
 */
static char *check_to(const char *to, int *phonemes, const char **why)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(to), i, n;

	*phonemes = !strncmp(to, "[[", 2);
	if (*phonemes) {
		const char *p = to + 2, *end = to + len;

		if (len < 4 || strcmp(end - 2, "]]")) {
			*why = "phonemes must be one [[...]] group";
			return NULL;
		}
		end -= 2;
		strbuf_addstr(&sb, "[[");
		while (p < end && *p == ' ')
			p++;
		for (; p < end; p++) {
			if (*p == ' ') {
				if (sb.buf[sb.len - 1] != ' ')
					strbuf_addch(&sb, ' ');
				continue;
			}
			if (*p == '[' || *p == ']') {
				*why = "phonemes must be one [[...]] group";
				goto bad;
			}
			if (!phoneme_char((unsigned char)*p)) {
				*why = "phonemes are printable ASCII eSpeak NG mnemonics "
				       "(no quotes, parentheses, braces, '<', '>', '&' or '\\')";
				goto bad;
			}
			strbuf_addch(&sb, *p);
		}
		strbuf_rtrim(&sb);
		if (sb.len == 2) {
			*why = "empty [[]] phoneme group";
			goto bad;
		}
		strbuf_addstr(&sb, "]]");
	} else {
		int letters = 0;

		for (i = 0; i < len; i += n) {
			long cp = peek(to, len, i, &n);

			if (lexicon_word_cp(cp))
				letters = 1;
			else if (cp == '[' || cp == ']') {
				*why = "phonemes must be one [[...]] group";
				goto bad;
			} else if (cp != ' ' && cp != '-' && cp != '.' && cp != ',' &&
				   !is_apostrophe(cp)) {
				*why = "a respelling is letters, digits, spaces, hyphens, "
				       "apostrophes, full stops and commas (or use [[phonemes]])";
				goto bad;
			}
		}
		if (!letters) {
			*why = "a respelling needs a letter or digit";
			goto bad;
		}
		strbuf_add(&sb, to, len);
	}
	if (sb.len > TO_MAX) {
		*why = "the pronunciation is too long";
		goto bad;
	}
	return strbuf_detach(&sb, NULL);
bad:
	strbuf_release(&sb);
	return NULL;
}

int lexicon_add(struct lexicon *lx, const char *from, const char *to,
		const char *file, int line)
{
	const char *why = NULL;
	char *key = NULL, *norm = NULL;
	struct lexicon_entry *e;
	size_t s, klen;
	int phonemes;

	key = make_key(from, &why);
	if (key)
		norm = check_to(to, &phonemes, &why);
	if (!key || !norm) {
		free(key);
		return error("%s:%d: %s", file, line, why);
	}
	tables_reserve(lx);
	klen = strlen(key);
	s = key_slot(lx, key, klen);
	if (lx->by_key[s] >= 0) {
		e = &lx->entries[lx->by_key[s]];
		if (e->gen == lx->gen) {
			int first = e->line;

			free(key);
			free(norm);
			return error("%s:%d: '%s' is already defined at line %d", file, line,
				     from, first);
		}
		/* An earlier file's entry: this one overrides it. */
		free(key);
		free(e->to);
		free(e->file);
		free(e->from);
		e->from = xstrdup(from);
		e->to = norm;
		e->phonemes = phonemes;
		e->file = xstrdup(file);
		e->line = line;
		e->gen = lx->gen;
		return 0;
	}
	ALLOC_GROW(lx->entries, lx->nr + 1, lx->alloc);
	e = &lx->entries[lx->nr];
	memset(e, 0, sizeof(*e));
	e->from = xstrdup(from);
	e->to = norm;
	e->phonemes = phonemes;
	e->file = xstrdup(file);
	e->line = line;
	e->key = key;
	e->gen = lx->gen;
	e->first_len = 0;
	{
		size_t n;

		while (e->first_len < klen && word_at(key, klen, e->first_len)) {
			peek(key, klen, e->first_len, &n);
			e->first_len += n;
		}
	}
	lx->by_key[s] = (int)lx->nr;
	lx->nr++;
	chain_insert(lx, (int)lx->nr - 1);
	return 0;
}

/* Where a comment starts in line p (outside [[...]]), or NULL. */
static char *comment_start(char *p)
{
	char *q = p;
	int in_group = 0;

	while (*q == ' ' || *q == '\t')
		q++;
	if (*q == '#')
		return q;
	for (; *q; q++) {
		if (q[0] == '[' && q[1] == '[')
			in_group = 1;
		else if (q[0] == ']' && q[1] == ']')
			in_group = 0;
		else if (*q == '#' && !in_group && q > p && (q[-1] == ' ' || q[-1] == '\t'))
			return q;
	}
	return NULL;
}

int lexicon_load(struct lexicon *lx, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *p, *next;
	int line = 0, errors = 0;
	size_t bad;

	lexicon_next_file(lx);
	if (read_file(path, &sb, 8u << 20))
		return error("cannot read the lexicon '%s'", path);
	bad = utf8_invalid_at(sb.buf, sb.len);
	if (bad != sb.len) {
		error("%s:%d: invalid UTF-8", path, line_of_offset(sb.buf, bad));
		strbuf_release(&sb);
		return -1;
	}
	if (memchr(sb.buf, '\0', sb.len)) {
		error("%s:%d: NUL byte (not a text file)", path,
		      line_of_offset(sb.buf, (size_t)((char *)memchr(sb.buf, '\0', sb.len) - sb.buf)));
		strbuf_release(&sb);
		return -1;
	}
	p = sb.buf;
	if (!strncmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	for (; p && *p; p = next) {
		char *eq, *from, *to, *hash;

		line++;
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		hash = comment_start(p);
		if (hash)
			*hash = '\0';
		if (!*trim(p))
			continue;
		if (errors >= MAX_ERRORS) {
			error("%s: too many errors, giving up at line %d", path, line);
			break;
		}
		eq = strchr(p, '=');
		if (!eq) {
			errors++;
			error("%s:%d: expected 'word = how to say it'", path, line);
			continue;
		}
		*eq = '\0';
		from = trim(p);
		to = trim(eq + 1);
		if (!*from || !*to) {
			errors++;
			error("%s:%d: expected 'word = how to say it'", path, line);
			continue;
		}
		if (lexicon_add(lx, from, to, path, line))
			errors++;
	}
	strbuf_release(&sb);
	return errors ? -1 : 0;
}

const struct lexicon_entry *lexicon_lookup(const struct lexicon *lx, const char *word,
					   size_t len)
{
	const struct lexicon_entry *e = NULL;
	const char *why;
	char *w, *key;
	size_t s;

	if (!lx || !lx->nr)
		return NULL;
	w = xstrndup(word, len);
	key = make_key(w, &why);
	if (key) {
		s = key_slot(lx, key, strlen(key));
		if (lx->by_key[s] >= 0)
			e = &lx->entries[lx->by_key[s]];
	}
	free(key);
	free(w);
	return e;
}

int lexicon_has(const struct lexicon *lx, const char *word, size_t len)
{
	return lexicon_lookup(lx, word, len) != NULL;
}

/* ---- matching ---- */

/*
 * Whether text[i] starts an apostrophe that is inside a word (a word
 * character follows it).
 */
static int inner_apostrophe(const char *text, size_t len, size_t i, size_t *n)
{
	if (!is_apostrophe(peek(text, len, i, n)))
		return 0;
	return word_at(text, len, i + *n);
}

/*
 * Matches key at text[at]. Returns the bytes matched (0: no match); a
 * match ends at a word boundary, or before a possessive "'s" whose size
 * goes to *poss.
 */
static size_t match_key(const char *key, const char *text, size_t len, size_t at,
			size_t *poss)
{
	size_t klen = strlen(key), k = 0, i = at, n, m, a;
	long kc, tc;

	*poss = 0;
	while (k < klen) {
		if (key[k] == ' ') {
			int spaces = 0;

			while (is_space(peek(text, len, i, &n))) {
				i += n;
				spaces++;
			}
			if (!spaces)
				return 0;
			k++;
			continue;
		}
		kc = peek(key, klen, k, &m);
		tc = peek(text, len, i, &n);
		if (tc < 0 || lexicon_fold_cp(tc) != kc)
			return 0;
		k += m;
		i += n;
	}
	if (i >= len)
		return i - at;
	tc = peek(text, len, i, &n);
	if (lexicon_word_cp(tc))
		return 0;
	if (inner_apostrophe(text, len, i, &a)) {
		size_t j = i + a;

		if ((text[j] == 's' || text[j] == 'S') && !word_at(text, len, j + 1) &&
		    !inner_apostrophe(text, len, j + 1, &m)) {
			*poss = j + 1 - i;
			return i - at;
		}
		return 0;
	}
	return i - at;
}

/* The longest entry matching at word start text[at], or NULL. */
static const struct lexicon_entry *match_at(const struct lexicon *lx, const char *text,
					    size_t len, size_t at, size_t *mlen,
					    size_t *poss)
{
	char buf[KEY_MAX + 8];
	size_t blen = 0, i = at, n, s;
	int idx;

	if (!lx || !lx->nr)
		return NULL;
	for (;;) {
		long cp = peek(text, len, i, &n);

		if (!lexicon_word_cp(cp))
			break;
		cp = lexicon_fold_cp(cp);
		if (blen + 4 > KEY_MAX)
			return NULL;  /* longer than any key */
		/* UTF-8 into buf, without allocating. */
		if (cp < 0x80) {
			buf[blen++] = (char)cp;
		} else if (cp < 0x800) {
			buf[blen++] = (char)(0xc0 | (cp >> 6));
			buf[blen++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			buf[blen++] = (char)(0xe0 | (cp >> 12));
			buf[blen++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[blen++] = (char)(0x80 | (cp & 0x3f));
		} else {
			buf[blen++] = (char)(0xf0 | (cp >> 18));
			buf[blen++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			buf[blen++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[blen++] = (char)(0x80 | (cp & 0x3f));
		}
		i += n;
	}
	if (!blen)
		return NULL;
	s = first_slot(lx, buf, blen);
	for (idx = lx->by_first[s]; idx >= 0; idx = lx->entries[idx].next) {
		const struct lexicon_entry *e = &lx->entries[idx];
		size_t m = match_key(e->key, text, len, at, poss);

		if (m) {
			*mlen = m;
			return e;
		}
	}
	return NULL;
}

/* French elisions that may stand before a matched word, and their phonemes. */
static const struct {
	const char *word;
	const char *phonemes;
} elisions[] = {
	{ "c", "s" }, { "d", "d" }, { "j", "Z" }, { "l", "l" }, { "m", "m" },
	{ "n", "n" }, { "qu", "k" }, { "s", "s" }, { "t", "t" },
	{ "jusqu", "Zysk" }, { "lorsqu", "lOrsk" }, { "puisqu", "pyisk" },
};

/* The elision that text[at, at+n) is (folded), or -1. */
static int elision_of(const char *text, size_t at, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(elisions); i++) {
		size_t el = strlen(elisions[i].word), j;

		if (el != n)
			continue;
		for (j = 0; j < n; j++)
			if (lexicon_fold_cp((unsigned char)text[at + j]) != elisions[i].word[j])
				break;
		if (j == n)
			return (int)i;
	}
	return -1;
}

/* One step of the walk over a text. */
enum walk_kind { WALK_TEXT, WALK_WORD, WALK_MATCH };
struct walk_event {
	enum walk_kind kind;
	size_t start, len;            /* bytes covered */
	size_t word, word_len;        /* the word proper, or the matched phrase */
	const struct lexicon_entry *entry;
	int elision;                  /* index in elisions[], or -1 */
	size_t poss;                  /* bytes of a possessive after the match */
	int sentence_start;
};
typedef void (*walk_fn)(const char *text, const struct walk_event *ev, void *data);

/* End of the token starting at text[at]: word characters and inner apostrophes. */
static size_t token_end(const char *text, size_t len, size_t at, size_t *first_end)
{
	size_t i = at, n;

	*first_end = 0;
	for (;;) {
		if (word_at(text, len, i)) {
			peek(text, len, i, &n);
			i += n;
		} else if (i > at && inner_apostrophe(text, len, i, &n)) {
			if (!*first_end)
				*first_end = i;
			i += n;
		} else {
			break;
		}
	}
	if (!*first_end)
		*first_end = i;
	return i;
}

/*
 * Walks text: runs of text between words, words no entry covers, and
 * matches. The whole text is covered, in order, once.
 */
static void walk(const struct lexicon *lx, const char *text, walk_fn fn, void *data)
{
	size_t len = strlen(text), i = 0, run = 0, n;
	int first = 1;

	while (i < len) {
		struct walk_event ev;
		size_t end, first_end, mlen, poss, apo;
		const struct lexicon_entry *e;

		if (!word_at(text, len, i)) {
			peek(text, len, i, &n);
			i += n ? n : 1;
			continue;
		}
		memset(&ev, 0, sizeof(ev));
		if (i > run) {
			ev.kind = WALK_TEXT;
			ev.start = run;
			ev.len = i - run;
			fn(text, &ev, data);
			memset(&ev, 0, sizeof(ev));
		}
		ev.sentence_start = first;
		ev.elision = -1;
		first = 0;
		end = token_end(text, len, i, &first_end);
		e = match_at(lx, text, len, i, &mlen, &poss);
		if (e) {
			ev.kind = WALK_MATCH;
			ev.entry = e;
			ev.start = ev.word = i;
			ev.word_len = mlen;
			ev.poss = poss;
			ev.len = mlen + poss;
		} else {
			int el = first_end < end ? elision_of(text, i, first_end - i) : -1;
			size_t w = i, wend = end;

			if (el >= 0) {
				peek(text, len, first_end, &apo);
				w = first_end + apo;
				e = match_at(lx, text, len, w, &mlen, &poss);
			}
			if (e) {
				ev.kind = WALK_MATCH;
				ev.entry = e;
				ev.elision = el;
				ev.start = i;
				ev.word = w;
				ev.word_len = mlen;
				ev.poss = poss;
				ev.len = w + mlen + poss - i;
			} else {
				/* Leave out a possessive "'s" at the end. */
				if (wend - w > 2 && (text[wend - 1] == 's' || text[wend - 1] == 'S')) {
					size_t b = wend - 1;  /* the s */

					if (text[b - 1] == '\'')
						wend = b - 1;
					else if (b - w >= 4 && !memcmp(text + b - 3, "\xe2\x80\x99", 3))
						wend = b - 3;
					else if (b - w >= 3 && !memcmp(text + b - 2, "\xca\xbc", 2))
						wend = b - 2;
				}
				ev.kind = WALK_WORD;
				ev.start = i;
				ev.len = end - i;
				ev.word = w;
				ev.word_len = wend - w;
			}
		}
		fn(text, &ev, data);
		i = ev.start + ev.len;
		run = i;
	}
	if (len > run) {
		struct walk_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.kind = WALK_TEXT;
		ev.start = run;
		ev.len = len - run;
		ev.elision = -1;
		fn(text, &ev, data);
	}
}

/* The phonemes of a possessive after a group ending in `group`. */
static const char *possessive_phonemes(const char *to)
{
	const char *p = to + strlen(to) - 2;  /* at "]]" */

	while (p > to + 2 && strchr("',%=;:#!_-", p[-1]))
		p--;
	if (p == to + 2)
		return "z";
	switch (p[-1]) {
	case 's': case 'z': case 'S': case 'Z':
		return "I2z";  /* "horse's", "Bush's": eSpeak NG says I2z */
	case 'p': case 't': case 'k': case 'f': case 'T': case 'x':
		return "s";
	}
	return "z";
}

/* Appends text[start, start+len), breaking up "[[" so it cannot start phonemes. */
static void add_plain(struct strbuf *sb, const char *text, size_t start, size_t len)
{
	size_t i;

	for (i = start; i < start + len; i++) {
		if (text[i] == '[' && sb->len && sb->buf[sb->len - 1] == '[')
			strbuf_addch(sb, ' ');
		strbuf_addch(sb, text[i]);
	}
}

/* lexicon_apply()'s walker: copies text and words, replaces matches. */
static void apply_step(const char *text, const struct walk_event *ev, void *data)
{
	struct strbuf *sb = data;
	const struct lexicon_entry *e = ev->entry;

	if (ev->kind != WALK_MATCH) {
		add_plain(sb, text, ev->start, ev->len);
		return;
	}
	if (e->phonemes) {
		/* eSpeak NG drops a group that directly follows punctuation. */
		if (sb->len && sb->buf[sb->len - 1] != ' ')
			strbuf_addch(sb, ' ');
		strbuf_addstr(sb, "[[");
		if (ev->elision >= 0)
			strbuf_addstr(sb, elisions[ev->elision].phonemes);
		strbuf_add(sb, e->to + 2, strlen(e->to) - 4);
		if (ev->poss)
			strbuf_addstr(sb, possessive_phonemes(e->to));
		strbuf_addstr(sb, "]]");
	} else {
		add_plain(sb, text, ev->start, ev->word - ev->start);
		strbuf_addstr(sb, e->to);
		add_plain(sb, text, ev->word + ev->word_len, ev->poss);
	}
}

char *lexicon_apply(const struct lexicon *lx, const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_grow(&sb, strlen(text) + 16);
	walk(lx, text, apply_step, &sb);
	return strbuf_detach(&sb, NULL);
}

struct scan_ctx {
	lexicon_word_fn fn;
	void *data;
};

/* lexicon_scan()'s walker: reports words and matches, skips the rest. */
static void scan_step(const char *text, const struct walk_event *ev, void *data)
{
	struct scan_ctx *ctx = data;
	struct lexicon_word w;

	if (ev->kind == WALK_TEXT)
		return;
	w.start = ev->word;
	w.len = ev->word_len;
	w.entry = ev->entry;
	w.sentence_start = ev->sentence_start;
	ctx->fn(text, &w, ctx->data);
}

void lexicon_scan(const struct lexicon *lx, const char *text, lexicon_word_fn fn,
		  void *data)
{
	struct scan_ctx ctx;

	ctx.fn = fn;
	ctx.data = data;
	walk(lx, text, scan_step, &ctx);
}

/* ---- checking phonemes with eSpeak NG ---- */

/* Whether c is a stress or length-neutral mark that eSpeak NG may add or drop. */
static int stress_mark(int c)
{
	return c == '\'' || c == ',' || c == '%' || c == '=' || c == ';' || c == ' ';
}

/*
 * Whether every phoneme character of `want` appears in `got`, in order
 * (eSpeak NG adds stress, variants and linking sounds, but never drops a
 * valid mnemonic).
 */
static int phonemes_kept(const char *want, const char *got)
{
	for (; *want; want++) {
		if (stress_mark((unsigned char)*want))
			continue;
		while (*got && *got != *want)
			got++;
		if (!*got)
			return 0;
		got++;
	}
	return 1;
}

int lexicon_check_phonemes(const struct lexicon_entry *e, const struct voice_profile *v)
{
	static int reads_groups = -1;
	struct strbuf out = STRBUF_INIT;
	char *want;
	int ret;

	if (!e->phonemes)
		return 1;
	if (reads_groups < 0) {
		/* Does speech_phonemes() read [[...]] as phonemes, as synthesis does? */
		reads_groups = !speech_phonemes(v, "[[t]]", &out) && !strcmp(out.buf, "t");
		strbuf_reset(&out);
	}
	if (!reads_groups) {
		strbuf_release(&out);
		return -1;
	}
	if (speech_phonemes(v, e->to, &out)) {
		strbuf_release(&out);
		return -1;
	}
	want = xstrndup(e->to + 2, strlen(e->to) - 4);
	if (phonemes_kept(want, out.buf)) {
		ret = 1;
	} else {
		error("%s:%d: eSpeak NG voice '%s' does not know every phoneme in %s "
		      "(it reads '%s')", e->file, e->line, v->espeak_voice, e->to, out.buf);
		ret = 0;
	}
	free(want);
	strbuf_release(&out);
	return ret;
}
