/* A shared object that exports no qa_plugin_entry. */
#include "qa-scheduler/plugin.h"

QA_PLUGIN_EXPORT int some_other_symbol(void);
QA_PLUGIN_EXPORT int some_other_symbol(void)
{
	return 42;
}
