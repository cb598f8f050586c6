/* cli: the qa-scheduler command line (SPEC section 5). Only this module and
 * main decide exit codes: 0 success, 1 a user error (one clear line on
 * stderr per problem), 2 a usage error. */
#ifndef QA_CLI_H
#define QA_CLI_H

enum cli_exit { CLI_OK = 0, CLI_ERROR = 1, CLI_USAGE = 2 };

int cli_main(int argc, char **argv);

#endif
