#include "plugin_host.h" /* placeholder */
