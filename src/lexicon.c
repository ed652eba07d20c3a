/*
 * lexicon.c - pronunciation lexicons. See lexicon.h.
 *
 * File format, one entry a line ('#' starts a comment):
 *     Schoenaerts = Skhoo-narts
 *     Audiard = [[o:dj'A@]]
 * The left side is a word or phrase, matched as whole words, ignoring
 * ASCII case; the right side is a respelling, or eSpeak NG phonemes in
 * double brackets. Longer phrases win over shorter ones.
 */
#include "lexicon.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	}
	free(lx->entries);
	lexicon_init(lx);
}

/* Trims ASCII white space at both ends, in place. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Adds or replaces the entry for `from`. */
static void lexicon_set(struct lexicon *lx, const char *from, const char *to,
			const char *file, int line)
{
	struct lexicon_entry *e = NULL;
	size_t i;

	for (i = 0; i < lx->nr; i++)
		if (!strcasecmp(lx->entries[i].from, from))
			e = &lx->entries[i];
	if (!e) {
		ALLOC_GROW(lx->entries, lx->nr + 1, lx->alloc);
		e = &lx->entries[lx->nr++];
		e->from = xstrdup(from);
	} else {
		free(e->to);
		free(e->file);
	}
	e->to = xstrdup(to);
	e->phonemes = !strncmp(to, "[[", 2);
	e->file = xstrdup(file);
	e->line = line;
}

int lexicon_load(struct lexicon *lx, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *p, *next;
	int line = 0, ret = 0;

	if (read_file(path, &sb, 8u << 20))
		return error("cannot read the lexicon '%s'", path);
	if (utf8_invalid_at(sb.buf, sb.len) != sb.len) {
		ret = error("%s:%d: invalid UTF-8", path,
			    line_of_offset(sb.buf, utf8_invalid_at(sb.buf, sb.len)));
		goto out;
	}
	for (p = sb.buf; p && *p; p = next) {
		char *eq, *from, *to, *hash;

		line++;
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		if (!*trim(p))
			continue;
		eq = strchr(p, '=');
		if (!eq) {
			ret = error("%s:%d: expected 'word = how to say it'", path, line);
			continue;
		}
		*eq = '\0';
		from = trim(p);
		to = trim(eq + 1);
		if (!*from || !*to) {
			ret = error("%s:%d: expected 'word = how to say it'", path, line);
			continue;
		}
		if (!strncmp(to, "[[", 2) && (strlen(to) < 5 || strcmp(to + strlen(to) - 2, "]]") ||
					      strstr(to + 2, "[[") || strstr(to, "]]") != to + strlen(to) - 2)) {
			ret = error("%s:%d: phonemes must be one [[...]] group", path, line);
			continue;
		}
		lexicon_set(lx, from, to, path, line);
	}
out:
	strbuf_release(&sb);
	return ret ? -1 : 0;
}

/* Whether the byte at p (or the end) is a word character (letter, digit, apostrophe, UTF-8). */
static int word_char(const char *p)
{
	unsigned char c = (unsigned char)*p;

	return c && (isalnum(c) || c >= 0x80 || c == '\'' || c == '-');
}

/* The longest entry matching at text[at] as whole words, or NULL. */
static const struct lexicon_entry *match_at(const struct lexicon *lx, const char *text,
					    size_t at)
{
	const struct lexicon_entry *best = NULL;
	size_t i, best_len = 0;

	if (at > 0 && word_char(text + at - 1))
		return NULL;
	for (i = 0; i < lx->nr; i++) {
		const struct lexicon_entry *e = &lx->entries[i];
		size_t n = strlen(e->from);

		if (n > best_len && !strncasecmp(text + at, e->from, n) &&
		    !word_char(text + at + n)) {
			best = e;
			best_len = n;
		}
	}
	return best;
}

int lexicon_has(const struct lexicon *lx, const char *word, size_t len)
{
	size_t i;

	if (!lx)
		return 0;
	for (i = 0; i < lx->nr; i++)
		if (strlen(lx->entries[i].from) == len &&
		    !strncasecmp(lx->entries[i].from, word, len))
			return 1;
	return 0;
}

char *lexicon_apply(const struct lexicon *lx, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0, len = strlen(text);

	if (!lx || !lx->nr)
		return xstrdup(text);
	while (i < len) {
		const struct lexicon_entry *e = match_at(lx, text, i);

		if (e) {
			strbuf_addstr(&sb, e->to);
			i += strlen(e->from);
		} else {
			strbuf_addch(&sb, text[i++]);
		}
	}
	return strbuf_detach(&sb, NULL);
}
