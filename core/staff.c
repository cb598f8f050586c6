#include "staff.h" /* placeholder */
