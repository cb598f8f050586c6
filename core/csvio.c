#include "csvio.h"

#include <stdbool.h>
#include <string.h>

static bool formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	       c == '\r';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

void csv_put_field(FILE *out, const char *text)
{
	if (!text || !*text)
		return;
	size_t len = strlen(text);
	bool defuse = formula_start(text[0]);
	bool quote = strpbrk(text, ",\"\r\n") || is_space(text[0]) ||
		     is_space(text[len - 1]);
	if (!quote) {
		if (defuse)
			fputc('\'', out);
		fputs(text, out);
		return;
	}
	/* The ' goes inside the quotes, where a spreadsheet reads it. */
	fputc('"', out);
	if (defuse)
		fputc('\'', out);
	for (const char *c = text; *c; c++) {
		if (*c == '"')
			fputc('"', out);
		fputc(*c, out);
	}
	fputc('"', out);
}

void csv_put_row(FILE *out, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		csv_put_field(out, fields[i]);
	}
	fputc('\n', out);
}

const char *csv_undefuse(const char *text)
{
	return text && text[0] == '\'' && formula_start(text[1]) ? text + 1
								 : text;
}
