/* libFuzzer target: the feed.ini reader (inih and our validation). */
#include "feedcfg.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct feed_config c;

	fuzz_file("feed.ini", data, len);
	feed_config_init(&c);
	if (!feed_config_load(&c, fuzz_dir()))
		feed_config_release(&c);
	return 0;
}
