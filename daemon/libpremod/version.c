// SPDX-License-Identifier: MIT
/*
 * version.c - the library's own version, for programs that link it
 * dynamically and want to know what they got.
 */
#include "libpremod.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const char *pm_library_version(void)
{
	return STR(LIBPREMOD_VERSION_MAJOR) "." STR(LIBPREMOD_VERSION_MINOR)
	       "." STR(LIBPREMOD_VERSION_PATCH);
}
