/* Threshold ranges in the monitoring-plugins syntax (the Monitoring Plugins
 * Development Guidelines, "Threshold and ranges"): [@]start:end, where
 * "10" is 0:10, "10:" is 10 to infinity, "~:10" minus infinity to 10, and
 * "@" alerts inside the range instead of outside. Each bound may be a
 * decimal (up to 6 places) or, as sockcap's extension, a percentage of the
 * capacity ("80%"). Pure: no I/O. */
#ifndef SOCKCAP_RANGE_H
#define SOCKCAP_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RANGE_TEXT_MAX 96

/* One bound as written: sign, and |value| in millionths (of a unit, or of
 * a percent when percent is set). */
struct range_bound {
	bool infinite; /* start "~", or an empty end */
	bool negative;
	bool percent;
	uint64_t micro;
};

struct range {
	bool inside; /* "@": alert when the value is inside */
	struct range_bound start, end;
};

/* Parses text (NUL-terminated) into *out. Returns 0, or -1 with a reason in
 * err: empty, junk, more than 6 decimals, a number past 10^13 (a percentage
 * past 10^9), or a start above its end when both are of the same kind. */
int range_parse(const char *text, struct range *out, char *err, size_t errsize);

/* True when value, checked against r with percentages taken of capacity,
 * raises an alert: outside the range, or inside it for "@". */
bool range_alerts(const struct range *r, uint64_t value, uint64_t capacity);

/* False when a start above its end appears only once percentages are taken
 * of capacity ("50%:1000" with a capacity of 10000). */
bool range_valid_for(const struct range *r, uint64_t capacity);

/* Writes r with percentages taken of capacity, in the same syntax (exact
 * decimals, no "%"), for performance data: "15974.4", "@10:20", "~:5",
 * "10:". */
void range_format(const struct range *r, uint64_t capacity, char *buf, size_t size);

#endif
