#ifndef PEIL_CLIBPQ_SHIM_H
#define PEIL_CLIBPQ_SHIM_H
#include <postgresql/libpq-fe.h>
#endif
