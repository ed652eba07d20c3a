/*
 * lexicon.h - pronunciation lexicons: plain-text files of words or
 * phrases and how to say them (a respelling, or eSpeak NG phonemes in
 * [[...]]), applied to the text before synthesis, so no eSpeak dictionary
 * has to be compiled. Part of stage 2 (text).
 *
 * File format (UTF-8), one entry a line:
 *
 *     # a comment
 *     Schoenaerts = [[sx'u:nA:ts]]       # eSpeak NG phonemes
 *     Marion Cotillard = Marion Koti-yar  # a respelling
 *
 * The left side is a word or phrase: it starts and ends with a letter or
 * digit; runs of white space in it match any run of white space. The right
 * side is either one [[...]] group of eSpeak NG phoneme mnemonics (printable
 * ASCII, no brackets, quotes, parentheses, '<', '>' or '&'), or a respelling
 * made of letters, digits, spaces, hyphens, apostrophes, full stops and
 * commas. '#' starts a comment at the start of a line, or after white
 * space outside a [[...]] group ('#' is also a phoneme character). A word
 * or phrase defined twice in one file is an error; a later file overrides
 * an earlier one (voice profile < feed < review).
 *
 * Matching is on whole words, ignoring case (ASCII, Latin-1, Latin
 * Extended-A, Greek and Cyrillic letters), treating ' and U+2019 alike,
 * longest phrase first. Hyphens separate words. A possessive "'s" after a
 * match is kept ("Cotillard's": for phonemes the ending joins the group),
 * and so is a French elision before one ("d'Audiard").
 */
#ifndef REVCAST_LEXICON_H
#define REVCAST_LEXICON_H

#include <stddef.h>

struct voice_profile;

struct lexicon_entry {
	char *from;      /* word or phrase as written */
	char *to;        /* respelling, or "[[phonemes]]" */
	int phonemes;    /* to is eSpeak NG phonemes */
	char *file;      /* where it was defined */
	int line;
	/* Private to lexicon.c. */
	char *key;        /* from, case-folded, white space collapsed */
	size_t first_len; /* bytes of the key's first word */
	int next;         /* next entry with the same first word (shorter key), or -1 */
	int head;         /* first of its chain */
	unsigned gen;     /* the lexicon_load() that defined it */
};

struct lexicon {
	struct lexicon_entry *entries;
	size_t nr, alloc;
	/* Private to lexicon.c: open-addressing tables of entry indexes, -1 empty. */
	int *by_key;      /* whole key -> entry */
	int *by_first;    /* first word -> the longest entry that starts with it */
	size_t slots;     /* size of each table, a power of two */
	unsigned gen;
};

/* An empty lexicon; allocates nothing. */
void lexicon_init(struct lexicon *lx);
/* Frees every entry and the tables; lx is empty (as after lexicon_init()) afterwards. */
void lexicon_release(struct lexicon *lx);

/*
 * Adds the entries of the lexicon file at path; an entry for a word or
 * phrase already present replaces it (so a review's lexicon overrides the
 * feed's, which overrides the voice's). Every bad line is reported with
 * file and line, including a word defined twice in the file. Returns 0,
 * or -1 with the errors printed (the file's good entries are kept).
 */
int lexicon_load(struct lexicon *lx, const char *path);

/*
 * Adds one entry as if read from file:line, with the same checks as
 * lexicon_load() (a word already defined in the same load is an error;
 * call lexicon_next_file() between "files"). Returns 0 or -1 (printed).
 */
int lexicon_add(struct lexicon *lx, const char *from, const char *to,
		const char *file, int line);

/* Starts a new "file" for lexicon_add(): its entries may override earlier ones. */
void lexicon_next_file(struct lexicon *lx);

/*
 * Returns a new string: text with every whole-word occurrence of an
 * entry's word or phrase replaced by how to say it. lx may be NULL or
 * empty. This is the one place where "[[" may enter the spoken text: a
 * "[[" already in the text is broken up ("[ [") so a review can never
 * feed eSpeak NG phonemes, and a phoneme group always follows white space
 * (eSpeak NG drops a group that directly follows punctuation such as a
 * quotation mark).
 */
char *lexicon_apply(const struct lexicon *lx, const char *text);

/*
 * One word of a text as the lexicon sees it: bytes [start, start+len) of
 * the text. For a word that no entry covers, the word proper (a possessive
 * "'s" and a French elision such as "d'" are left out). For a match,
 * `entry` is set and the span is the matched word or phrase.
 */
struct lexicon_word {
	size_t start, len;
	const struct lexicon_entry *entry;  /* NULL: no entry covers it */
	int sentence_start;                 /* first word of the text */
};

typedef void (*lexicon_word_fn)(const char *text, const struct lexicon_word *w,
				 void *data);

/*
 * Calls fn for every word of text, in order, with the same matching rules
 * as lexicon_apply(). lx may be NULL.
 */
void lexicon_scan(const struct lexicon *lx, const char *text, lexicon_word_fn fn,
		  void *data);

/* The entry for exactly this word or phrase (same folding), or NULL. */
const struct lexicon_entry *lexicon_lookup(const struct lexicon *lx, const char *word,
					   size_t len);

/* Whether word (len bytes) is in the lexicon (whole entry, same rules as apply). */
int lexicon_has(const struct lexicon *lx, const char *word, size_t len);

/*
 * Returns a new string: s (len bytes) case-folded as the lexicon matches,
 * with U+2019 folded to an apostrophe.
 */
char *lexicon_fold(const char *s, size_t len);

/* Whether code point cp is part of a word (a letter, digit or combining mark). */
int lexicon_word_cp(long cp);

/* The code point cp matches as: lower case; U+2019 as "'"; U+2010, U+2011 as "-". */
long lexicon_fold_cp(long cp);

/*
 * Asks eSpeak NG, with the voice of profile v, to read the phonemes of
 * entry e (a phoneme entry) and checks that it took every one of them:
 * eSpeak NG stops reading a word at the first mnemonic its language does
 * not have. Returns 1 when they are valid, 0 when not (an error naming
 * the entry's file and line is printed), and -1 when this cannot be
 * checked (eSpeak NG failed, or speech_phonemes() does not read [[...]]).
 */
int lexicon_check_phonemes(const struct lexicon_entry *e, const struct voice_profile *v);

#endif
