#include "roles.h"

#include <stdio.h>
#include <string.h>

/* Bit i of enum role is role_words[i]: the order of SPEC section 3. */
static const char *const role_words[] = {
	"dcs",
	"lead_member",
	"assistant_director",
	"service_lead",
	"early_help_service_lead",
	"group_manager",
	"practice_manager",
	"social_worker",
	"iro_manager",
	"cp_chair_manager",
	"partnership_manager",
	"safeguarding_lead",
	"qa_team",
	"qa_residential_lead",
	"development_lead",
};

#define ROLE_COUNT (sizeof(role_words) / sizeof(role_words[0]))

_Static_assert(ROLE_DEVELOPMENT_LEAD == 1u << (ROLE_COUNT - 1) &&
		       ROLES_KNOWN == (1u << ROLE_COUNT) - 1,
	       "role_words follows enum role");

const char *roles_allowed(void)
{
	return "dcs, lead_member, assistant_director, service_lead, "
	       "early_help_service_lead, group_manager, practice_manager, "
	       "social_worker, iro_manager, cp_chair_manager, "
	       "partnership_manager, safeguarding_lead, qa_team, "
	       "qa_residential_lead, development_lead";
}

static int role_bit(const char *word, size_t len)
{
	for (size_t i = 0; i < ROLE_COUNT; i++)
		if (strlen(role_words[i]) == len &&
		    memcmp(role_words[i], word, len) == 0)
			return (int)i;
	return -1;
}

const char *roles_word(unsigned role)
{
	for (size_t i = 0; i < ROLE_COUNT; i++)
		if (role == 1u << i)
			return role_words[i];
	return NULL;
}

unsigned roles_from_word(const char *word, size_t len)
{
	int bit = role_bit(word, len);
	return bit < 0 ? 0 : 1u << bit;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* The word of [start, start + *len) without surrounding spaces. */
static const char *trim_span(const char *start, size_t *len)
{
	while (*len > 0 && is_space(*start)) {
		start++;
		(*len)--;
	}
	while (*len > 0 && is_space(start[*len - 1]))
		(*len)--;
	return start;
}

int roles_parse(const char *text, unsigned *mask, char *why, size_t why_size)
{
	unsigned parsed = 0;
	const char *item = text ? text : "";
	size_t whole = strlen(item);
	trim_span(item, &whole);
	if (whole == 0) {
		snprintf(why, why_size, "no role given; allowed: %s",
			 roles_allowed());
		return -1;
	}
	for (;;) {
		const char *end = strchr(item, ',');
		size_t len = end ? (size_t)(end - item) : strlen(item);
		const char *word = trim_span(item, &len);
		if (len == 0) {
			snprintf(why, why_size,
				 "an empty item in the role list; separate "
				 "roles with single commas");
			return -1;
		}
		int bit = role_bit(word, len);
		if (bit < 0) {
			snprintf(why, why_size,
				 "unknown role \"%.*s\"; allowed: %s",
				 (int)(len > 64 ? 64 : len), word,
				 roles_allowed());
			return -1;
		}
		parsed |= 1u << bit;
		if (!end)
			break;
		item = end + 1;
	}
	*mask = parsed;
	return 0;
}

void roles_format(unsigned mask, char *buf, size_t size)
{
	size_t used = 0;
	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < ROLE_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		int n = snprintf(buf + used, size - used, "%s%s",
				 used ? "," : "", role_words[i]);
		if (n < 0 || (size_t)n >= size - used) {
			buf[used] = '\0'; /* whole words only */
			return;
		}
		used += (size_t)n;
	}
}

unsigned roles_effective(unsigned mask)
{
	if (mask & ROLE_EARLY_HELP_SERVICE_LEAD)
		mask |= ROLE_SERVICE_LEAD;
	return mask;
}
