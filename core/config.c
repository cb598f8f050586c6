#include "config.h" /* placeholder */
