/*
 * lexicon.h - pronunciation lexicons: plain-text files of words or
 * phrases and how to say them (a respelling, or eSpeak NG phonemes in
 * [[...]]), applied to the text before synthesis, so no eSpeak dictionary
 * has to be compiled. Part of stage 2 (text).
 */
#ifndef REVCAST_LEXICON_H
#define REVCAST_LEXICON_H

#include <stddef.h>

struct lexicon_entry {
	char *from;      /* word or phrase as written */
	char *to;        /* respelling, or "[[phonemes]]" */
	int phonemes;    /* to is eSpeak NG phonemes */
	char *file;      /* where it was defined */
	int line;
};

struct lexicon {
	struct lexicon_entry *entries;
	size_t nr, alloc;
};

void lexicon_init(struct lexicon *lx);
void lexicon_release(struct lexicon *lx);

/*
 * Adds the entries of the lexicon file at path; an entry for a word or
 * phrase already present replaces it (so a review's lexicon overrides the
 * feed's, which overrides the voice's). Errors name file and line.
 * Returns 0 or -1 (printed).
 */
int lexicon_load(struct lexicon *lx, const char *path);

/*
 * Returns a new string: text with every whole-word occurrence of an
 * entry's word or phrase replaced by how to say it. lx may be NULL.
 */
char *lexicon_apply(const struct lexicon *lx, const char *text);

/* Whether word (len bytes) is in the lexicon (whole entry, same rules as apply). */
int lexicon_has(const struct lexicon *lx, const char *word, size_t len);

#endif
