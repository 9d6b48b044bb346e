#include "doc.h"

#include <string.h>

#include "arena.h"

static struct doc *node(enum doc_type type)
{
	struct doc *d = arena_alloc(sizeof(*d));

	if (d)
		*d = (struct doc){.type = type};
	return d;
}

static const char *copy(const char *s)
{
	size_t n = strlen(s) + 1;
	char *c = arena_alloc(n);

	if (c)
		memcpy(c, s, n);
	return c;
}

struct doc *doc_object(void)
{
	return node(DOC_OBJECT);
}

struct doc *doc_array(void)
{
	return node(DOC_ARRAY);
}

struct doc *doc_null(void)
{
	return node(DOC_NULL);
}

struct doc *doc_bool(bool b)
{
	return node(b ? DOC_TRUE : DOC_FALSE);
}

struct doc *doc_u64(uint64_t v)
{
	struct doc *d = node(DOC_U64);

	if (d)
		d->u64 = v;
	return d;
}

static struct doc *with_text(enum doc_type type, const char *s)
{
	const char *c = copy(s ? s : "");
	struct doc *d = c ? node(type) : NULL;

	if (d)
		d->text = c;
	return d;
}

struct doc *doc_string(const char *s)
{
	return with_text(DOC_STRING, s);
}

struct doc *doc_raw(const char *s)
{
	return with_text(DOC_RAW, s);
}

void doc_push(struct doc *array, struct doc *item)
{
	if (!array || !item)
		return;
	if (array->last)
		array->last->next = item;
	else
		array->child = item;
	array->last = item;
}

void doc_add(struct doc *object, const char *key, struct doc *item)
{
	if (!object || !item)
		return;
	item->key = key;
	doc_push(object, item);
}

struct doc *doc_add_object(struct doc *object, const char *key)
{
	struct doc *d = object ? doc_object() : NULL;

	doc_add(object, key, d);
	return d;
}

struct doc *doc_add_array(struct doc *object, const char *key)
{
	struct doc *d = object ? doc_array() : NULL;

	doc_add(object, key, d);
	return d;
}

void doc_add_string(struct doc *object, const char *key, const char *s)
{
	if (object)
		doc_add(object, key, doc_string(s));
}

void doc_add_u64(struct doc *object, const char *key, uint64_t v)
{
	if (object)
		doc_add(object, key, doc_u64(v));
}

void doc_add_null(struct doc *object, const char *key)
{
	if (object)
		doc_add(object, key, doc_null());
}

void doc_add_bool(struct doc *object, const char *key, bool b)
{
	if (object)
		doc_add(object, key, doc_bool(b));
}

const struct doc *doc_get(const struct doc *object, const char *key)
{
	if (!object || object->type != DOC_OBJECT)
		return NULL;
	for (const struct doc *c = object->child; c; c = c->next)
		if (strcmp(c->key, key) == 0)
			return c;
	return NULL;
}
