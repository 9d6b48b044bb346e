/* A bump allocator for the report document (doc.h): an audit's document
 * is about a thousand nodes and strings, and freeing them one by one cost a
 * fifth of an audit's instructions when a library allocated them. The
 * document's blocks come from here and go all at once. Not thread-safe. */
#ifndef SOCKCAP_ARENA_H
#define SOCKCAP_ARENA_H

#include <stdbool.h>
#include <stddef.h>

/* n bytes aligned to 16, or NULL when memory ran out (remembered: see
 * arena_failed). */
void *arena_alloc(size_t n);

/* Has an allocation failed since the last arena_release? */
bool arena_failed(void);

/* Frees every block the arena handed out, and forgets a failure. */
void arena_release(void);

#endif
