#include "notify.h" /* placeholder */
