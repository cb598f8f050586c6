/* roles: the fixed role words of SPEC section 3, as bits; who holds them
 * is staff.c's business. */
#ifndef QA_ROLES_H
#define QA_ROLES_H

#include <stddef.h>

/* The fixed role words of SPEC section 3, as bits. */
enum role {
	ROLE_DCS = 1u << 0,
	ROLE_LEAD_MEMBER = 1u << 1,
	ROLE_ASSISTANT_DIRECTOR = 1u << 2,
	ROLE_SERVICE_LEAD = 1u << 3,
	ROLE_EARLY_HELP_SERVICE_LEAD = 1u << 4, /* implies ROLE_SERVICE_LEAD */
	ROLE_GROUP_MANAGER = 1u << 5,
	ROLE_PRACTICE_MANAGER = 1u << 6,
	ROLE_SOCIAL_WORKER = 1u << 7,
	ROLE_IRO_MANAGER = 1u << 8,
	ROLE_CP_CHAIR_MANAGER = 1u << 9,
	ROLE_PARTNERSHIP_MANAGER = 1u << 10,
	ROLE_SAFEGUARDING_LEAD = 1u << 11,
	ROLE_QA_TEAM = 1u << 12,
	ROLE_QA_RESIDENTIAL_LEAD = 1u << 13,
	ROLE_DEVELOPMENT_LEAD = 1u << 14,
};

/* Every role this build knows. */
#define ROLES_KNOWN ((ROLE_DEVELOPMENT_LEAD << 1) - 1)

/* Parse a comma-separated list of role words into a mask (the words as
 * given; use roles_effective for implied roles). Returns 0, or -1 with the
 * offending word and the allowed list in why. */
int roles_parse(const char *text, unsigned *mask, char *why, size_t why_size);
/* The role words of mask, comma-separated without spaces, in the order of
 * SPEC section 3; a buf too small holds the words that fit whole. */
void roles_format(unsigned mask, char *buf, size_t size);
/* mask plus the roles it implies (early_help_service_lead -> service_lead). */
unsigned roles_effective(unsigned mask);
/* A comma-separated list of every role word, for messages. */
const char *roles_allowed(void);
/* The word of one role ("dcs" for ROLE_DCS); NULL for anything but a
 * single known bit. */
const char *roles_word(unsigned role);
/* The role the len bytes of word name, exactly (no spaces); 0 for none. */
unsigned roles_from_word(const char *word, size_t len);

#endif
