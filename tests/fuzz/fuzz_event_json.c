// SPDX-License-Identifier: MIT
/*
 * fuzz_event_json - libFuzzer target for the reader of `premodctl monitor
 * --json` lines, which premodd --replay feeds with files of any origin.
 *
 * Property: whatever line it accepts, writing the event back and reading
 * that again gives the same event (the format is a fixed point after one
 * round), and the direct renderer agrees with jansson.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event_json.h"

static char store[1 << 16], store2[1 << 16], out[1 << 18];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_event ev, back;
	char err[256], dirbuf[1 << 16];
	json_t *j;
	char *s;
	int n;

	if (pm_event_from_json_line((const char *)data, size, &ev, store,
				    sizeof(store), err, sizeof(err)) != 0)
		return 0;
	pm_event_derive(&ev, dirbuf, sizeof(dirbuf));
	/* Derived fields are not written (exe, the host's name, is). */
	ev.has &= ~((1ULL << PM_F_NAME) | (1ULL << PM_F_DIR));

	n = pm_event_render_json(&ev, out, sizeof(out));
	if (n < 0)
		return 0;	/* a line larger than our buffer: fine */
	j = pm_event_to_json(&ev);
	s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s || strcmp(s, out) != 0)
		abort();
	free(s);

	if (pm_event_from_json_line(out, (size_t)n, &back, store2,
				    sizeof(store2), err, sizeof(err)) != 0)
		abort();
	if (back.has != ev.has)
		abort();
	for (int f = 0; f < PM_F_COUNT; f++) {
		if (!pm_event_has(&ev, f))
			continue;
		if (f < PM_F_NUM_COUNT ? back.num[f] != ev.num[f]
				       : strcmp(pm_event_str(&back, f),
						pm_event_str(&ev, f)) != 0)
			abort();
	}
	return 0;
}
