/* csvio: the CSV we write and read. Every expected line is written out by
 * hand from RFC 4180 and OWASP's advice on CSV injection (SPEC section 10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---- reading ---- */

/* A file holding len bytes of data; the caller unlinks and frees it. */
static char *file_of(const char *data, size_t len)
{
	char *path = strdup("/tmp/qa-test-csvio-XXXXXX");
	assert_non_null(path);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return path;
}

/* Read data (a C string) as a file; the rc and problems of csv_read_file. */
static int read_text(const char *data, struct csv_table *table,
		     struct errlist *errs, char **path_out)
{
	char *path = file_of(data, strlen(data));
	int rc = csv_read_file(path, table, errs);
	unlink(path);
	if (path_out)
		*path_out = path;
	else
		free(path);
	return rc;
}

static void check_record(const struct csv_table *table, size_t i, unsigned line,
			 size_t n, const char *const *fields)
{
	assert_true(i < table->n);
	const struct csv_record *r = &table->records[i];
	assert_int_equal(r->line, line);
	assert_int_equal(r->nfields, n);
	for (size_t f = 0; f < n; f++)
		assert_string_equal(r->fields[f], fields[f]);
	assert_false(r->has_nul);
}

#define CHECK(table, i, line, ...)                                             \
	do {                                                                   \
		const char *const expect[] = {__VA_ARGS__};                    \
		check_record(table, i, line, sizeof(expect) / sizeof(*expect), \
			     expect);                                          \
	} while (0)

