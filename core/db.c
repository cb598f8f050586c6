#include "db.h" /* placeholder */
