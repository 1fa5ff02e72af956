#ifndef PEIL_CLDNS_SHIM_H
#define PEIL_CLDNS_SHIM_H
#include <ldns/ldns.h>
#endif
