#ifndef PEIL_CIDN2_SHIM_H
#define PEIL_CIDN2_SHIM_H
#include <idn2.h>
#endif
