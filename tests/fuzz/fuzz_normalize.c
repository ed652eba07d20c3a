/*
 * libFuzzer target: the text stage on arbitrary valid UTF-8: cleaning,
 * sentence splitting and normalisation in English and French.
 */
#include "fuzz.h"
#include "normalize.h"
#include "text.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void each_sentence(const char *s, size_t len, void *data)
{
	char *sentence = xstrndup(s, len), *a, *b;

	(void)data;
	a = normalize_text("en", sentence);
	b = normalize_text("fr", sentence);
	free(a);
	free(b);
	free(sentence);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *text, *clean;

	if (memchr(data, 0, len) || utf8_invalid_at((const char *)data, len) != len)
		return 0;
	text = xstrndup((const char *)data, len);
	clean = text_clean(text);
	text_split_sentences(clean, each_sentence, NULL);
	free(clean);
	free(text);
	return 0;
}