static void reads_quotes_commas_and_line_breaks(void **state)
{
	(void)state;
	struct csv_table table = {0};
	struct errlist errs = {0};
	assert_int_equal(
		read_text(
			"\xef\xbb\xbfid,name,note\r\n"                 /* 1 */
			"a1,\"Smith, Jo \"\"JJ\"\"\",\r\n"             /* 2 */
			"a2,\"two\r\nlines\",\"and\nthree\nhere\"\r\n" /* 3-6 */
			"\r\n"                                         /* 7 */
			"a3,Zoë Ødegård,  spaced  \r"                  /* 8 */
			"a4,,\"\"\n"                                   /* 9 */
			"\n"                                           /* 10 */
			"a5,\"'=1+1\",last",                           /* 11 */
			&table, &errs, NULL),
		0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(table.n, 6);
	CHECK(&table, 0, 1, "id", "name", "note");
	CHECK(&table, 1, 2, "a1", "Smith, Jo \"JJ\"", "");
	CHECK(&table, 2, 3, "a2", "two\r\nlines", "and\nthree\nhere");
	/* Spaces around an unquoted field are dropped; the defusing ' is
	 * kept. */
	CHECK(&table, 3, 8, "a3", "Zoë Ødegård", "spaced");
	CHECK(&table, 4, 9, "a4", "", "");
	CHECK(&table, 5, 11, "a5", "'=1+1", "last");
	csv_table_done(&table);
	assert_null(table.records);
	assert_int_equal(table.n, 0);
}

static void a_bom_only_at_the_start(void **state)
{
	(void)state;
	struct csv_table table = {0};
	struct errlist errs = {0};
	assert_int_equal(read_text("a,b\n\xef\xbb\xbf"
				   "c,d\n",
				   &table, &errs, NULL),
			 0);
	CHECK(&table, 0, 1, "a", "b");
	CHECK(&table, 1, 2,
	      "\xef\xbb\xbf"
	      "c",
	      "d");
	csv_table_done(&table);
	/* An empty file, or only a BOM: no records, no problem. */
	assert_int_equal(read_text("", &table, &errs, NULL), 0);
	assert_int_equal(table.n, 0);
	assert_int_equal(read_text("\xef\xbb\xbf", &table, &errs, NULL), 0);
	assert_int_equal(table.n, 0);
	assert_int_equal(errs.n, 0);
	csv_table_done(&table);
}

static void a_nul_byte_is_flagged(void **state)
{
	(void)state;
	struct csv_table table = {0};
	struct errlist errs = {0};
	static const char data[] = "a,b\nc,d\0e\n";
	char *path = file_of(data, sizeof(data) - 1);
	assert_int_equal(csv_read_file(path, &table, &errs), 0);
	assert_int_equal(table.n, 2);
	assert_false(table.records[0].has_nul);
	assert_true(table.records[1].has_nul);
	assert_string_equal(table.records[1].fields[1], "d");
	csv_table_done(&table);
	unlink(path);
	free(path);
}

static void refusals_name_the_file_and_line(void **state)
{
	(void)state;
	struct {
		const char *data;
		const char *problem; /* after "PATH" */
	} cases[] = {
		{"a,b\nc,d\ne,f \"g\"\n",
		 ":3: malformed CSV: a quote inside an unquoted field, or text "
		 "after a closing quote; quote the whole field and double any "
		 "quote inside it"},
		{"a,b\r\n\"c\"d,e\r\n",
		 ":2: malformed CSV: a quote inside an unquoted field, or text "
		 "after a closing quote; quote the whole field and double any "
		 "quote inside it"},
		/* The line the open quote's record starts on. */
		{"a,b\nc,\"d\n\ne,f\n",
		 ":2: a quoted field is not closed before the end of the file"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct csv_table table = {0};
		struct errlist errs = {0};
		char *path = NULL, expect[512];
		assert_int_equal(read_text(cases[i].data, &table, &errs, &path),
				 -1);
		snprintf(expect, sizeof(expect), "%s%s", path,
			 cases[i].problem);
		assert_int_equal(errs.n, 1);
		assert_string_equal(errs.msgs[0], expect);
		csv_table_done(&table);
		errlist_done(&errs);
		free(path);
	}
	struct csv_table table = {0};
	struct errlist errs = {0};
	assert_int_equal(
		csv_read_file("/nonexistent/people.csv", &table, &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0], "/nonexistent/people.csv: cannot "
					  "open: No such file or directory");
	assert_int_equal(table.n, 0);
	errlist_done(&errs);
}

/* What the writer writes, the reader reads back as it was (with the
 * defusing ' taken off): one CSV, both ways. */
static void what_is_written_reads_back(void **state)
{
	(void)state;
	const char *const fields[] = {
		"Zoë \"Zed\" O'Brien, Jr",
		"=HYPERLINK(\"http://evil\",\"x\")",
		" lead",
		"trail ",
		"two\r\nlines",
		"one\nline feed",
		"+44 1234",
		"-2",
		"@SUM(A1)",
		"\tx",
		"'quoted'",
		"",
		"plain",
	};
	size_t n = sizeof(fields) / sizeof(fields[0]);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	csv_put_row(out, fields, n);
	csv_put_row(out, fields, n);
	assert_int_equal(fclose(out), 0);
	char *path = file_of(text, len);
	struct csv_table table = {0};
	struct errlist errs = {0};
	assert_int_equal(csv_read_file(path, &table, &errs), 0);
	assert_int_equal(table.n, 2);
	/* The first row's "two\r\nlines" and "one\nline feed" hold a line
	 * end each, and it ends in a third. */
	assert_int_equal(table.records[1].line, 4);
	for (size_t r = 0; r < table.n; r++) {
		assert_int_equal(table.records[r].nfields, n);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(
				csv_undefuse(table.records[r].fields[i]),
				fields[i]);
	}
	csv_table_done(&table);
	unlink(path);
	free(path);
	free(text);
}

/* A record of the given fields, as the reader makes one. */
static struct csv_record record_of(unsigned line, size_t n,
				   const char *const *fields)
{
	struct csv_record r = {.line = line, .nfields = n};
	r.fields = calloc(n ? n : 1, sizeof(*r.fields));
	assert_non_null(r.fields);
	for (size_t i = 0; i < n; i++)
		assert_non_null(r.fields[i] = strdup(fields[i]));
	return r;
}

static void record_done(struct csv_record *r)
{
	for (size_t i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	free(r->fields);
}

static void trim_and_field(void **state)
{
	(void)state;
	const char *const fields[] = {"  a ", "\tb\t", "", "   ", "c d"};
	struct csv_record r = record_of(1, 5, fields);
	csv_record_trim(&r);
	assert_string_equal(csv_field(&r, 0), "a");
	assert_string_equal(csv_field(&r, 1), "b");
	assert_string_equal(csv_field(&r, 2), "");
	assert_string_equal(csv_field(&r, 3), "");
	assert_string_equal(csv_field(&r, 4), "c d");
	assert_null(csv_field(&r, 5));
	assert_null(csv_field(&r, CSV_ABSENT));
	record_done(&r);
}

static const char *const staff_names[] = {"id", "name", "team", "left_on"};

/* Map a header of the given fields against staff_names (the last one
 * optional): the rc, at[], and the one problem (or NULL). */
static int map(size_t n, const char *const *fields, size_t at[4],
	       char **problem)
{
	struct csv_record header = record_of(3, n, fields);
	struct errlist errs = {0};
	int rc = csv_header_map("people.csv", &header, staff_names, 4, 3, at,
				&errs);
	assert_int_equal(errs.n, rc ? 1 : 0);
	*problem = rc ? strdup(errs.msgs[0]) : NULL;
	errlist_done(&errs);
	record_done(&header);
	return rc;
}

static void header_by_name(void **state)
{
	(void)state;
	size_t at[4];
	char *problem;
	const char *const in_order[] = {"id", "name", "team", "left_on"};
	assert_int_equal(map(4, in_order, at, &problem), 0);
	assert_int_equal(at[0], 0);
	assert_int_equal(at[3], 3);
	const char *const moved[] = {"team", "id", "name"};
	assert_int_equal(map(3, moved, at, &problem), 0);
	assert_int_equal(at[0], 1);
	assert_int_equal(at[1], 2);
	assert_int_equal(at[2], 0);
	assert_true(at[3] == CSV_ABSENT);

	const char *const wrong[] = {"Id",      "name",    "grade", "",
				     "left_on", "left_on", "\x01x"};
	assert_int_equal(map(7, wrong, at, &problem), -1);
	assert_string_equal(problem,
			    "people.csv:3: header: missing id, team; unknown "
			    "columns \"Id\", \"grade\", \"?x\"; a column with "
			    "no name; column \"left_on\" twice; expected "
			    "id,name,team in any order, and optionally "
			    "left_on");
	free(problem);
	/* Many unknown: the first few, and how many more. */
	const char *const many[] = {"id", "name", "team", "a", "b", "c", "d",
				    "e",  "f",    "g",    "h", "i", "j"};
	assert_int_equal(map(13, many, at, &problem), -1);
	assert_string_equal(problem,
			    "people.csv:3: header: unknown columns \"a\", "
			    "\"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\" "
			    "and 2 more; expected id,name,team in any order, "
			    "and optionally left_on");
	free(problem);
	const char *const blank[] = {"id", "", "name", "", "team"};
	assert_int_equal(map(5, blank, at, &problem), -1);
	assert_string_equal(problem,
			    "people.csv:3: header: 2 columns with no name; "
			    "expected id,name,team in any order, and "
			    "optionally left_on");
	free(problem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quoting_as_rfc_4180_says),
		cmocka_unit_test(formulas_are_written_as_text),
		cmocka_unit_test(undefuse_gives_back_what_was_defused),
		cmocka_unit_test(reads_quotes_commas_and_line_breaks),
		cmocka_unit_test(a_bom_only_at_the_start),
		cmocka_unit_test(a_nul_byte_is_flagged),
		cmocka_unit_test(refusals_name_the_file_and_line),
		cmocka_unit_test(what_is_written_reads_back),
		cmocka_unit_test(trim_and_field),
		cmocka_unit_test(header_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
