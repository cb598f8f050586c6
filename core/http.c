#include "http.h" /* placeholder */
