/* cli.h - the command line: GNU-style options layered over the config file. */
#ifndef UKSMTOP_CLI_H
#define UKSMTOP_CLI_H

#include <stdio.h>

#include "config.h"

#define CLI_CONTINUE (-1)

/* Fill cfg from defaults, the config file (-C, else the default path) and
 * the options. Returns CLI_CONTINUE to go on, or an exit status: 0 after
 * --help/--version, 2 after a bad option, value or config file (the message
 * is already on stderr). */
int cli_parse(int argc, char **argv, struct config *cfg);

void cli_usage(FILE *f);

#endif
