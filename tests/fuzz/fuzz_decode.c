// SPDX-License-Identifier: MIT
/*
 * fuzz_decode - libFuzzer target for the netlink decoder and the event
 * JSON writers/reader that consume its output.
 *
 * The input is a datagram. Besides "no crash, no out-of-bounds read", it
 * checks properties that must hold for every event the decoder accepts:
 * the direct JSON renderer equals jansson's dump byte for byte, and the
 * JSON reads back into the same event.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>

#include "decode.h"
#include "event_json.h"
#include "premod.h"

static char render_buf[PM_EVENT_JSON_MAX];
static char store[4 * PREMOD_PATH_MAX + 64];

static void check_event(const struct pm_event *ev)
{
	struct pm_event back;
	char dirbuf[PREMOD_PATH_MAX + 1], err[256];
	struct pm_event copy = *ev;
	json_t *j;
	char *s;
	int n;

	pm_event_derive(&copy, dirbuf, sizeof(dirbuf));

	n = pm_event_render_json(ev, render_buf, sizeof(render_buf));
	if (n < 0)
		abort();	/* every decodable event fits the maximum */
	j = pm_event_to_json(ev);
	if (!j)
		abort();
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s || strcmp(s, render_buf) != 0)
		abort();
	free(s);

	if (pm_event_from_json_line(render_buf, (size_t)n, &back, store,
				    sizeof(store), err, sizeof(err)) != 0)
		abort();
	if (back.has != ev->has)
		abort();
	for (int f = 0; f < PM_F_COUNT; f++) {
		if (!pm_event_has(ev, f))
			continue;
		if (f < PM_F_NUM_COUNT ? back.num[f] != ev->num[f]
				       : strcmp(pm_event_str(&back, f),
						pm_event_str(ev, f)) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Receive buffers are aligned; keep the fuzzer's input honest. */
	unsigned char *buf = malloc(size ? size : 1);
	struct pm_nl_iter it;
	const struct nlmsghdr *nlh;
	struct pm_event ev;
	const char *rec;
	uint64_t seq;
	char err[256];

	memcpy(buf, data, size);

	/* The bytes as a datagram of messages. */
	pm_nl_iter_init(&it, buf, size);
	while (pm_nl_iter_next(&it, &nlh, err, sizeof(err)) > 0) {
		if (pm_decode_event(nlh, 0, &ev, err, sizeof(err)) == 0)
			check_event(&ev);
		pm_decode_alert(nlh, 0, &rec, &seq, err, sizeof(err));
	}

	/* The bytes as a bare attribute stream: reaches attributes sooner. */
	if (pm_decode_event_attrs(buf, size, &ev, err, sizeof(err)) == 0)
		check_event(&ev);

	free(buf);
	return 0;
}
