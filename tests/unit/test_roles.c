/* roles: the role words of SPEC section 3 as bits, both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "roles.h"

static void roles_parse_format_effective(void **state)
{
	(void)state;
	unsigned mask = 0;
	char why[1024], text[512];

	assert_int_equal(roles_parse("social_worker", &mask, why, sizeof(why)),
			 0);
	assert_int_equal(mask, ROLE_SOCIAL_WORKER);
	assert_int_equal(roles_parse(" service_lead ,dcs , dcs", &mask, why,
				     sizeof(why)),
			 0);
	assert_int_equal(mask, ROLE_DCS | ROLE_SERVICE_LEAD);
	/* Formatted in the order of SPEC section 3, not as given. */
	roles_format(mask, text, sizeof(text));
	assert_string_equal(text, "dcs,service_lead");
	roles_format(0, text, sizeof(text));
	assert_string_equal(text, "");

	mask = 77;
	assert_int_equal(roles_parse("dcs,wizard", &mask, why, sizeof(why)),
			 -1);
	assert_int_equal(mask, 77);
	assert_non_null(strstr(why, "unknown role \"wizard\""));
	assert_non_null(strstr(why, roles_allowed()));
	assert_int_equal(roles_parse("dcs,,qa_team", &mask, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "empty item"));
	assert_int_equal(roles_parse("dcs,", &mask, why, sizeof(why)), -1);
	assert_int_equal(roles_parse("  ", &mask, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no role given"));
	assert_int_equal(roles_parse(NULL, &mask, why, sizeof(why)), -1);
	assert_int_equal(roles_parse("DCS", &mask, why, sizeof(why)), -1);
	assert_int_equal(
		roles_parse("dcs service_lead", &mask, why, sizeof(why)), -1);

	/* Every word round-trips and is listed, at its bit. */
	const char *words[] = {"dcs",
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
			       "development_lead"};
	unsigned all = 0;
	for (unsigned i = 0; i < 15; i++) {
		assert_int_equal(roles_parse(words[i], &mask, why, sizeof(why)),
				 0);
		assert_int_equal(mask, 1u << i);
		roles_format(1u << i, text, sizeof(text));
		assert_string_equal(text, words[i]);
		assert_non_null(strstr(roles_allowed(), words[i]));
		assert_string_equal(roles_word(1u << i), words[i]);
		assert_int_equal(roles_from_word(words[i], strlen(words[i])),
				 1u << i);
		all |= mask;
	}
	assert_int_equal(all, ROLES_KNOWN);
	roles_format(all, text, sizeof(text));
	assert_int_equal(roles_parse(text, &mask, why, sizeof(why)), 0);
	assert_int_equal(mask, all);
	/* A short buffer is cut, never overrun. */
	char small[8];
	roles_format(all, small, sizeof(small));
	assert_string_equal(small, "dcs");

	assert_int_equal(roles_effective(ROLE_EARLY_HELP_SERVICE_LEAD),
			 ROLE_EARLY_HELP_SERVICE_LEAD | ROLE_SERVICE_LEAD);
	assert_int_equal(roles_effective(ROLE_DCS | ROLE_SOCIAL_WORKER),
			 ROLE_DCS | ROLE_SOCIAL_WORKER);
	assert_int_equal(roles_effective(ROLE_SERVICE_LEAD), ROLE_SERVICE_LEAD);
}

static void one_role_at_a_time(void **state)
{
	(void)state;
	/* A word is exactly a role's, of exactly its length. */
	assert_int_equal(roles_from_word("dcs,qa_team", 3), ROLE_DCS);
	assert_int_equal(roles_from_word("dcs", 2), 0);
	assert_int_equal(roles_from_word(" dcs", 4), 0);
	assert_int_equal(roles_from_word("wizard", 6), 0);
	assert_int_equal(roles_from_word("", 0), 0);
	/* Only one known bit has a word. */
	assert_null(roles_word(0));
	assert_null(roles_word(ROLE_DCS | ROLE_QA_TEAM));
	assert_null(roles_word(ROLE_DEVELOPMENT_LEAD << 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_parse_format_effective),
		cmocka_unit_test(one_role_at_a_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
