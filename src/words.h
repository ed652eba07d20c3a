/*
 * words.h - `revcast words`: the editor's pre-flight. Lists the names and
 * unusual words of reviews that no applicable pronunciation lexicon covers
 * and that eSpeak NG is likely to misread, most frequent first.
 */
#ifndef REVCAST_WORDS_H
#define REVCAST_WORDS_H

/* The command's usage line and help text, for the commands table. */
extern const char words_usage[];
extern const char words_help[];

/*
 * The `revcast words` command (argv[0] is "words"). Returns the exit
 * status: 0 when every review was read (whether or not words were
 * listed), 1 when a review, a voice profile, a lexicon or a word list
 * could not be read or a lexicon entry is bad, 2 on a usage error.
 */
int cmd_words(int argc, char **argv);

/*
 * The word list used for language `lang` (BCP 47) when none is given:
 * a ':'-separated list of files under /usr/share/dict (Debian's wbritish,
 * wamerican and wfrench packages), or NULL when revcast knows none.
 */
const char *words_default_lists(const char *lang);

#endif
