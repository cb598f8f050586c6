#include "html.h"

#include <string.h>

void html_text(FILE *out, const char *text)
{
	while (*text) {
		size_t plain = strcspn(text, "&<>\"'");
		fwrite(text, 1, plain, out);
		text += plain;
		switch (*text) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			return;
		}
		text++;
	}
}

/* Type and contrast for reading on a desk or a phone (every colour keeps
 * 4.5:1 on white), tables of figures, charts (chart.c), and print. */
static const char base_style[] =
	"body{font:15px/1.45 system-ui,sans-serif;color:#1a1a1a;"
	"background:#fff;max-width:64rem;margin:0 auto;padding:1rem}"
	"h1{font-size:1.7rem;margin:.2rem 0}"
	"h2{font-size:1.25rem;border-bottom:2px solid #08519c;"
	"padding-bottom:.2rem;margin-top:2rem}"
	"h3{font-size:1.05rem}"
	"nav ol{display:flex;flex-wrap:wrap;gap:.2rem 1.4rem;"
	"padding-left:1.2rem}"
	"a{color:#08519c}"
	"svg.chart{width:100%;height:auto;font-size:12px;font-family:inherit}"
	"svg text{fill:#1a1a1a}.grid{stroke:#d0d0d0}.axis{stroke:#1a1a1a}"
	"table{border-collapse:collapse;font-size:.8rem;"
	"font-variant-numeric:tabular-nums;margin-bottom:1rem}"
	"caption{text-align:left;font-weight:600;padding:.2rem 0}"
	"th,td{padding:.15rem .45rem;border-bottom:1px solid #c8c8c8;"
	"text-align:right}"
	"th:first-child{text-align:left;white-space:nowrap}"
	"thead th{vertical-align:bottom}"
	"@media print{body{max-width:none;padding:0;font-size:10pt}"
	"nav{display:none}thead{display:table-header-group}"
	"tr{break-inside:avoid}h2,h3{break-after:avoid}"
	"a{color:inherit;text-decoration:none}}";

void html_page_start(FILE *out, const char *title, const char *extra_style)
{
	fputs("<!DOCTYPE html><html lang=\"en-GB\"><head><meta "
	      "charset=\"utf-8\"><meta name=\"viewport\" "
	      "content=\"width=device-width,initial-scale=1\"><link "
	      "rel=\"icon\" href=\"data:,\"><title>",
	      out);
	html_text(out, title);
	fprintf(out, "</title><style>%s%s</style></head><body>", base_style,
		extra_style ? extra_style : "");
}
