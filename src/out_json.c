
#include "out_doc.h"

int emit_json(const cJSON *doc, FILE *out)
{
	char *s = cJSON_Print(doc);

	if (!s)
		return -1;
	fputs(s, out);
	fputc('\n', out);
	cJSON_free(s);
	return 0;
}
