/* html: text put into a page. Every name, note and label the product did
 * not write itself goes through html_text, in element content and in
 * quoted attribute values alike. */
#ifndef QA_HTML_H
#define QA_HTML_H

#include <stdio.h>

/* Write text with &, <, >, " and ' as character references. */
void html_text(FILE *out, const char *text);

#endif
