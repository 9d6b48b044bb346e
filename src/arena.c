#include "arena.h"

#include <stdint.h>
#include <stdlib.h>

#define BLOCK_BYTES ((size_t)64 * 1024)
#define ALIGN 16u

struct block {
	struct block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

static struct block *blocks;
static bool failed;

void *arena_alloc(size_t n)
{
	struct block *b = blocks;

	if (n > SIZE_MAX / 2) {
		failed = true;
		return NULL;
	}
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (n == 0)
		n = ALIGN;
	if (!b || b->size - b->used < n) {
		size_t size = n > BLOCK_BYTES ? n : BLOCK_BYTES;

		b = malloc(sizeof(*b) + size);
		if (!b) {
			failed = true;
			return NULL;
		}
		b->size = size;
		b->used = 0;
		b->next = blocks;
		blocks = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

bool arena_failed(void)
{
	return failed;
}

void arena_release(void)
{
	while (blocks) {
		struct block *next = blocks->next;

		free(blocks);
		blocks = next;
	}
	failed = false;
}
