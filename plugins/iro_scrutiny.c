#include "qa-scheduler/plugin.h" /* placeholder */
