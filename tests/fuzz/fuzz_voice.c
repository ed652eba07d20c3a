/* libFuzzer target: the voice profile reader (inih and our validation). */
#include "fuzz.h"
#include "voice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct voice_profile v;

	fuzz_file("fuzz.ini", data, len);
	if (!voice_profile_load(&v, fuzz_dir(), "fuzz"))
		voice_profile_release(&v);
	return 0;
}
