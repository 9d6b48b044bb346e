/* A bump allocator for the report document: cJSON allocates a node, a key
 * and a value for every field (about a thousand blocks for an audit), and
 * freeing them one by one cost a fifth of an audit's instructions. The
 * document's blocks come from here and go all at once. */
#ifndef SOCKCAP_ARENA_H
#define SOCKCAP_ARENA_H

#include <stddef.h>

/* Makes cJSON allocate from the arena (cJSON_InitHooks): its frees become
 * no-ops until arena_release. */
void arena_use_for_json(void);

/* Frees every block the arena handed out. */
void arena_release(void);

#endif
