/*
 * libFuzzer harness: scn_parse() on arbitrary bytes. A success is freed
 * (LeakSanitizer checks the program's memory); a failure must leave a
 * "fuzz.scn:LINE:COL: message" in err. Built and run by `make fuzz`
 * (docs/fuzzing.md).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz/fuzz_common.h"
#include "syscalls/builtin.h"
#include "scn/scn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	simk_register_builtin(); /* idempotent: the first input registers */
	char err[512];
	memset(err, 0, sizeof(err));
	struct scn_prog *p = scn_parse(FUZZ_NAME, (const char *)data, size, err, sizeof(err));
	if (p == NULL) {
		fuzz_check_parse_error(err, (const char *)data, size);
		return 0;
	}
	if (err[0] != '\0') {
		fprintf(stderr, "fuzz: a program that parsed left a message: '%s'\n", err);
		abort();
	}
	scn_free(p);
	return 0;
}
