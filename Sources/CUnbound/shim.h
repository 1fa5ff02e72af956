#ifndef PEIL_CUNBOUND_SHIM_H
#define PEIL_CUNBOUND_SHIM_H
#include <unbound.h>
#endif
