// SPDX-License-Identifier: MIT
/*
 * fuzz_policy - libFuzzer target for the policy loader: security teams'
 * files, and later policy packs from elsewhere, are untrusted input.
 *
 * Property: any input either loads, or is refused with at least one
 * diagnostic that has a message; a loaded policy can be matched against an
 * event and yields a prefilter whose include paths are absolute.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_diags diags = { 0 };
	struct policy_prefilter pf = { 0 };
	const struct policy_rule *hits[8];
	struct pm_event ev = { 0 };
	struct policy *p = NULL;

	if (policy_load_buffer("fuzz.json", (const char *)data, size, &p,
			       &diags) != 0) {
		if (diags.n == 0 || !diags.v[0].msg || !*diags.v[0].msg)
			abort();	/* refused without saying why */
		policy_diags_free(&diags);
		return 0;
	}
	policy_diags_free(&diags);
	pm_event_set_num(&ev, PM_F_OP, 1);
	pm_event_set_num(&ev, PM_F_MODE, 0100644);
	pm_event_set_str(&ev, PM_F_PATH, "/etc/shadow");
	if (policy_match(p, &ev, hits, 8) !=
	    policy_match_naive(p, &ev, hits, 8))
		abort();	/* the index disagrees with the rules */
	if (policy_prefilter(p, &pf) == 0) {
		for (size_t i = 0; i < pf.n_include; i++)
			if (pf.include[i][0] != '/')
				abort();
		policy_prefilter_free(&pf);
	}
	policy_free(p);
	return 0;
}
