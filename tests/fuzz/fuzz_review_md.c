/* libFuzzer target: the Markdown and YAML front matter reader. */
#include "fuzz.h"
#include "review.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct review r;

	if (!review_parse_markdown(&r, "fuzz.md", (const char *)data, len))
		review_release(&r);
	return 0;
}
