/* The built-in profiles by name. Their values are compiled in from
 * data/profiles at build time (tools/profile_compile): nothing is parsed
 * here. */
#include <string.h>

#include "profile.h"

const char *profile_builtin_name(size_t i)
{
	return i < profile_builtin_count ? profile_builtins[i].name : NULL;
}

int profile_builtin(const char *name, struct profile *out)
{
	for (size_t i = 0; i < profile_builtin_count; i++)
		if (strcmp(profile_builtins[i].name, name) == 0) {
			*out = profile_builtins[i];
			return 0;
		}
	return -1;
}
