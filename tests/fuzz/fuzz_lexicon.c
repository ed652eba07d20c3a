/*
 * libFuzzer target: the lexicon reader, then the lexicon applied to the
 * same bytes as text.
 */
#include "fuzz.h"
#include "lexicon.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct lexicon lx;
	char *text, *out;

	lexicon_init(&lx);
	lexicon_load(&lx, fuzz_file("fuzz.lex", data, len));
	text = xstrndup((const char *)data, len);
	if (utf8_invalid_at(text, len) == len && !memchr(data, 0, len)) {
		out = lexicon_apply(&lx, text);
		free(out);
	}
	free(text);
	lexicon_release(&lx);
	return 0;
}
