#include <stdbool.h>
#include <string.h>
#include <yaml.h>

#include "arena.h"
#include "out_doc.h"
#include "u64.h"

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	return fwrite(buffer, 1, size, (FILE *)data) == size;
}

/* Plain style only where a YAML 1.1 or 1.2 reader cannot take the string
 * for a number, a boolean or null; everything else is double-quoted. */
static bool plain_safe(const char *s)
{
	static const char *const words[] = {"null", "Null", "NULL", "~", "true", "True", "TRUE",
					    "false", "False", "FALSE", "yes", "Yes", "YES", "no",
					    "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
					    "y", "Y", "n", "N"};
	if (*s == '\0' || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(s, words[i]) == 0)
			return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.' || *p == '/'))
			return false;
	return true;
}

static int scalar(yaml_emitter_t *e, const char *v, const char *tag, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	if (!yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)tag, (yaml_char_t *)v,
					  (int)strlen(v), 1, 1, style))
		return -1;
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

static int string(yaml_emitter_t *e, const char *v)
{
	return scalar(e, v, NULL,
		      plain_safe(v) ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static int node(yaml_emitter_t *e, const struct doc *n)
{
	yaml_event_t ev;
	char digits[U64_DECIMAL_MAX + 1];

	if (n->type == DOC_OBJECT || n->type == DOC_ARRAY) {
		bool obj = n->type == DOC_OBJECT;
		const struct doc *c;

		if (obj ? !yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							       YAML_BLOCK_MAPPING_STYLE)
			: !yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
								YAML_BLOCK_SEQUENCE_STYLE))
			return -1;
		if (!yaml_emitter_emit(e, &ev))
			return -1;
		for (c = n->child; c; c = c->next) {
			if (obj && string(e, c->key) != 0)
				return -1;
			if (node(e, c) != 0)
				return -1;
		}
		if (obj ? !yaml_mapping_end_event_initialize(&ev)
			: !yaml_sequence_end_event_initialize(&ev))
			return -1;
		return yaml_emitter_emit(e, &ev) ? 0 : -1;
	}
	switch (n->type) {
	case DOC_U64:
		*u64_decimal(digits, n->u64) = '\0';
		return scalar(e, digits, NULL, YAML_PLAIN_SCALAR_STYLE);
	case DOC_RAW: return scalar(e, n->text, NULL, YAML_PLAIN_SCALAR_STYLE);
	case DOC_STRING: return string(e, n->text);
	case DOC_TRUE: return scalar(e, "true", NULL, YAML_PLAIN_SCALAR_STYLE);
	case DOC_FALSE: return scalar(e, "false", NULL, YAML_PLAIN_SCALAR_STYLE);
	default: return scalar(e, "null", NULL, YAML_PLAIN_SCALAR_STYLE);
	}
}

int emit_yaml(const struct doc *doc, FILE *out)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	int rc = -1;

	if (!doc || arena_failed() || !yaml_emitter_initialize(&e))
		return -1;
	yaml_emitter_set_output(&e, write_handler, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) ||
	    !yaml_emitter_emit(&e, &ev))
		goto out;
	if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0) ||
	    !yaml_emitter_emit(&e, &ev))
		goto out;
	if (node(&e, doc) != 0)
		goto out;
	if (!yaml_document_end_event_initialize(&ev, 1) || !yaml_emitter_emit(&e, &ev))
		goto out;
	if (!yaml_stream_end_event_initialize(&ev) || !yaml_emitter_emit(&e, &ev))
		goto out;
	rc = 0;
out:
	yaml_emitter_delete(&e);
	return rc;
}
