/* Text from outside the program (profiles, paths, names, values read from
 * files) is checked where it enters and made harmless where it leaves:
 * nothing read can end a line of a generated file early, add one, or send
 * a control sequence to a terminal. */
#ifndef SOCKCAP_SAFE_H
#define SOCKCAP_SAFE_H

#include <stdbool.h>
#include <stddef.h>

/* True when s is valid UTF-8 without control characters: no C0 byte
 * (newline, carriage return, escape, tab...), no DEL, no C1 code point
 * (U+0080 to U+009F, which some terminals obey as controls). */
bool safe_is_text(const char *s);

/* The byte offset of the first character safe_is_text refuses in s, or
 * strlen(s) when there is none. */
size_t safe_first_bad(const char *s);

/* Copies src into dst (size bytes, NUL-terminated) with every character
 * safe_is_text refuses replaced by '?', cut at a character boundary when
 * it does not fit. Returns dst. */
char *safe_copy(char *dst, size_t size, const char *src);

/* How a value from outside is quoted in a message: 'value', made safe as
 * by safe_copy and shortened to SAFE_QUOTE_CHARS bytes with "..." after
 * it. Returns buf. */
#define SAFE_QUOTE_CHARS 80
#define SAFE_QUOTE_MAX (SAFE_QUOTE_CHARS + 8)
char *safe_quote(char buf[SAFE_QUOTE_MAX], const char *s);
/* safe_quote into a buffer that lives as long as the enclosing block. */
#define QUOTED(s) safe_quote((char[SAFE_QUOTE_MAX]){""}, (s))

/* Filters a document for a terminal in place: keeps newlines, tabs and the
 * colour sequences sockcap writes itself (ESC [ digits and ';' m), and
 * replaces every other control character with '?' (the length stays). */
void safe_terminal(char *data, size_t len);

/* A systemd unit name: at most 255 bytes of ASCII letters, digits and
 * ":-_.\@", a name before the type suffix. */
bool safe_unit_name(const char *s);

/* A drop-in file name as --dropin takes it: 6 to 64 bytes ending in
 * ".conf", of ASCII letters, digits and "_.@-", not starting with '.'
 * (systemd reads only *.conf; a name, never a path). */
bool safe_dropin_name(const char *s);

#endif
