/* collaborative_audit: one collaborative case file audit a month per practice
 * manager, due by the last working day of the month. Recording it (with the
 * practitioner and grade) also creates the practitioner's audit action; that
 * is the engine's job, not this plugin's. */
#include "qa-scheduler/plugin.h"

static int generate(void *state, const struct qa_subject *subject, qa_day from,
		    qa_day to, const struct qa_host *host)
{
	(void)state;
	return host->emit_due_per_period(host, subject, QA_PERIOD_MONTH, from,
					 to, NULL);
}

/* The engine reads moderation_within and moderation_time for the
 * moderations it derives (from the same config values); the host checks
 * them against the schema below, its range included, so that a bad value
 * refuses the plugin at load rather than being ignored. */
static const struct qa_config_key config[] = {
	{QA_CONFIG_INT, "moderation_within", "10",
	 "Working days after an audit by which the Stage 2 moderation asked "
	 "for with `record collaborative_audit --moderator ID` is due "
	 "(1-60).",
	 1, 60},
	{QA_CONFIG_TIME, "moderation_time", "10:00",
	 "Where a moderation not yet arranged is shown in calendars: this "
	 "time on its last day, as a tentative one-hour session.",
	 0, 0},
	{0},
};

static const struct qa_plugin plugin = {
	QA_PLUGIN_HEADER,
	.id = "collaborative_audit",
	.title = "Collaborative case file audit",
	.description =
		"All practice managers undertake one collaborative case file "
		"audit a month with the practitioner, on a case from another "
		"part of the service allocated by the Quality Assurance Team; "
		"the practitioner completes the self-assessment in the audit "
		"tool beforehand. Stage 1 is the audit with the allocated "
		"worker (designed to take about 1 hour); Stage 2 is a "
		"reflective discussion facilitated by the moderator (one hour "
		"maximum). Feedback from children and families is sought after "
		"each audit. A sample of audits is moderated, and the Quality "
		"Assurance Service selects several audited and moderated cases "
		"to present to the Senior Leadership Team. Actions are "
		"expected within 4 weeks, or 5 working days for an inadequate "
		"audit where safeguarding concerns were identified. Naming a "
		"moderator when the audit is recorded asks for a Stage 2 "
		"moderation, due moderation_within working days later; a "
		"moderation that changes the grade re-times the action from "
		"the moderation's date.",
	.version = "1.0",
	.cadence = "monthly, one per practice manager, due by the last "
		   "working day of the month",
	.responsible = "Principal Manager Safeguarding, Quality and Practice "
		       "identifies cases; audits and moderations by "
		       "practitioner, practice manager and group manager",
	.frequency = "Monthly",
	.reporting = "Reports to SMT; a sample to SLT identified by QA. "
		     "Reports to the Policy and Practice Steering Group "
		     "(learning from audits and themes: learning loop agenda "
		     "item) and to development leads and practice groups "
		     "(forums) monthly.",
	.roles = "practice_manager",
	.scope = QA_SCOPE_PERSON,
	.duration = "0",
	.reminders = "7d, 1d",
	QA_CONFIG_KEYS(config),
	.generate = generate,
};

QA_PLUGIN_DEFINE(plugin)
