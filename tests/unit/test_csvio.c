/* csvio: the CSV we write. Every expected line is written out by hand from
 * RFC 4180 and OWASP's advice on CSV injection (SPEC section 10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"

/* The row fields would be written as, without its line feed. */
static char *row(const char *const *fields, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	csv_put_row(out, fields, n);
	assert_int_equal(fclose(out), 0);
	assert_true(len > 0 && text[len - 1] == '\n');
	text[len - 1] = '\0';
	return text;
}

static void check_field(const char *field, const char *written)
{
	const char *fields[] = {"a", field, "z"};
	char *got = row(fields, 3);
	char expected[256];
	snprintf(expected, sizeof(expected), "a,%s,z", written);
	if (strcmp(got, expected) != 0)
		fail_msg("field \"%s\": written %s, expected %s", field, got,
			 expected);
	free(got);
}

static void quoting_as_rfc_4180_says(void **state)
{
	(void)state;
	check_field("Amy Clarke", "Amy Clarke");
	check_field("", "");
	check_field(NULL, "");
	check_field("O'Brien, Finn", "\"O'Brien, Finn\"");
	check_field("The \"Oaks\"", "\"The \"\"Oaks\"\"\"");
	check_field("two\nlines", "\"two\nlines\"");
	check_field("cr\rhere", "\"cr\rhere\"");
	/* Spaces a reader trims are kept by quoting. */
	check_field(" lead", "\" lead\"");
	check_field("trail ", "\"trail \"");
	check_field("Zoë Ødegård", "Zoë Ødegård");
}

static void formulas_are_written_as_text(void **state)
{
	(void)state;
	check_field("=HYPERLINK(\"http://evil\",\"x\")",
		    "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"");
	check_field("=1+1", "'=1+1");
	check_field("+44 1234", "'+44 1234");
	check_field("-2", "'-2");
	check_field("@SUM(A1)", "'@SUM(A1)");
	check_field("\tx", "\"'\tx\"");
	check_field("\rx", "\"'\rx\"");
	/* Only at the start. */
	check_field("a=b", "a=b");
	check_field("Smith-Jones", "Smith-Jones");
}

static void undefuse_gives_back_what_was_defused(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{"'=1+1", "=1+1"},
		{"'+44", "+44"},
		{"'-2", "-2"},
		{"'@SUM", "@SUM"},
		{"'\tx", "\tx"},
		{"'\rx", "\rx"},
		{"O'Brien", "O'Brien"},
		{"'quoted'", "'quoted'"},
		{"'", "'"},
		{"", ""},
		{"=raw", "=raw"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(csv_undefuse(cases[i][0]), cases[i][1]);
	assert_null(csv_undefuse(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quoting_as_rfc_4180_says),
		cmocka_unit_test(formulas_are_written_as_text),
		cmocka_unit_test(undefuse_gives_back_what_was_defused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
