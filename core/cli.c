/* placeholder */ #include "log.h"
