/* html: text put into a page. Every name, note and label the product did
 * not write itself goes through html_text, in element content and in
 * quoted attribute values alike. */
#ifndef QA_HTML_H
#define QA_HTML_H

#include <stdio.h>

/* Write text with &, <, >, " and ' as character references. */
void html_text(FILE *out, const char *text);

/* Start a page: the doctype, lang="en-GB", UTF-8, a viewport for phones,
 * the title (escaped), the style every page shares (readable type, tables,
 * charts, links, print) with extra_style after it, then <body>. */
void html_page_start(FILE *out, const char *title, const char *extra_style);

#endif
